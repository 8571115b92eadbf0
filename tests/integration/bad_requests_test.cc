// The bad-request catalogue: one real remotek-server, many malformed or
// impossible requests, each answered with the exact gRPC code and a message
// that names the field and the offending value. Afterwards the server still
// runs, a normal request works, a sibling session is untouched and the
// failing session holds exactly the bytes and nodes it held before.
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "remotek/v1/remotek.grpc.pb.h"
#include "tests/integration/request_helpers.h"
#include "tests/support/server_process.h"

namespace remotek::testing {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMaxMessageBytes = 1 << 20;

// ---------------------------------------------------------------- the table

std::vector<BadRequest> Catalogue() {
  std::vector<BadRequest> rows;
  auto add = [&](std::string name, std::function<grpc::Status(Env&)> run,
                 C code, std::vector<std::string> subs) {
    rows.push_back({std::move(name), std::move(run), code, std::move(subs)});
  };

  // --- sessions ---
  add("unknown session (GetSession)",
      [](Env& e) {
        v1::SessionRequest r;
        r.set_session_id(kGhostSession);
        v1::SessionInfo out;
        return e.stub->GetSession(Ctx().get(), r, &out);
      },
      kNotFound, {"unknown session \"" + kGhostSession + "\""});
  add("unknown session (Call)",
      [](Env& e) { return Call(e, kGhostSession, "f", {}); }, kNotFound,
      {"unknown session \"" + kGhostSession + "\""});
  add("unknown session (ClearSession)",
      [](Env& e) {
        v1::SessionRequest r;
        r.set_session_id(kGhostSession);
        v1::SessionInfo out;
        return e.stub->ClearSession(Ctx().get(), r, &out);
      },
      kNotFound, {"unknown session \"" + kGhostSession + "\""});
  add("unknown session (CloseSession)",
      [](Env& e) {
        v1::SessionRequest r;
        r.set_session_id(kGhostSession);
        v1::Empty out;
        return e.stub->CloseSession(Ctx().get(), r, &out);
      },
      kNotFound, {"unknown session \"" + kGhostSession + "\""});
  add("empty session_id (Placeholder)",
      [](Env& e) { return Placeholder(e, PlaceholderReq("", "p", {2})); },
      kInvalid, {"session_id is required"});
  add("empty session_id (KeepAlive)",
      [](Env& e) {
        v1::SessionRequest r;
        v1::Empty out;
        return e.stub->KeepAlive(Ctx().get(), r, &out);
      },
      kInvalid, {"session_id is required"});
  add("unknown backend",
      [](Env& e) {
        v1::CreateSessionRequest r;
        r.set_backend("nosuch");
        return CreateSession(e, r);
      },
      kNotFound, {"unknown backend \"nosuch\"", "hosts: eigen, ", "reference"});
  add("backend tensorflow gets a hint",
      [](Env& e) {
        v1::CreateSessionRequest r;
        r.set_backend("tensorflow");
        return CreateSession(e, r);
      },
      kNotFound,
      {"\"tensorflow\" is a Keras backend", "hosts: eigen, ", "reference"});
  add("client-proposed session_id that is not 32 lowercase hex digits",
      [](Env& e) {
        v1::CreateSessionRequest r;
        r.set_session_id("../../etc/passwd");
        return CreateSession(e, r);
      },
      kInvalid, {"session_id=\"../../etc/passwd\" must be 32 lowercase hex digits"});
  add("client-proposed session_id already in use",
      [](Env& e) {
        v1::CreateSessionRequest r;
        r.set_session_id("00000000000000000000000000c0ffee");
        v1::SessionInfo held;
        grpc::Status first = e.stub->CreateSession(Ctx().get(), r, &held);
        if (!first.ok()) return first;
        grpc::Status second = CreateSession(e, r);
        v1::SessionRequest close;
        close.set_session_id(held.session_id());
        v1::Empty empty;
        e.stub->CloseSession(Ctx(held.session_id()).get(), close, &empty);
        return second;
      },
      grpc::StatusCode::ALREADY_EXISTS,
      {"session_id=\"00000000000000000000000000c0ffee\" is already in use"});
  add("floatx override that is not a float",
      [](Env& e) {
        v1::CreateSessionRequest r;
        r.set_floatx(v1::INT32);
        return CreateSession(e, r);
      },
      kInvalid, {"floatx=\"int32\"", "float16, float32 or float64"});
  add("floatx override with an unknown enum value",
      [](Env& e) {
        v1::CreateSessionRequest r;
        r.set_floatx(static_cast<v1::DType>(77));
        return CreateSession(e, r);
      },
      kInvalid, {"floatx=77 is not a known dtype"});
  add("negative epsilon override",
      [](Env& e) {
        v1::CreateSessionRequest r;
        r.set_epsilon(-0.5);
        return CreateSession(e, r);
      },
      kInvalid, {"epsilon=-0.5", "finite number > 0"});
  add("NaN epsilon override",
      [](Env& e) {
        v1::CreateSessionRequest r;
        r.set_epsilon(std::numeric_limits<double>::quiet_NaN());
        return CreateSession(e, r);
      },
      kInvalid, {"epsilon=nan", "finite number > 0"});
  add("bad image_data_format override",
      [](Env& e) {
        v1::CreateSessionRequest r;
        r.set_image_data_format("channels_middle");
        return CreateSession(e, r);
      },
      kInvalid, {"image_data_format=\"channels_middle\"", "channels_last"});

  // --- handles, ops, functions ---
  add("unknown handle (GetValue)",
      [](Env& e) { return GetValue(e, e.sid, "nope"); }, kNotFound,
      {"unknown handle \"nope\""});
  add("unknown input handle (OpNode)",
      [](Env& e) {
        return OpNode(e, OpReq(e.sid, "", "add", {"x", "nope"}));
      },
      kNotFound, {"add: inputs[1]", "unknown handle \"nope\""});
  add("unknown handle in BatchGetValue",
      [](Env& e) {
        v1::BatchGetValueRequest r;
        r.set_session_id(e.sid);
        r.add_handles("v");
        r.add_handles("nope");
        v1::BatchGetValueResponse out;
        return e.stub->BatchGetValue(Ctx(e.sid).get(), r, &out);
      },
      kNotFound, {"handles[1]", "unknown handle \"nope\""});
  add("unknown op (OpNode)",
      [](Env& e) { return OpNode(e, OpReq(e.sid, "", "frobnicate", {"x"})); },
      kNotFound, {"unknown op \"frobnicate\""});
  add("unknown op (RunOp)",
      [](Env& e) {
        return RunOp(e, RunOpReq(e.sid, "frobnicate", {F32({1}, {1})}));
      },
      kNotFound, {"unknown op \"frobnicate\""});
  add("empty op name",
      [](Env& e) { return OpNode(e, OpReq(e.sid, "", "", {"x"})); }, kInvalid,
      {"op is required"});
  add("wrong arity",
      [](Env& e) { return OpNode(e, OpReq(e.sid, "", "add", {"x"})); },
      kInvalid, {"add: takes 2 input(s), got 1"});
  add("unknown function", [](Env& e) { return Call(e, e.sid, "nofn", {}); },
      kNotFound, {"unknown function \"nofn\""});
  add("call of a released function",
      [](Env& e) {
        return Call(e, e.sid, "g", {F32({2, 3}, {1, 2, 3, 4, 5, 6})});
      },
      kNotFound, {"unknown function \"g\"", "released"});
  add("release of an unknown function",
      [](Env& e) {
        v1::ReleaseFunctionRequest r;
        r.set_session_id(e.sid);
        r.set_function("g");
        v1::Empty out;
        return e.stub->ReleaseFunction(Ctx(e.sid).get(), r, &out);
      },
      kNotFound, {"unknown function \"g\""});

  // --- feeds ---
  add("wrong feed dtype",
      [](Env& e) {
        return Call(e, e.sid, "f", {I32({2, 3}, {1, 2, 3, 4, 5, 6})});
      },
      kInvalid,
      {"feed 0 for placeholder \"x\"", "int32(2, 3)",
       "expected float32(2, 3)"});
  add("wrong feed shape",
      [](Env& e) {
        return Call(e, e.sid, "f", {F32({3, 2}, {1, 2, 3, 4, 5, 6})});
      },
      kInvalid,
      {"feed 0 for placeholder \"x\"", "float32(3, 2)",
       "expected float32(2, 3)"});
  add("missing feed", [](Env& e) { return Call(e, e.sid, "f", {}); }, kInvalid,
      {"function \"f\"", "expects 1 feed(s), got 0"});
  add("too many feeds",
      [](Env& e) {
        return Call(
            e, e.sid, "f",
            {F32({2, 3}, {1, 2, 3, 4, 5, 6}), F32({2, 3}, {1, 2, 3, 4, 5, 6})});
      },
      kInvalid, {"expects 1 feed(s), got 2"});
  add("feed with an unknown dtype enum value",
      [](Env& e) {
        return Call(e, e.sid, "f", {Raw(42, {2, 3}, 24)});
      },
      kInvalid, {"feeds[0].dtype=42 is not a known dtype"});

  // --- linear algebra ---
  add("batch_dot axes out of range",
      [](Env& e) {
        v1::OpNodeRequest r = OpReq(e.sid, "", "batch_dot", {"x3", "y3"});
        (*r.mutable_attrs())["axes"] = Ints({5, 1});
        return OpNode(e, r);
      },
      kInvalid, {"batch_dot: axes[0]=5 is out of range for x of rank 3"});
  add("batch_dot axes with three entries",
      [](Env& e) {
        v1::OpNodeRequest r = OpReq(e.sid, "", "batch_dot", {"x3", "y3"});
        (*r.mutable_attrs())["axes"] = Ints({2, 1, 1});
        return OpNode(e, r);
      },
      kInvalid,
      {"batch_dot: axes must be an int or a pair of ints", "[2, 1, 1]"});
  add("batch_dot axes contracting the batch axis",
      [](Env& e) {
        v1::OpNodeRequest r = OpReq(e.sid, "", "batch_dot", {"x3", "y3"});
        (*r.mutable_attrs())["axes"] = Ints({2, 0});
        return OpNode(e, r);
      },
      kInvalid, {"axes[1]=0 is the batch axis of y"});
  add("batch_dot non-matching contracted dims",
      [](Env& e) {
        v1::OpNodeRequest r = OpReq(e.sid, "", "batch_dot", {"x3", "y3"});
        (*r.mutable_attrs())["axes"] = Ints({1, 1});
        return OpNode(e, r);
      },
      kInvalid, {"batch_dot: cannot contract", "x.shape[1]=3 != y.shape[1]=4"});
  add("batch_dot batch sizes differ",
      [](Env& e) {
        return OpNode(e, OpReq(e.sid, "", "batch_dot", {"x3", "z3"}));
      },
      kInvalid, {"batch_dot: batch sizes differ: 2 vs 3"});
  add("dot non-matching contracted dims",
      [](Env& e) {
        return OpNode(e, OpReq(e.sid, "", "dot", {"x", "v"}));
      },
      kInvalid, {"dot: cannot contract", "x.shape[-1]=3 != y.shape[-2]=2"});
  add("dot of mixed dtypes",
      [](Env& e) {
        return OpNode(e, OpReq(e.sid, "", "dot", {"x", "ci"}));
      },
      kInvalid, {"dot: x and y must have the same dtype", "float32 and int32"});
  add("dot of bools",
      [](Env& e) {
        return OpNode(e, OpReq(e.sid, "", "dot", {"cb", "cb"}));
      },
      kInvalid, {"dot: x has dtype bool, which is not numeric"});
  add("broadcast mismatch in add (graph)",
      [](Env& e) {
        return OpNode(e, OpReq(e.sid, "", "add", {"x", "xt"}));
      },
      kInvalid,
      {"add: cannot broadcast", "(2, 3)", "(3, 2)",
       "dims 3 and 2 differ at axis -1"});
  add("broadcast mismatch in add (eager)",
      [](Env& e) {
        return RunOp(e, RunOpReq(e.sid, "add",
                                 {F32({2, 3}, {1, 2, 3, 4, 5, 6}),
                                  F32({4}, {1, 2, 3, 4})}));
      },
      kInvalid, {"add: cannot broadcast", "(2, 3)", "(4,)", "dims 3 and 4"});

  // --- shapes, dtypes and contents ---
  add("placeholder with a negative dim",
      [](Env& e) {
        return Placeholder(e, PlaceholderReq(e.sid, "p", {2, -3}));
      },
      kInvalid, {"shape[1]=-3 is negative", "use -1 for an unknown dim"});
  add("placeholder with an out-of-range ndim",
      [](Env& e) {
        v1::PlaceholderRequest r;
        r.set_session_id(e.sid);
        r.set_ndim(-3);
        return Placeholder(e, r);
      },
      kInvalid, {"ndim=-3 must be in [0, 32]"});
  add("placeholder with an unknown dtype enum value",
      [](Env& e) {
        return Placeholder(
            e, PlaceholderReq(e.sid, "p", {2}, static_cast<v1::DType>(42)));
      },
      kInvalid, {"dtype=42 is not a known dtype"});
  add("placeholder whose element count overflows int64",
      [](Env& e) {
        return Placeholder(
            e,
            PlaceholderReq(e.sid, "p", {int64_t{1} << 32, int64_t{1} << 32}));
      },
      kInvalid,
      {"[4294967296, 4294967296] has more elements than fit in int64"});
  add("tensor with a negative dim",
      [](Env& e) {
        return Constant(e, ConstReq(e.sid, "c", Raw(v1::FLOAT32, {-2}, 0)));
      },
      kInvalid, {"value.shape[0]=-2 is negative"});
  add("tensor with -1 (unknown) dim",
      [](Env& e) {
        return Constant(e, ConstReq(e.sid, "c", Raw(v1::FLOAT32, {2, -1}, 8)));
      },
      kInvalid, {"value.shape[1]=-1 is negative"});
  add("content shorter than the shape",
      [](Env& e) {
        return Constant(e, ConstReq(e.sid, "c", Raw(v1::FLOAT32, {4}, 8)));
      },
      kInvalid,
      {"value.content has 8 bytes but float32(4,) needs 4 x 4 bytes"});
  add("content longer than the shape",
      [](Env& e) {
        return Variable(e, VarReq(e.sid, "c", Raw(v1::FLOAT64, {2, 2}, 40)));
      },
      kInvalid,
      {"value.content has 40 bytes but float64(2, 2) needs 4 x 8 bytes"});
  add("tensor whose element count overflows int64",
      [](Env& e) {
        return Constant(
            e, ConstReq(
                   e.sid, "c",
                   Raw(v1::FLOAT32, {int64_t{1} << 32, int64_t{1} << 32}, 0)));
      },
      kInvalid,
      {"value.shape [4294967296, 4294967296] has more elements than fit in "
       "int64"});
  add("tensor whose byte size overflows int64",
      [](Env& e) {
        return Constant(
            e, ConstReq(e.sid, "c", Raw(v1::FLOAT64, {int64_t{1} << 61}, 0)));
      },
      kInvalid,
      {"value.content has 0 bytes", "needs 2305843009213693952 x 8 bytes"});
  add("tensor with an unknown dtype enum value",
      [](Env& e) { return Constant(e, ConstReq(e.sid, "c", Raw(42, {2}, 8))); },
      kInvalid, {"value.dtype=42 is not a known dtype"});
  add("tensor with dtype unspecified",
      [](Env& e) { return Constant(e, ConstReq(e.sid, "c", Raw(0, {2}, 8))); },
      kInvalid, {"value.dtype is required"});
  add("constant without a value",
      [](Env& e) {
        v1::ConstantRequest r;
        r.set_session_id(e.sid);
        return Constant(e, r);
      },
      kInvalid, {"constant: value is required"});
  add("eager arg with a short content",
      [](Env& e) {
        return RunOp(e, RunOpReq(e.sid, "add",
                                 {F32({2}, {1, 2}), Raw(v1::FLOAT32, {2}, 7)}));
      },
      kInvalid,
      {"args[1].tensor.content has 7 bytes but float32(2,) needs 2 x 4 bytes"});

  // --- whole graphs ---
  add("cyclic whole graph",
      [](Env& e) {
        return BuildGraph(e, Graph(e.sid, {GOp("a", "add", {"b", "x"}),
                                           GOp("b", "add", {"a", "x"})}));
      },
      kInvalid, {"is part of a cycle"});
  add("dangling whole-graph reference",
      [](Env& e) {
        return BuildGraph(e, Graph(e.sid, {GPlaceholder("p", {2, 3}),
                                           GOp("q", "add", {"p", "ghost"})}));
      },
      kNotFound, {"nodes[1] (\"q\")", "unknown handle \"ghost\""});
  add("repeated names in a whole graph",
      [](Env& e) {
        return BuildGraph(
            e, Graph(e.sid, {GPlaceholder("p", {2}), GPlaceholder("p", {3})}));
      },
      kInvalid, {"nodes[1].name=\"p\" is repeated"});
  add("empty node in a whole graph",
      [](Env& e) {
        return BuildGraph(
            e, Graph(e.sid, {GPlaceholder("p", {2}), v1::GraphNode()}));
      },
      kInvalid, {"nodes[1]", "is empty"});
  add("whole graph fails late: nothing is kept",
      [](Env& e) {
        // The variable is valid and allocated before the op fails.
        return BuildGraph(
            e, Graph(e.sid,
                     {GVariable("kept_not", F32({2, 3}, {1, 2, 3, 4, 5, 6})),
                      GOp("bad", "dot", {"kept_not", "kept_not"})}));
      },
      kInvalid, {"nodes[1] (\"bad\")", "x.shape[-1]=3 != y.shape[-2]=2"});
  add("whole graph with a bad tensor",
      [](Env& e) {
        return BuildGraph(
            e, Graph(e.sid, {GPlaceholder("p", {2}),
                             GVariable("w", Raw(v1::FLOAT32, {3}, 4))}));
      },
      kInvalid, {"nodes[1]: value.content has 4 bytes"});

  // --- functions ---
  add("function input that is not a placeholder",
      [](Env& e) { return Function(e, {"v"}, {"xv"}); }, kInvalid,
      {"inputs[0]=\"v\" is a variable, not a placeholder"});
  add("function input repeated",
      [](Env& e) {
        return Function(e, {"x", "x"}, {"xv"});
      },
      kInvalid, {"inputs[1]=\"x\" is repeated"});
  add("output depending on an unfed placeholder",
      [](Env& e) { return Function(e, {}, {"xv"}); }, kInvalid,
      {"outputs[0]=\"xv\" depends on placeholder \"x\"",
       "not among the inputs"});
  add("unknown function output",
      [](Env& e) { return Function(e, {"x"}, {"nope"}); }, kNotFound,
      {"unknown handle \"nope\""});
  add("update of a non-variable",
      [](Env& e) {
        return Function(e, {"x"}, {"xv"}, {{"x", "xv"}});
      },
      kInvalid, {"updates[0] target \"x\" is a placeholder, not a variable"});
  add("update shape mismatch",
      [](Env& e) {
        return Function(e, {"x"}, {"xv"}, {{"v", "xt"}});
      },
      kInvalid,
      {"updates[0] value \"xt\" is float32(3, 2)",
       "variable \"v\" is float32(2, 3)"});
  add("update of one variable twice",
      [](Env& e) {
        return Function(e, {"x"}, {}, {{"v", "xv"}, {"v", "xv"}});
      },
      kInvalid, {"updates[1] updates variable \"v\" twice"});

  // --- variables ---
  add("set_value shape mismatch",
      [](Env& e) {
        return SetValue(e, "v", F32({3, 2}, {1, 2, 3, 4, 5, 6}));
      },
      kInvalid,
      {"set_value: value shape (3, 2) does not match variable \"v\" of shape "
       "(2, 3)"});
  add("set_value of a placeholder",
      [](Env& e) {
        return SetValue(e, "x", F32({2, 3}, {1, 2, 3, 4, 5, 6}));
      },
      kInvalid, {"set_value: \"x\" is a placeholder, not a variable"});
  add("get_value of a placeholder",
      [](Env& e) { return GetValue(e, e.sid, "x"); }, C::FAILED_PRECONDITION,
      {"\"x\" is a placeholder and holds no value"});
  add("get_value of an op node",
      [](Env& e) { return GetValue(e, e.sid, "xv"); }, C::FAILED_PRECONDITION,
      {"\"xv\"", "holds no value"});
  add("get_value above the message limit",
      [](Env& e) { return GetValue(e, e.sid, "big"); }, C::RESOURCE_EXHAUSTED,
      {"\"big\" is 1440000 bytes", "message limit of 1048576",
       "DownloadTensor"});
  add("variable without value or initializer",
      [](Env& e) {
        v1::VariableRequest r;
        r.set_session_id(e.sid);
        r.set_name("w");
        return Variable(e, r);
      },
      kInvalid, {"one of value or initializer is required"});
  add("unknown initializer kind",
      [](Env& e) {
        v1::VariableRequest r =
            InitReq(e.sid, "w", v1::Initializer::ZEROS, {2});
        r.mutable_initializer()->set_kind(
            static_cast<v1::Initializer::Kind>(99));
        return Variable(e, r);
      },
      kInvalid, {"initializer.kind=99 is not a known initializer"});
  add("unspecified initializer kind",
      [](Env& e) {
        return Variable(
            e, InitReq(e.sid, "w", v1::Initializer::KIND_UNSPECIFIED, {2}));
      },
      kInvalid, {"initializer.kind=0 is not a known initializer"});
  add("random initializer on an int dtype",
      [](Env& e) {
        return Variable(e, InitReq(e.sid, "w", v1::Initializer::RANDOM_UNIFORM,
                                   {2}, v1::INT32));
      },
      kInvalid, {"random_uniform: dtype int32 is not a float dtype"});
  add("initializer with a negative dim",
      [](Env& e) {
        return Variable(e, InitReq(e.sid, "w", v1::Initializer::ONES, {3, -1}));
      },
      kInvalid, {"initializer.shape[1]=-1 is negative"});
  add("eye initializer of rank 1",
      [](Env& e) {
        return Variable(e, InitReq(e.sid, "w", v1::Initializer::EYE, {3}));
      },
      kInvalid, {"eye: shape (3,) must have rank 2"});
  add("random_uniform with high < low",
      [](Env& e) {
        v1::VariableRequest r =
            InitReq(e.sid, "w", v1::Initializer::RANDOM_UNIFORM, {2});
        r.mutable_initializer()->set_low(1);
        r.mutable_initializer()->set_high(0);
        return Variable(e, r);
      },
      kInvalid, {"random_uniform: high=0 is below low=1"});
  add("random_normal with a negative stddev",
      [](Env& e) {
        v1::VariableRequest r =
            InitReq(e.sid, "w", v1::Initializer::RANDOM_NORMAL, {2});
        r.mutable_initializer()->set_stddev(-1);
        return Variable(e, r);
      },
      kInvalid, {"random_normal: stddev=-1 is negative"});

  // --- attributes ---
  add("reshape with two -1",
      [](Env& e) {
        v1::OpNodeRequest r = OpReq(e.sid, "", "reshape", {"x"});
        (*r.mutable_attrs())["shape"] = Ints({-1, -1});
        return OpNode(e, r);
      },
      kInvalid, {"reshape: shape=[-1, -1] has more than one -1"});
  add("reshape to a different element count",
      [](Env& e) {
        v1::OpNodeRequest r = OpReq(e.sid, "", "reshape", {"x"});
        (*r.mutable_attrs())["shape"] = Ints({4, 2});
        return OpNode(e, r);
      },
      kInvalid,
      {"reshape: cannot reshape x of shape (2, 3)", "into shape=[4, 2]"});
  add("unknown attr name",
      [](Env& e) {
        v1::OpNodeRequest r = OpReq(e.sid, "", "batch_dot", {"x3", "y3"});
        (*r.mutable_attrs())["axis"] = Ints({2, 1});
        return OpNode(e, r);
      },
      kInvalid, {"batch_dot: unknown attribute(s) axis (known: axes)"});
  add("wrong attr type",
      [](Env& e) {
        v1::OpNodeRequest r = OpReq(e.sid, "", "reshape", {"x"});
        (*r.mutable_attrs())["shape"] = Str("abc");
        return OpNode(e, r);
      },
      kInvalid,
      {"reshape: shape must be an int or a list of ints, got \"abc\""});
  add("attr without a value",
      [](Env& e) {
        v1::OpNodeRequest r = OpReq(e.sid, "", "batch_dot", {"x3", "y3"});
        (*r.mutable_attrs())["axes"] = v1::AttrValue();
        return OpNode(e, r);
      },
      kInvalid, {"attrs[\"axes\"] has no value"});
  add("missing required attr",
      [](Env& e) { return OpNode(e, OpReq(e.sid, "", "reshape", {"x"})); },
      kInvalid, {"reshape: attribute shape is required"});

  // --- eager specifics ---
  add("skip_result without keep",
      [](Env& e) {
        v1::RunOpRequest r =
            RunOpReq(e.sid, "add", {F32({1}, {1}), F32({1}, {2})});
        r.set_skip_result(true);
        return RunOp(e, r);
      },
      kInvalid, {"skip_result=true requires keep=true"});
  add("eager arg that is empty",
      [](Env& e) {
        v1::RunOpRequest r = RunOpReq(e.sid, "add", {F32({1}, {1})});
        r.add_args();
        return RunOp(e, r);
      },
      kInvalid, {"args[1] is empty"});
  add("eager arg naming a placeholder",
      [](Env& e) {
        v1::RunOpRequest r = RunOpReq(e.sid, "add", {});
        r.add_args()->set_handle("x");
        r.add_args()->set_handle("v");
        return RunOp(e, r);
      },
      C::FAILED_PRECONDITION,
      {"add: inputs[0]", "\"x\" is a placeholder and holds no value"});

  // --- streams ---
  add("upload without a header",
      [](Env& e) { return Upload(e, {Content(16)}); }, kInvalid,
      {"the first message must be the header"});
  add("upload with no message at all", [](Env& e) { return Upload(e, {}); },
      kInvalid, {"upload: no header was sent"});
  add("upload with too few bytes",
      [](Env& e) {
        return Upload(e, {Header(e.sid, v1::UploadHeader::NEW_VARIABLE, "up",
                                 v1::FLOAT32, {4}),
                          Content(8)});
      },
      kInvalid, {"received 8 of the 16 bytes"});
  add("upload with too many bytes",
      [](Env& e) {
        return Upload(e, {Header(e.sid, v1::UploadHeader::NEW_CONSTANT, "up",
                                 v1::FLOAT32, {4}),
                          Content(12), Content(8)});
      },
      kInvalid, {"more than the 16 bytes float32(4,) needs"});
  add("upload with a second header",
      [](Env& e) {
        auto h = Header(e.sid, v1::UploadHeader::NEW_VARIABLE, "up",
                        v1::FLOAT32, {4});
        return Upload(e, {h, h});
      },
      kInvalid, {"a second header arrived"});
  add("upload with an unspecified target",
      [](Env& e) {
        return Upload(e, {Header(e.sid, v1::UploadHeader::TARGET_UNSPECIFIED,
                                 "up", v1::FLOAT32, {4}),
                          Content(16)});
      },
      kInvalid,
      {"header.target=0 must be NEW_VARIABLE, NEW_CONSTANT or SET_VALUE"});
  add("upload with a negative dim",
      [](Env& e) {
        return Upload(e, {Header(e.sid, v1::UploadHeader::NEW_VARIABLE, "up",
                                 v1::FLOAT32, {4, -4})});
      },
      kInvalid, {"header.shape[1]=-4 is negative"});
  add("upload with dtype unspecified",
      [](Env& e) {
        return Upload(
            e, {Header(e.sid, v1::UploadHeader::NEW_VARIABLE, "up", 0, {4})});
      },
      kInvalid, {"header.dtype is required"});
  add("upload to an unknown session",
      [](Env& e) {
        return Upload(e, {Header(kGhostSession, v1::UploadHeader::NEW_VARIABLE,
                                 "up", v1::FLOAT32, {1}),
                          Content(4)});
      },
      kNotFound, {"unknown session \"" + kGhostSession + "\""});
  add("upload set_value of a non-variable",
      [](Env& e) {
        return Upload(e, {Header(e.sid, v1::UploadHeader::SET_VALUE, "x",
                                 v1::FLOAT32, {2, 3}),
                          Content(24)});
      },
      kInvalid, {"set_value: \"x\" is a placeholder, not a variable"});
  add("download chunk_bytes negative",
      [](Env& e) { return Download(e, "v", -5); }, kInvalid,
      {"chunk_bytes=-5 is negative"});
  add("download of an unknown handle",
      [](Env& e) { return Download(e, "nope", 0); }, kNotFound,
      {"unknown handle \"nope\""});
  add("download of a placeholder", [](Env& e) { return Download(e, "x", 0); },
      C::FAILED_PRECONDITION, {"\"x\" is a placeholder and holds no value"});

  return rows;
}

// ---------------------------------------------------------------- fixture

class BadRequestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = ServerProcess::Start(
        {"--threads=2",
         absl::StrCat("--max_message_bytes=", kMaxMessageBytes)});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::RemoteK::NewStub(server_->Channel());
  }

  std::string NewSession() {
    v1::CreateSessionRequest r;
    v1::SessionInfo info;
    grpc::Status s = stub_->CreateSession(Ctx().get(), r, &info);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return info.session_id();
  }

  v1::SessionStats Stats(const std::string& sid) {
    v1::SessionRequest r;
    r.set_session_id(sid);
    v1::SessionInfo info;
    grpc::Status s = stub_->GetSession(Ctx(sid).get(), r, &info);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return info.stats();
  }

  // The failing session's fixture: every handle the rows name.
  void BuildFixture(const std::string& sid) {
    Env e{stub_.get(), sid};
    auto ok = [](const grpc::Status& s) {
      ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    };
    ok(Placeholder(e, PlaceholderReq(sid, "x", {2, 3})));
    ok(Placeholder(e, PlaceholderReq(sid, "x3", {2, 3, 4})));
    ok(Placeholder(e, PlaceholderReq(sid, "y3", {2, 4, 5})));
    ok(Placeholder(e, PlaceholderReq(sid, "z3", {3, 4, 5})));
    ok(Variable(e, VarReq(sid, "v", F32({2, 3}, {1, 2, 3, 4, 5, 6}))));
    ok(Constant(e, ConstReq(sid, "ci", I32({3, 2}, {1, 2, 3, 4, 5, 6}))));
    v1::Tensor bools;
    bools.set_dtype(v1::BOOL);
    bools.add_shape(2);
    bools.add_shape(2);
    bools.set_content(std::string("\x01\x00\x00\x01", 4));
    ok(Constant(e, ConstReq(sid, "cb", bools)));
    ok(OpNode(e, OpReq(sid, "xv", "add", {"x", "v"})));
    ok(OpNode(e, OpReq(sid, "xt", "transpose", {"x"})));
    ok(Variable(e, InitReq(sid, "big", v1::Initializer::ZEROS, {600, 600})));
    v1::FunctionRequest f;
    f.set_session_id(sid);
    f.set_name("f");
    f.add_inputs("x");
    f.add_outputs("xv");
    v1::FunctionInfo info;
    ok(stub_->Function(Ctx(sid).get(), f, &info));
    ASSERT_EQ(info.handle(), "f");
    f.set_name("g");
    ok(stub_->Function(Ctx(sid).get(), f, &info));
    ASSERT_EQ(info.handle(), "g");
    v1::ReleaseFunctionRequest release;
    release.set_session_id(sid);
    release.set_function("g");
    v1::Empty empty;
    ok(stub_->ReleaseFunction(Ctx(sid).get(), release, &empty));
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Stub> stub_;
};

TEST(BadRequestCatalogue, HasAtLeastFortyDistinctRows) {
  const std::vector<BadRequest> rows = Catalogue();
  EXPECT_GE(rows.size(), 40u);
  absl::flat_hash_set<std::string> names;
  for (const BadRequest& row : rows) {
    EXPECT_TRUE(names.insert(row.name).second)
        << "repeated row name: " << row.name;
    EXPECT_FALSE(row.substrings.empty()) << row.name;
    EXPECT_NE(row.code, grpc::StatusCode::OK) << row.name;
  }
}

TEST_F(BadRequestsTest, EveryBadRequestGetsItsCodeAndMessageAndHarmsNothing) {
  // The sibling is created first and holds a variable whose value must survive.
  const std::string sibling = NewSession();
  Env se{stub_.get(), sibling};
  const v1::Tensor w0 = F32({3}, {1.5f, -2.5f, 3.25f});
  ASSERT_TRUE(Variable(se, VarReq(sibling, "w", w0)).ok());
  const v1::SessionStats sibling_before = Stats(sibling);

  const std::string sid = NewSession();
  ASSERT_FALSE(sid.empty());
  ASSERT_NO_FATAL_FAILURE(BuildFixture(sid));
  const v1::SessionStats before = Stats(sid);
  EXPECT_GT(before.bytes_held(), 0);

  Env e{stub_.get(), sid};
  int checked = 0;
  for (const BadRequest& row : Catalogue()) {
    SCOPED_TRACE(row.name);
    ExpectRowAnswer(row, row.run(e));
    ASSERT_TRUE(server_->IsRunning()) << "the server died on: " << row.name;
    ++checked;
  }
  EXPECT_GE(checked, 40);

  // Still serving: a normal call gives x + v.
  v1::CallRequest call;
  call.set_session_id(sid);
  call.set_function("f");
  *call.add_feeds() = F32({2, 3}, {10, 20, 30, 40, 50, 60});
  v1::CallResponse out;
  grpc::Status s = stub_->Call(Ctx(sid).get(), call, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(out.outputs_size(), 1);
  EXPECT_EQ(out.outputs(0).dtype(), v1::FLOAT32);
  EXPECT_THAT(out.outputs(0).shape(), ::testing::ElementsAre(2, 3));
  EXPECT_THAT(Floats(out.outputs(0)),
              ::testing::ElementsAre(11, 22, 33, 44, 55, 66));

  // Nothing the failing requests did stuck to the session.
  const v1::SessionStats after = Stats(sid);
  EXPECT_EQ(after.bytes_held(), before.bytes_held());
  EXPECT_EQ(after.nodes(), before.nodes());
  EXPECT_EQ(after.variables(), before.variables());
  EXPECT_EQ(after.functions(), before.functions());
  v1::GetValueRequest get;
  get.set_session_id(sid);
  get.set_handle("v");
  v1::Tensor v;
  ASSERT_TRUE(stub_->GetValue(Ctx(sid).get(), get, &v).ok());
  EXPECT_THAT(Floats(v), ::testing::ElementsAre(1, 2, 3, 4, 5, 6));

  // The sibling is untouched.
  get.set_session_id(sibling);
  get.set_handle("w");
  v1::Tensor w;
  ASSERT_TRUE(stub_->GetValue(Ctx(sibling).get(), get, &w).ok());
  EXPECT_EQ(w.dtype(), v1::FLOAT32);
  EXPECT_THAT(w.shape(), ::testing::ElementsAre(3));
  EXPECT_EQ(w.content(), w0.content());
  const v1::SessionStats sibling_after = Stats(sibling);
  EXPECT_EQ(sibling_after.bytes_held(), sibling_before.bytes_held());
  EXPECT_EQ(sibling_after.nodes(), sibling_before.nodes());

  // Only the two sessions exist: no failed CreateSession left one behind.
  v1::ListSessionsResponse sessions;
  ASSERT_TRUE(
      stub_->ListSessions(Ctx().get(), v1::ListSessionsRequest(), &sessions)
          .ok());
  EXPECT_EQ(sessions.sessions_size(), 2);
  EXPECT_TRUE(server_->IsRunning());
}

// Initializers whose values cannot be held must be refused with
// RESOURCE_EXHAUSTED, not abort the process.
TEST_F(BadRequestsTest, HugeInitializersAreRefusedAndTheServerLives) {
  const std::string sid = NewSession();
  Env e{stub_.get(), sid};
  const int64_t huge = int64_t{1} << 40;  // 4 TiB of float32
  const struct {
    v1::Initializer::Kind kind;
    std::vector<int64_t> shape;
  } cases[] = {
      {v1::Initializer::ZEROS, {huge}},
      {v1::Initializer::ONES, {huge}},
      {v1::Initializer::CONSTANT, {huge}},
      {v1::Initializer::RANDOM_UNIFORM, {huge}},
      {v1::Initializer::RANDOM_NORMAL, {huge}},
      {v1::Initializer::TRUNCATED_NORMAL, {huge}},
      {v1::Initializer::EYE, {int64_t{1} << 20, int64_t{1} << 20}},
      // Byte counts past int64 (found by graph_fuzzer: UBSan, then a fatal
      // std::length_error from the scratch vector).
      {v1::Initializer::ONES, {int64_t{1} << 60}},
      {v1::Initializer::RANDOM_UNIFORM, {INT64_MAX}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(v1::Initializer::Kind_Name(c.kind));
    const grpc::Status s = Variable(e, InitReq(sid, "huge", c.kind, c.shape));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("bytes"));
    ASSERT_TRUE(server_->IsRunning())
        << "the server died on a huge " << v1::Initializer::Kind_Name(c.kind);
  }
  EXPECT_EQ(Stats(sid).bytes_held(), 0);
}

}  // namespace
}  // namespace remotek::testing
