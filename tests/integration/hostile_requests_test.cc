// The hostile-request catalogue (issue #6), on top of bad_requests_test.cc:
// huge and overflowing shapes, contents that disagree with their shapes,
// 10k-deep and 100k-node graphs, cycles, unknown enum values, unicode and
// empty names, repeated handles, other tenants' session ids, wrong attrs,
// stream misuse and bad metadata. Two real remotek-servers: a plain one, and
// one with bearer-token auth and every quota on. Each row asserts the exact
// code and a message naming the field or value. Afterwards both servers still
// run, sibling sessions read back exactly, the failing sessions hold exactly
// the bytes and nodes they held before, and the servers' resident memory has
// not grown past a sane bound.
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "remotek/v1/remotek.grpc.pb.h"
#include "tests/integration/hardening/hardening_util.h"
#include "tests/integration/request_helpers.h"
#include "tests/support/server_process.h"

namespace remotek::testing {
namespace {

constexpr int64_t kPlainMaxMessageBytes = 16 << 20;
constexpr int64_t kMaxGraphNodes = 64;
constexpr int64_t kMaxTensorElements = 4096;
constexpr int64_t kSessionMemoryLimit = 1 << 20;
constexpr char kAlice[] = "alice-token-0123456789abcdef";
constexpr char kBob[] = "bob-token-0123456789abcdefgh";
constexpr int64_t kTiB4 = int64_t{1} << 40;  // elements: 4 TiB of float32
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUnderSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kUnderSanitizer = true;
#else
constexpr bool kUnderSanitizer = false;
#endif
#else
constexpr bool kUnderSanitizer = false;
#endif

// What a row may touch: the failing session (e), and another tenant's.
struct World {
  Env e;
  std::string other_sid;  // a session of another tenant (limited server)
};

struct Row {
  std::string name;
  std::function<grpc::Status(World&)> run;
  grpc::StatusCode code;
  std::vector<std::string> substrings;
  bool exact = false;  // the message must equal substrings[0]
};

using Rows = std::vector<Row>;

// ------------------------------------------------------------ more helpers

v1::AttrValue Int(int64_t v) {
  v1::AttrValue a;
  a.set_i(v);
  return a;
}

v1::AttrValue Float(double v) {
  v1::AttrValue a;
  a.set_f(v);
  return a;
}

v1::AttrValue Bool(bool v) {
  v1::AttrValue a;
  a.set_b(v);
  return a;
}

v1::RunOpRequest Eager(const std::string& sid, const std::string& op,
                       std::vector<v1::Tensor> args,
                       std::vector<std::pair<std::string, v1::AttrValue>> attrs = {}) {
  v1::RunOpRequest r = RunOpReq(sid, op, std::move(args));
  for (auto& [k, v] : attrs) (*r.mutable_attrs())[k] = v;
  return r;
}

v1::OpNodeRequest OpWith(const std::string& sid, const std::string& name,
                         const std::string& op, std::vector<std::string> inputs,
                         std::vector<std::pair<std::string, v1::AttrValue>> attrs) {
  v1::OpNodeRequest r = OpReq(sid, name, op, std::move(inputs));
  for (auto& [k, v] : attrs) (*r.mutable_attrs())[k] = v;
  return r;
}

v1::Tensor F32Zeros(std::vector<int64_t> shape, int64_t n) {
  return Raw(v1::FLOAT32, std::move(shape), static_cast<size_t>(n) * 4);
}

v1::Tensor Ones(int rank) {  // float32, every dim 1
  return Raw(v1::FLOAT32, std::vector<int64_t>(rank, 1), 4);
}

// GetSession of `sid`, which travels only in the body: hostile ids are no
// valid metadata values.
grpc::Status SessionRpc(Env& e, const std::string& sid) {
  v1::SessionRequest r;
  r.set_session_id(sid);
  v1::SessionInfo out;
  return e.stub->GetSession(Ctx("", e.token).get(), r, &out);
}

grpc::Status SetValueIn(Env& e, const std::string& sid, const std::string& handle,
                        v1::Tensor value) {
  v1::SetValueRequest r;
  r.set_session_id(sid);
  r.set_handle(handle);
  *r.mutable_value() = std::move(value);
  v1::Empty out;
  return e.stub->SetValue(Ctx(sid, e.token).get(), r, &out);
}

grpc::Status FunctionIn(Env& e, const std::string& sid, const std::string& name,
                        std::vector<std::string> inputs,
                        std::vector<std::string> outputs,
                        std::vector<std::pair<std::string, std::string>> updates = {}) {
  v1::FunctionRequest r;
  r.set_session_id(sid);
  r.set_name(name);
  for (const auto& s : inputs) r.add_inputs(s);
  for (const auto& s : outputs) r.add_outputs(s);
  for (const auto& [var, value] : updates) {
    v1::Update* u = r.add_updates();
    u->set_variable(var);
    u->set_value(value);
  }
  v1::FunctionInfo out;
  return e.stub->Function(Ctx(sid, e.token).get(), r, &out);
}

grpc::Status Release(Env& e, const std::string& sid, const std::string& fn) {
  v1::ReleaseFunctionRequest r;
  r.set_session_id(sid);
  r.set_function(fn);
  v1::Empty out;
  return e.stub->ReleaseFunction(Ctx(sid, e.token).get(), r, &out);
}

grpc::Status BatchGet(Env& e, const std::string& sid, std::vector<std::string> handles) {
  v1::BatchGetValueRequest r;
  r.set_session_id(sid);
  for (const auto& h : handles) r.add_handles(h);
  v1::BatchGetValueResponse out;
  return e.stub->BatchGetValue(Ctx(sid, e.token).get(), r, &out);
}

grpc::Status DownloadFrom(Env& e, const std::string& sid, const std::string& handle) {
  auto ctx = Ctx(sid, e.token);
  v1::DownloadTensorRequest r;
  r.set_session_id(sid);
  r.set_handle(handle);
  auto reader = e.stub->DownloadTensor(ctx.get(), r);
  v1::DownloadChunk chunk;
  while (reader->Read(&chunk)) {
  }
  return reader->Finish();
}

// A call whose only metadata is `authorization: <value>`.
grpc::Status GetSessionWithAuthorization(Env& e, const std::string& value) {
  auto ctx = Ctx(e.sid);
  ctx->AddMetadata("authorization", value);
  v1::SessionRequest r;
  r.set_session_id(e.sid);
  v1::SessionInfo out;
  return e.stub->GetSession(ctx.get(), r, &out);
}

// `n` float32 placeholders of shape (1,) named by `name(i)`, then `last`.
v1::BuildGraphRequest WideGraph(const std::string& sid, int n, v1::GraphNode last) {
  v1::BuildGraphRequest r;
  r.set_session_id(sid);
  r.mutable_nodes()->Reserve(n + 1);
  for (int i = 0; i < n; ++i) {
    v1::PlaceholderRequest* p = r.add_nodes()->mutable_placeholder();
    p->mutable_shape()->add_dims(1);
  }
  *r.add_nodes() = std::move(last);
  return r;
}

// c0 = add(first_input, x), c_i = add(c_{i-1}, x): a chain `depth` deep.
v1::BuildGraphRequest ChainGraph(const std::string& sid, int depth,
                                 const std::string& first_input) {
  v1::BuildGraphRequest r;
  r.set_session_id(sid);
  r.mutable_nodes()->Reserve(depth);
  for (int i = 0; i < depth; ++i) {
    *r.add_nodes() = GOp(absl::StrCat("c", i), "add",
                         {i == 0 ? first_input : absl::StrCat("c", i - 1), "x"});
  }
  return r;
}

std::string Unknown(const std::string& id) {
  return absl::StrCat("unknown session \"", id, "\"");
}

// ------------------------------------------------- the plain server's rows

// The failing session's fixture (plain server): every handle the rows name.
//   x (2,3)  xn (None,3)  xi int32 (2,)  v (2,3)=1..6  u (2,3)=0
//   xv = x + v  xhuge = tile(x, [2^40, 1])   f(x)->xv  f2(x, xn)->xv
//   fhuge(x)->xhuge
Rows PlainCatalogue() {
  Rows rows;
  auto add = [&](std::string name, std::function<grpc::Status(World&)> run, C code,
                 std::vector<std::string> subs) {
    rows.push_back({std::move(name), std::move(run), code, std::move(subs)});
  };
  const C kExhausted = C::RESOURCE_EXHAUSTED;

  // --- huge declared shapes: refused before anything is held ---
  add("float64 ones initializer of 2^42 elements",
      [](World& w) {
        return Variable(w.e, InitReq(w.e.sid, "h", v1::Initializer::ONES,
                                     {int64_t{1} << 21, int64_t{1} << 21}, v1::FLOAT64));
      },
      kExhausted, {"variable", "35184372088832 bytes"});
  add("int64 zeros initializer of rank 3 and 2^42 elements",
      [](World& w) {
        return Variable(w.e, InitReq(w.e.sid, "h", v1::Initializer::ZEROS,
                                     {1 << 14, 1 << 14, 1 << 14}, v1::INT64));
      },
      kExhausted, {"35184372088832 bytes"});
  add("eager one_hot with num_classes=2^40",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "one_hot", {I32({1}, {0})},
                                {{"num_classes", Int(kTiB4)}}));
      },
      kExhausted, {"4398046511104 bytes"});
  add("eager tile by n=[2^40]",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "tile", {F32({1}, {1})}, {{"n", Ints({kTiB4})}}));
      },
      kExhausted, {"4398046511104 bytes"});
  add("eager repeat by n=2^40",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "repeat", {F32({1, 1}, {1})}, {{"n", Int(kTiB4)}}));
      },
      kExhausted, {"4398046511104 bytes"});
  add("eager sum over the empty axis of a (0, 2^40) tensor",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "sum", {Raw(v1::FLOAT32, {0, kTiB4}, 0)},
                                {{"axis", Int(0)}}));
      },
      kExhausted, {"4398046511104 bytes"});
  add("graph tile of 4 TiB fails when called, naming the node",
      [](World& w) { return Call(w.e, w.e.sid, "fhuge", {F32({2, 3}, {1, 2, 3, 4, 5, 6})}); },
      kExhausted, {"function \"fhuge\", node \"xhuge\"", "26388279066624 bytes"});
  add("upload header declaring 4 TiB",
      [](World& w) {
        return Upload(w.e, {Header(w.e.sid, v1::UploadHeader::NEW_VARIABLE, "up",
                                   v1::FLOAT32, {kTiB4}),
                            Content(16)});
      },
      kExhausted, {"4398046511104 bytes"});
  add("upload header whose byte size overflows int64",
      [](World& w) {
        return Upload(w.e, {Header(w.e.sid, v1::UploadHeader::NEW_CONSTANT, "up",
                                   v1::FLOAT64, {int64_t{1} << 61})});
      },
      kExhausted, {"(2305843009213693952,)", "float64", "int64"});
  add("eager tile whose byte size overflows int64",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "tile", {F32({1}, {1})},
                                {{"n", Ints({int64_t{1} << 62})}}));
      },
      kExhausted, {"(4611686018427387904,)", "float32", "int64"});
  add("set_value declaring 2^40 elements with no content",
      [](World& w) { return SetValue(w.e, "v", Raw(v1::FLOAT32, {kTiB4, 1}, 0)); },
      kInvalid, {"value.content has 0 bytes but float32(1099511627776, 1) needs"});
  add("feed declaring 2^40 elements with no content",
      [](World& w) { return Call(w.e, w.e.sid, "f", {Raw(v1::FLOAT32, {kTiB4, 3}, 0)}); },
      kInvalid, {"feeds[0].content has 0 bytes", "float32(1099511627776, 3)"});
  add("request above max_message_bytes",
      [](World& w) {
        return Constant(w.e, ConstReq(w.e.sid, "big",
                                      F32Zeros({kPlainMaxMessageBytes / 4},
                                               kPlainMaxMessageBytes / 4)));
      },
      kExhausted, {"larger than max", "16777216"});

  // --- dims whose product overflows int64 ---
  add("initializer shape overflowing int64",
      [](World& w) {
        return Variable(w.e, InitReq(w.e.sid, "h", v1::Initializer::ZEROS,
                                     {int64_t{1} << 32, int64_t{1} << 32}));
      },
      kInvalid, {"initializer.shape [4294967296, 4294967296] has more elements than fit"});
  add("eager arg shape overflowing int64",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "abs", {Raw(v1::FLOAT32, {kMax, 2}, 0)}));
      },
      kInvalid, {"args[0].tensor.shape [9223372036854775807, 2] has more elements"});
  add("feed shape overflowing int64",
      [](World& w) {
        return Call(w.e, w.e.sid, "f", {Raw(v1::FLOAT32, {int64_t{1} << 62, 4}, 0)});
      },
      kInvalid, {"feeds[0].shape [4611686018427387904, 4] has more elements"});
  add("set_value shape overflowing int64",
      [](World& w) { return SetValue(w.e, "v", Raw(v1::FLOAT32, {3, kMax}, 0)); },
      kInvalid, {"value.shape [3, 9223372036854775807] has more elements"});
  add("reshape target overflowing int64",
      [](World& w) {
        return OpNode(w.e, OpWith(w.e.sid, "", "reshape", {"x"},
                                  {{"shape", Ints({kTiB4, kTiB4})}}));
      },
      kInvalid, {"reshape: shape=[1099511627776, 1099511627776] has more elements"});
  add("one_hot num_classes overflowing the output",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "one_hot", {I32({2}, {0, 1})},
                                {{"num_classes", Int(kMax)}}));
      },
      kInvalid, {"one_hot: output shape [2, 9223372036854775807] has more elements"});
  add("tile overflowing a dim",
      [](World& w) {
        return OpNode(w.e, OpWith(w.e.sid, "", "tile", {"x"}, {{"n", Ints({2, kMax})}}));
      },
      kInvalid, {"tile: dim 1 of size 3 times n[1]=9223372036854775807 overflows int64"});
  add("upload header overflowing int64",
      [](World& w) {
        return Upload(w.e, {Header(w.e.sid, v1::UploadHeader::NEW_VARIABLE, "up",
                                   v1::FLOAT32, {kTiB4, kTiB4})});
      },
      kInvalid, {"header.shape [1099511627776, 1099511627776] has more elements"});
  add("placeholder with an unknown dim and an overflowing rest",
      [](World& w) {
        return Placeholder(w.e, PlaceholderReq(w.e.sid, "p", {-1, kTiB4, kTiB4}));
      },
      kInvalid, {"shape [-1, 1099511627776, 1099511627776] has more elements"});
  add("whole-graph placeholder overflowing int64",
      [](World& w) {
        return BuildGraph(w.e, Graph(w.e.sid, {GPlaceholder("p", {kMax, kMax})}));
      },
      kInvalid, {"nodes[0] (\"p\")", "has more elements than fit in int64"});

  // --- negative, -1 and out-of-range dims and ranks ---
  add("tile with a negative n",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "tile", {F32({1}, {1})}, {{"n", Ints({-1})}}));
      },
      kInvalid, {"tile: n[0]=-1 is negative"});
  add("repeat with a negative n",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "repeat", {F32({1, 1}, {1})}, {{"n", Int(-3)}}));
      },
      kInvalid, {"repeat: n=-3 is negative"});
  add("one_hot with num_classes=-1",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "one_hot", {I32({1}, {0})},
                                {{"num_classes", Int(-1)}}));
      },
      kInvalid, {"one_hot: num_classes=-1 is negative"});
  add("reshape with a dim below -1",
      [](World& w) {
        return OpNode(w.e, OpWith(w.e.sid, "", "reshape", {"x"}, {{"shape", Ints({-2, -3})}}));
      },
      kInvalid, {"reshape: shape[0]=-2 is negative (only -1"});
  add("slice with a negative start",
      [](World& w) {
        return OpNode(w.e, OpWith(w.e.sid, "", "slice", {"x"},
                                  {{"start", Ints({-1, 0})}, {"size", Ints({1, 1})}}));
      },
      kInvalid, {"slice: start[0]=-1 is negative"});
  add("slice with size=-2",
      [](World& w) {
        return OpNode(w.e, OpWith(w.e.sid, "", "slice", {"x"},
                                  {{"start", Ints({0, 0})}, {"size", Ints({1, -2})}}));
      },
      kInvalid, {"slice: size[1]=-2 is invalid"});
  add("feed with a -1 dim",
      [](World& w) { return Call(w.e, w.e.sid, "f", {Raw(v1::FLOAT32, {2, -1}, 0)}); },
      kInvalid, {"feeds[0].shape[1]=-1 is negative"});
  add("set_value with a negative dim",
      [](World& w) { return SetValue(w.e, "v", Raw(v1::FLOAT32, {-2, 3}, 0)); },
      kInvalid, {"value.shape[0]=-2 is negative"});
  add("eager arg with a -1 dim",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "abs", {Raw(v1::FLOAT32, {-1}, 4)}));
      },
      kInvalid, {"args[0].tensor.shape[0]=-1 is negative"});
  add("placeholder with ndim=33",
      [](World& w) {
        v1::PlaceholderRequest r;
        r.set_session_id(w.e.sid);
        r.set_ndim(33);
        return Placeholder(w.e, r);
      },
      kInvalid, {"ndim=33 must be in [0, 32]"});
  add("placeholder of rank 33",
      [](World& w) {
        return Placeholder(w.e, PlaceholderReq(w.e.sid, "p", std::vector<int64_t>(33, 1)));
      },
      kInvalid, {"shape has rank 33, above the limit of 32"});
  add("constant of rank 33",
      [](World& w) { return Constant(w.e, ConstReq(w.e.sid, "c", Ones(33))); },
      kInvalid, {"value.shape has rank 33, above the limit of 32"});
  add("reshape to rank 33",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "reshape", {Ones(1)},
                                {{"shape", Ints(std::vector<int64_t>(33, 1))}}));
      },
      kInvalid, {"reshape: shape=[1, 1", "has rank above the limit of 32"});
  add("expand_dims past rank 32",
      [](World& w) { return RunOp(w.e, Eager(w.e.sid, "expand_dims", {Ones(32)})); },
      kInvalid, {"expand_dims: output shape has rank 33, above the limit of 32"});

  // --- contents shorter or longer than the shape ---
  add("set_value content too short",
      [](World& w) { return SetValue(w.e, "v", Raw(v1::FLOAT32, {2, 3}, 20)); },
      kInvalid, {"value.content has 20 bytes but float32(2, 3) needs 6 x 4 bytes"});
  add("set_value content too long",
      [](World& w) { return SetValue(w.e, "v", Raw(v1::FLOAT32, {2, 3}, 28)); },
      kInvalid, {"value.content has 28 bytes but float32(2, 3) needs 6 x 4 bytes"});
  add("feed content too short",
      [](World& w) { return Call(w.e, w.e.sid, "f", {Raw(v1::FLOAT32, {2, 3}, 23)}); },
      kInvalid, {"feeds[0].content has 23 bytes but float32(2, 3) needs 6 x 4 bytes"});
  add("feed content too long",
      [](World& w) { return Call(w.e, w.e.sid, "f", {Raw(v1::FLOAT32, {2, 3}, 48)}); },
      kInvalid, {"feeds[0].content has 48 bytes"});
  add("eager arg content too long",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "add", {F32({2}, {1, 2}), Raw(v1::FLOAT64, {2}, 17)}));
      },
      kInvalid, {"args[1].tensor.content has 17 bytes but float64(2,) needs 2 x 8 bytes"});
  add("scalar with an empty content",
      [](World& w) { return Constant(w.e, ConstReq(w.e.sid, "c", Raw(v1::INT64, {}, 0))); },
      kInvalid, {"value.content has 0 bytes but int64() needs 1 x 8 bytes"});
  add("whole-graph constant content too long",
      [](World& w) {
        v1::GraphNode n;
        *n.mutable_constant() = ConstReq("", "c", Raw(v1::INT32, {2}, 9));
        return BuildGraph(w.e, Graph(w.e.sid, {GPlaceholder("p", {2}), n}));
      },
      kInvalid, {"nodes[1]: value.content has 9 bytes but int32(2,) needs 2 x 4 bytes"});
  add("upload with no content at all",
      [](World& w) {
        return Upload(w.e, {Header(w.e.sid, v1::UploadHeader::NEW_VARIABLE, "up",
                                   v1::FLOAT32, {4})});
      },
      kInvalid, {"received 0 of the 16 bytes"});
  add("upload set_value with too few bytes",
      [](World& w) {
        return Upload(w.e, {Header(w.e.sid, v1::UploadHeader::SET_VALUE, "v",
                                   v1::FLOAT32, {2, 3}),
                            Content(20)});
      },
      kInvalid, {"received 20 of the 24 bytes"});

  // --- deep and wide graphs: refused without a crash, nothing kept ---
  add("100k-node graph failing at its last node",
      [](World& w) {
        return BuildGraph(w.e, WideGraph(w.e.sid, 99999, GOp("bad", "frobnicate", {"x"})));
      },
      kNotFound, {"nodes[99999] (\"bad\")", "unknown op \"frobnicate\""});
  add("100k-node graph whose last node reads a ghost",
      [](World& w) {
        return BuildGraph(w.e, WideGraph(w.e.sid, 99999, GOp("bad", "add", {"x", "ghost"})));
      },
      kNotFound, {"nodes[99999] (\"bad\")", "unknown handle \"ghost\""});
  add("10k-deep chain closed into a cycle",
      [](World& w) { return BuildGraph(w.e, ChainGraph(w.e.sid, 10000, "c9999")); },
      kInvalid, {"is part of a cycle"});
  add("10k-deep chain failing at its deepest node",
      [](World& w) {
        v1::BuildGraphRequest r = ChainGraph(w.e.sid, 10000, "x");
        *r.add_nodes() = GOp("deepest", "dot", {"c9999", "c9999"});
        return BuildGraph(w.e, r);
      },
      kInvalid, {"nodes[10000] (\"deepest\")", "dot: cannot contract"});

  // --- cycles, self-references and forward references ---
  add("whole-graph self-reference",
      [](World& w) { return BuildGraph(w.e, Graph(w.e.sid, {GOp("me", "add", {"me", "x"})})); },
      kInvalid, {"nodes[0] (\"me\") is part of a cycle"});
  add("whole-graph three-node cycle after valid nodes",
      [](World& w) {
        return BuildGraph(w.e, Graph(w.e.sid, {GPlaceholder("p", {2, 3}),
                                               GOp("a", "add", {"c", "p"}),
                                               GOp("b", "add", {"a", "p"}),
                                               GOp("c", "add", {"b", "p"})}));
      },
      kInvalid, {"nodes[1] (\"a\") is part of a cycle"});
  add("op node naming itself as input",
      [](World& w) { return OpNode(w.e, OpReq(w.e.sid, "selfie", "add", {"selfie", "x"})); },
      kNotFound, {"add: inputs[0]", "unknown handle \"selfie\""});
  add("forward reference to a node of the wrong shape",
      [](World& w) {
        return BuildGraph(w.e, Graph(w.e.sid, {GOp("early", "add", {"late", "x"}),
                                               GPlaceholder("late", {4, 5})}));
      },
      kInvalid, {"nodes[0] (\"early\")", "add: cannot broadcast", "(4, 5)"});

  // --- unknown enum values ---
  add("variable dtype override 999",
      [](World& w) {
        v1::VariableRequest r = VarReq(w.e.sid, "h", F32({1}, {1}));
        r.set_dtype(static_cast<v1::DType>(999));
        return Variable(w.e, r);
      },
      kInvalid, {"dtype=999 is not a known dtype"});
  add("constant dtype override -1",
      [](World& w) {
        v1::ConstantRequest r = ConstReq(w.e.sid, "h", F32({1}, {1}));
        r.set_dtype(static_cast<v1::DType>(-1));
        return Constant(w.e, r);
      },
      kInvalid, {"dtype=-1 is not a known dtype"});
  add("set_value with dtype 999",
      [](World& w) { return SetValue(w.e, "v", Raw(999, {2, 3}, 24)); },
      kInvalid, {"value.dtype=999 is not a known dtype"});
  add("eager arg with dtype 999",
      [](World& w) { return RunOp(w.e, Eager(w.e.sid, "abs", {Raw(999, {1}, 4)})); },
      kInvalid, {"args[0].tensor.dtype=999 is not a known dtype"});
  add("upload header with dtype 999",
      [](World& w) {
        return Upload(w.e, {Header(w.e.sid, v1::UploadHeader::NEW_VARIABLE, "up", 999, {1}),
                            Content(4)});
      },
      kInvalid, {"header.dtype=999 is not a known dtype"});
  add("upload target 99",
      [](World& w) {
        return Upload(w.e, {Header(w.e.sid, static_cast<v1::UploadHeader::Target>(99), "up",
                                   v1::FLOAT32, {1}),
                            Content(4)});
      },
      kInvalid, {"header.target=99 must be NEW_VARIABLE, NEW_CONSTANT or SET_VALUE"});
  add("initializer kind -5",
      [](World& w) {
        v1::VariableRequest r = InitReq(w.e.sid, "h", v1::Initializer::ZEROS, {2});
        r.mutable_initializer()->set_kind(static_cast<v1::Initializer::Kind>(-5));
        return Variable(w.e, r);
      },
      kInvalid, {"initializer.kind=-5 is not a known initializer"});
  add("floatx bool",
      [](World& w) {
        v1::CreateSessionRequest r;
        r.set_floatx(v1::BOOL);
        return CreateSession(w.e, r);
      },
      kInvalid, {"floatx=\"bool\"", "float16, float32 or float64"});
  add("floatx 999",
      [](World& w) {
        v1::CreateSessionRequest r;
        r.set_floatx(static_cast<v1::DType>(999));
        return CreateSession(w.e, r);
      },
      kInvalid, {"floatx=999 is not a known dtype"});
  add("image_data_format in capitals",
      [](World& w) {
        v1::CreateSessionRequest r;
        r.set_image_data_format("CHANNELS_LAST");
        return CreateSession(w.e, r);
      },
      kInvalid, {"image_data_format=\"CHANNELS_LAST\" must be"});
  add("image_data_format in unicode",
      [](World& w) {
        v1::CreateSessionRequest r;
        r.set_image_data_format("channels_l\xc3\xa1st");
        return CreateSession(w.e, r);
      },
      kInvalid, {"image_data_format=\"channels_l", "must be \"channels_last\" or"});
  add("infinite epsilon",
      [](World& w) {
        v1::CreateSessionRequest r;
        r.set_epsilon(std::numeric_limits<double>::infinity());
        return CreateSession(w.e, r);
      },
      kInvalid, {"epsilon=inf must be a finite number > 0"});
  add("cast to an unknown dtype name",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "cast", {F32({1}, {1})}, {{"dtype", Str("float128")}}));
      },
      kInvalid, {"cast: ", "float128"});

  // --- unicode and empty names ---
  add("unknown unicode handle",
      [](World& w) { return GetValue(w.e, w.e.sid, "\xe5\x8f\x98\xe9\x87\x8f"); },
      kNotFound, {"unknown handle \"\xe5\x8f\x98\xe9\x87\x8f\""});
  add("empty handle (GetValue)",
      [](World& w) { return GetValue(w.e, w.e.sid, ""); }, kInvalid,
      {"handle is required"});
  add("empty input handle (OpNode)",
      [](World& w) { return OpNode(w.e, OpReq(w.e.sid, "", "add", {"x", ""})); }, kInvalid,
      {"add: inputs[1]", "handle is required"});
  add("empty function output",
      [](World& w) { return FunctionIn(w.e, w.e.sid, "", {"x"}, {""}); }, kInvalid,
      {"handle is required"});
  add("unknown unicode op",
      [](World& w) { return OpNode(w.e, OpReq(w.e.sid, "", "\xc3\xa1" "dd", {"x", "v"})); },
      kNotFound, {"unknown op \"\xc3\xa1" "dd\""});
  add("empty op name (RunOp)",
      [](World& w) { return RunOp(w.e, Eager(w.e.sid, "", {F32({1}, {1})})); }, kInvalid,
      {"op is required"});
  add("op name in capitals",
      [](World& w) { return RunOp(w.e, Eager(w.e.sid, "ADD", {F32({1}, {1}), F32({1}, {1})})); },
      kNotFound, {"unknown op \"ADD\""});
  add("unicode session id",
      [](World& w) { return SessionRpc(w.e, "\xe4\xbc\x9a\xe8\xaf\x9d"); }, kNotFound,
      {"unknown session \"\xe4\xbc\x9a\xe8\xaf\x9d\""});
  add("session id of 100000 characters",
      [](World& w) { return SessionRpc(w.e, std::string(100000, 'a')); }, kNotFound,
      {"unknown session \"aaaaaaaa", "aaaa... [truncated: 100018 bytes in all]"});
  add("session id in capital hex",
      [](World& w) { return SessionRpc(w.e, "0123456789ABCDEF0123456789ABCDEF"); }, kNotFound,
      {"unknown session \"0123456789ABCDEF0123456789ABCDEF\""});
  add("session id with a newline",
      [](World& w) { return SessionRpc(w.e, "0123\nabcd"); }, kNotFound,
      {"unknown session \"0123\nabcd\""});
  add("handle of 100000 characters",
      [](World& w) { return GetValue(w.e, w.e.sid, std::string(100000, 'h')); }, kNotFound,
      {"unknown handle \"hhhhhhhh", "hhhh... [truncated: 100017 bytes in all]"});
  add("op name of 100000 characters",
      [](World& w) { return RunOp(w.e, Eager(w.e.sid, std::string(100000, 'o'), {})); },
      kNotFound, {"unknown op \"oooooooo", "[truncated: "});
  add("attr name of 100000 characters",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "abs", {F32({1}, {1})},
                                {{std::string(100000, 'k'), Int(1)}}));
      },
      kInvalid, {"abs: unknown attribute(s) kkkkkkkk", "[truncated: "});
  add("unicode backend name",
      [](World& w) {
        v1::CreateSessionRequest r;
        r.set_backend("\xc3\xabigen");
        return CreateSession(w.e, r);
      },
      kNotFound, {"unknown backend \"\xc3\xabigen\""});
  add("client-proposed session id in capital hex",
      [](World& w) {
        v1::CreateSessionRequest r;
        r.set_session_id("0123456789ABCDEF0123456789ABCDEF");
        return CreateSession(w.e, r);
      },
      kInvalid, {"session_id=\"0123456789ABCDEF0123456789ABCDEF\" must be 32 lowercase hex"});
  add("empty function name (Call)",
      [](World& w) { return Call(w.e, w.e.sid, "", {}); }, kInvalid,
      {"function is required"});

  // --- repeated handles ---
  add("same placeholder twice among three inputs",
      [](World& w) { return FunctionIn(w.e, w.e.sid, "", {"x", "xn", "x"}, {"xv"}); },
      kInvalid, {"inputs[2]=\"x\" is repeated"});
  add("same variable updated first and third",
      [](World& w) {
        return FunctionIn(w.e, w.e.sid, "", {"x"}, {},
                          {{"v", "xv"}, {"u", "xv"}, {"v", "xv"}});
      },
      kInvalid, {"updates[2] updates variable \"v\" twice"});
  add("whole graph repeating a variable's name in an op",
      [](World& w) {
        return BuildGraph(w.e, Graph(w.e.sid, {GVariable("w", F32({1}, {1})),
                                               GOp("w", "abs", {"x"})}));
      },
      kInvalid, {"nodes[1].name=\"w\" is repeated"});
  add("feeds for two inputs given three times",
      [](World& w) {
        const v1::Tensor t = F32({2, 3}, {1, 2, 3, 4, 5, 6});
        return Call(w.e, w.e.sid, "f2", {t, t, t});
      },
      kInvalid, {"function \"f2\"", "expects 2 feed(s), got 3"});

  // --- wrong-typed and missing attrs, arity ---
  add("one_hot num_classes as a string",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "one_hot", {I32({1}, {0})},
                                {{"num_classes", Str("ten")}}));
      },
      kInvalid, {"one_hot: num_classes must be an int, got \"ten\""});
  add("one_hot num_classes as a float",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "one_hot", {I32({1}, {0})},
                                {{"num_classes", Float(3.5)}}));
      },
      kInvalid, {"one_hot: num_classes must be an int, got 3.5"});
  add("one_hot without num_classes",
      [](World& w) { return RunOp(w.e, Eager(w.e.sid, "one_hot", {I32({1}, {0})})); },
      kInvalid, {"one_hot: attribute num_classes is required"});
  add("tile n as a bool",
      [](World& w) {
        return OpNode(w.e, OpWith(w.e.sid, "", "tile", {"x"}, {{"n", Bool(true)}}));
      },
      kInvalid, {"tile: n must be an int or a list of ints, got True"});
  add("squeeze without axis",
      [](World& w) { return OpNode(w.e, OpReq(w.e.sid, "", "squeeze", {"x"})); }, kInvalid,
      {"squeeze: attribute axis is required"});
  add("slice without size",
      [](World& w) {
        return OpNode(w.e, OpWith(w.e.sid, "", "slice", {"x"}, {{"start", Ints({0, 0})}}));
      },
      kInvalid, {"slice: attribute size is required"});
  add("cast without dtype",
      [](World& w) { return RunOp(w.e, Eager(w.e.sid, "cast", {F32({1}, {1})})); }, kInvalid,
      {"cast: attribute dtype is required"});
  add("transpose with two inputs",
      [](World& w) { return OpNode(w.e, OpReq(w.e.sid, "", "transpose", {"x", "v"})); },
      kInvalid, {"transpose: takes 1 input(s), got 2"});
  add("dot with three inputs",
      [](World& w) { return OpNode(w.e, OpReq(w.e.sid, "", "dot", {"x", "v", "v"})); },
      kInvalid, {"dot: takes 2 input(s), got 3"});
  add("eager add without args",
      [](World& w) { return RunOp(w.e, Eager(w.e.sid, "add", {})); }, kInvalid,
      {"add: takes 2 input(s), got 0"});
  add("unknown attr on an eager op",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "abs", {F32({1}, {1})}, {{"alpha", Float(1)}}));
      },
      kInvalid, {"abs: unknown attribute(s) alpha"});

  // --- functions ---
  add("feed of rank 3 for a rank-2 placeholder",
      [](World& w) {
        return Call(w.e, w.e.sid, "f", {F32({2, 3, 1}, {1, 2, 3, 4, 5, 6})});
      },
      kInvalid, {"feed 0 for placeholder \"x\"", "float32(2, 3, 1)", "expected float32(2, 3)"});
  add("feed of the wrong width for a (None, 3) placeholder",
      [](World& w) {
        const v1::Tensor t = F32({2, 3}, {1, 2, 3, 4, 5, 6});
        return Call(w.e, w.e.sid, "f2", {t, F32({3, 2}, {1, 2, 3, 4, 5, 6})});
      },
      kInvalid, {"feed 1 for placeholder \"xn\"", "expected float32(None, 3)"});
  add("float64 feed for a float32 placeholder",
      [](World& w) { return Call(w.e, w.e.sid, "f", {Raw(v1::FLOAT64, {2, 3}, 48)}); },
      kInvalid, {"feed 0 for placeholder \"x\" is float64(2, 3)", "expected float32(2, 3)"});
  add("release of an unknown unicode function",
      [](World& w) { return Release(w.e, w.e.sid, "\xc6\x92"); }, kNotFound,
      {"unknown function \"\xc6\x92\""});
  add("release of a function twice",
      [](World& w) {
        grpc::Status made = FunctionIn(w.e, w.e.sid, "once", {"x"}, {"xv"});
        if (!made.ok()) return made;
        grpc::Status first = Release(w.e, w.e.sid, "once");
        if (!first.ok()) return first;
        return Release(w.e, w.e.sid, "once");
      },
      kNotFound, {"unknown function \"once\""});
  add("empty function name (ReleaseFunction)",
      [](World& w) { return Release(w.e, w.e.sid, ""); }, kInvalid,
      {"function is required"});

  // --- streams ---
  add("upload chunk after the tensor is complete",
      [](World& w) {
        return Upload(w.e, {Header(w.e.sid, v1::UploadHeader::NEW_VARIABLE, "up",
                                   v1::FLOAT32, {4}),
                            Content(16), Content(1)});
      },
      kInvalid, {"chunks carry more than the 16 bytes float32(4,) needs"});
  add("upload header after the tensor is complete",
      [](World& w) {
        auto h = Header(w.e.sid, v1::UploadHeader::NEW_CONSTANT, "up", v1::FLOAT32, {1});
        return Upload(w.e, {h, Content(4), h});
      },
      kInvalid, {"a second header arrived"});
  add("upload set_value of an unknown variable",
      [](World& w) {
        return Upload(w.e, {Header(w.e.sid, v1::UploadHeader::SET_VALUE, "ghost",
                                   v1::FLOAT32, {2}),
                            Content(8)});
      },
      kNotFound, {"unknown handle \"ghost\""});
  add("upload set_value of the wrong shape",
      [](World& w) {
        return Upload(w.e, {Header(w.e.sid, v1::UploadHeader::SET_VALUE, "v",
                                   v1::FLOAT32, {3, 2}),
                            Content(24)});
      },
      kInvalid, {"set_value: value shape (3, 2) does not match variable \"v\""});
  add("upload header without a session id",
      [](World& w) {
        return Upload(w.e, {Header("", v1::UploadHeader::NEW_VARIABLE, "up", v1::FLOAT32, {1}),
                            Content(4)});
      },
      kInvalid, {"session_id is required"});
  add("download of an op node",
      [](World& w) { return DownloadFrom(w.e, w.e.sid, "xv"); }, C::FAILED_PRECONDITION,
      {"\"xv\" is an op node and holds no value"});
  add("download with an empty handle",
      [](World& w) { return DownloadFrom(w.e, w.e.sid, ""); }, kInvalid,
      {"handle is required"});
  add("download from an unknown session",
      [](World& w) { return DownloadFrom(w.e, kGhostSession, "v"); }, kNotFound,
      {Unknown(kGhostSession)});

  // --- other sessions of the same tenant ---
  add("call of a function that lives in another session",
      [](World& w) { return Call(w.e, w.other_sid, "f", {F32({2, 3}, {1, 2, 3, 4, 5, 6})}); },
      kNotFound, {"unknown function \"f\""});
  add("batch_get_value naming a handle of another session",
      [](World& w) { return BatchGet(w.e, w.e.sid, {"v", "w"}); }, kNotFound,
      {"handles[1]", "unknown handle \"w\""});
  return rows;
}

// ----------------------------------------------- the limited server's rows

// Alice's failing session: p (2,3), w (2,3), pw = p + w, pt = tile(p, [10^5, 1])
// and functions fa(p)->pw, fbig(p)->pt. Bob's session id is w.other_sid.
Rows LimitedCatalogue(const std::string& alice_sid, const std::string& bob_sid) {
  Rows rows;
  auto add = [&](std::string name, std::function<grpc::Status(World&)> run, C code,
                 std::vector<std::string> subs) {
    rows.push_back({std::move(name), std::move(run), code, std::move(subs)});
  };
  // Another tenant's session must read exactly like an unknown one.
  auto other = [&](std::string rpc, std::function<grpc::Status(World&)> run) {
    rows.push_back({"another tenant's session id (" + rpc + ")", std::move(run),
                    kNotFound, {Unknown(bob_sid)}, /*exact=*/true});
  };
  const C kExhausted = C::RESOURCE_EXHAUSTED;
  const std::string quota = absl::StrCat("memory quota of session ", alice_sid, " exceeded");

  other("Variable", [](World& w) {
    return Variable(w.e, InitReq(w.other_sid, "h", v1::Initializer::ZEROS, {2}));
  });
  other("Constant",
        [](World& w) { return Constant(w.e, ConstReq(w.other_sid, "h", F32({1}, {1}))); });
  other("OpNode", [](World& w) { return OpNode(w.e, OpReq(w.other_sid, "", "abs", {"bw"})); });
  other("BuildGraph", [](World& w) {
    return BuildGraph(w.e, Graph(w.other_sid, {GPlaceholder("p", {1})}));
  });
  other("GetValue", [](World& w) { return GetValue(w.e, w.other_sid, "bw"); });
  other("BatchGetValue", [](World& w) { return BatchGet(w.e, w.other_sid, {"bw"}); });
  other("SetValue", [](World& w) {
    return SetValueIn(w.e, w.other_sid, "bw", F32({3}, {0, 0, 0}));
  });
  other("Function", [](World& w) { return FunctionIn(w.e, w.other_sid, "", {}, {"bw"}); });
  other("Call", [](World& w) { return Call(w.e, w.other_sid, "fb", {}); });
  other("ReleaseFunction", [](World& w) { return Release(w.e, w.other_sid, "fb"); });
  other("RunOp", [](World& w) {
    v1::RunOpRequest r = RunOpReq(w.other_sid, "abs", {});
    r.add_args()->set_handle("bw");
    return RunOp(w.e, r);
  });
  other("UploadTensor", [](World& w) {
    return Upload(w.e, {Header(w.other_sid, v1::UploadHeader::SET_VALUE, "bw",
                               v1::FLOAT32, {3}),
                        Content(12)});
  });
  other("DownloadTensor", [](World& w) { return DownloadFrom(w.e, w.other_sid, "bw"); });

  // --- bad metadata ---
  add("bearer scheme with an empty token",
      [](World& w) { return GetSessionWithAuthorization(w.e, "Bearer "); },
      C::UNAUTHENTICATED, {"invalid bearer token"});
  add("bearer scheme without a space",
      [](World& w) { return GetSessionWithAuthorization(w.e, "Bearer"); },
      C::UNAUTHENTICATED, {"authorization metadata must be \"Bearer <token>\""});
  add("a valid token with a suffix",
      [](World& w) {
        return GetSessionWithAuthorization(w.e, absl::StrCat("Bearer ", kAlice, "x"));
      },
      C::UNAUTHENTICATED, {"invalid bearer token"});

  // --- quotas: named limit and requested amount, nothing kept ---
  add("100k-node graph above max_graph_nodes",
      [](World& w) {
        return BuildGraph(w.e, WideGraph(w.e.sid, 99999, GPlaceholder("last", {1})));
      },
      kExhausted,
      {"the request has 100000 nodes, above the limit of 64 nodes per request"});
  add("graph that would take the session past max_graph_nodes",
      [](World& w) {
        return BuildGraph(w.e, WideGraph(w.e.sid, 60, GPlaceholder("last", {1})));
      },
      kExhausted,
      {"graph node quota of session", "limit 64 nodes (max_graph_nodes), held 4, requested 61"});
  add("eager one_hot above the session memory quota",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "one_hot", {I32({1}, {0})},
                                {{"num_classes", Int(300000)}}));
      },
      kExhausted, {quota, "limit 1048576 bytes", "requested 1200000"});
  add("eager one_hot of 4 TiB under the session memory quota",
      [](World& w) {
        return RunOp(w.e, Eager(w.e.sid, "one_hot", {I32({1}, {0})},
                                {{"num_classes", Int(kTiB4)}}));
      },
      kExhausted, {quota, "requested 4398046511104"});
  add("function output above the session memory quota",
      [](World& w) { return Call(w.e, w.e.sid, "fbig", {F32({2, 3}, {1, 2, 3, 4, 5, 6})}); },
      kExhausted, {"function \"fbig\", node \"pt\"", quota, "requested 2400000"});
  add("whole graph of constants adding up past the memory quota",
      [](World& w) {
        std::vector<v1::GraphNode> nodes;
        for (int i = 0; i < 40; ++i) {
          v1::GraphNode n;
          *n.mutable_constant() =
              ConstReq("", absl::StrCat("k", i), Raw(v1::FLOAT64, {4096}, 4096 * 8));
          nodes.push_back(std::move(n));
        }
        return BuildGraph(w.e, Graph(w.e.sid, std::move(nodes)));
      },
      kExhausted, {"nodes[31]", quota, "requested 32768"});
  add("feed above max_tensor_elements",
      [](World& w) { return Call(w.e, w.e.sid, "fa", {F32Zeros({5000}, 5000)}); },
      kExhausted, {"feeds[0].shape has 5000 elements, above the limit of max_tensor_elements=4096"});
  add("set_value above max_tensor_elements",
      [](World& w) { return SetValue(w.e, "w", F32Zeros({4097}, 4097)); }, kExhausted,
      {"value.shape has 4097 elements, above the limit of max_tensor_elements=4096"});
  add("inline variable value above max_tensor_elements",
      [](World& w) { return Variable(w.e, VarReq(w.e.sid, "h", F32Zeros({64, 65}, 64 * 65))); },
      kExhausted, {"value.shape has 4160 elements, above the limit of max_tensor_elements=4096"});
  add("initializer overflowing int64 under max_tensor_elements",
      [](World& w) {
        return Variable(w.e, InitReq(w.e.sid, "h", v1::Initializer::ONES, {kMax, kMax}));
      },
      kInvalid, {"initializer.shape [9223372036854775807, 9223372036854775807] has more"});
  return rows;
}

// ---------------------------------------------------------------- fixture

class HostileRequestsTest : public ::testing::Test {
 protected:
  static std::string NewSession(Stub* stub, const std::string& token = "") {
    v1::CreateSessionRequest r;
    v1::SessionInfo info;
    grpc::Status s = stub->CreateSession(Ctx("", token).get(), r, &info);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return info.session_id();
  }

  static v1::SessionStats Stats(Stub* stub, const std::string& sid,
                                const std::string& token = "") {
    v1::SessionRequest r;
    r.set_session_id(sid);
    v1::SessionInfo info;
    grpc::Status s = stub->GetSession(Ctx(sid, token).get(), r, &info);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return info.stats();
  }

  static void Ok(const grpc::Status& s) {
    ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  }

  // Runs every row, checking the code and message and that the server lives;
  // every 16 rows and at the end the failing session holds exactly what it
  // held before.
  static void RunPass(const Rows& rows, ServerProcess& server, World& w,
                      const v1::SessionStats& before) {
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& row = rows[i];
      SCOPED_TRACE(row.name);
      const grpc::Status status = row.run(w);
      ExpectAnswer(row.name, row.code, row.substrings, status);
      if (row.exact) EXPECT_EQ(status.error_message(), row.substrings[0]) << row.name;
      ASSERT_TRUE(server.IsRunning()) << "the server died on: " << row.name;
      if (i % 16 == 15 || i + 1 == rows.size()) {  // nothing half-built, so far
        const v1::SessionStats now = Stats(w.e.stub, w.e.sid, w.e.token);
        EXPECT_EQ(now.bytes_held(), before.bytes_held()) << "after " << row.name;
        EXPECT_EQ(now.nodes(), before.nodes()) << "after " << row.name;
      }
    }
  }

  // Two passes over the rows; then the failing session holds what it held
  // before, the sibling's variable reads back exactly, and resident memory
  // did not grow over the second pass (no leak) nor past a sane bound
  // overall (the first pass raises the allocator's high-water mark: a
  // 100k-node graph takes ~70 MB while it is built).
  static void RunRows(const Rows& rows, ServerProcess& server, World& w,
                      const std::string& sibling, const std::string& sibling_token,
                      const std::string& sibling_var, const v1::Tensor& sibling_value) {
    const v1::SessionStats before = Stats(w.e.stub, w.e.sid, w.e.token);
    const v1::SessionStats sibling_before = Stats(w.e.stub, sibling, sibling_token);
    const int64_t rss_start = server.ResidentBytes();
    ASSERT_GT(rss_start, 0);
    ASSERT_NO_FATAL_FAILURE(RunPass(rows, server, w, before));
    const int64_t rss_warm = server.ResidentBytes();
    ASSERT_NO_FATAL_FAILURE(RunPass(rows, server, w, before));
    const int64_t rss_end = server.ResidentBytes();

    const v1::SessionStats after = Stats(w.e.stub, w.e.sid, w.e.token);
    EXPECT_EQ(after.bytes_held(), before.bytes_held());
    EXPECT_EQ(after.nodes(), before.nodes());
    EXPECT_EQ(after.variables(), before.variables());
    EXPECT_EQ(after.functions(), before.functions());

    v1::GetValueRequest get;
    get.set_session_id(sibling);
    get.set_handle(sibling_var);
    v1::Tensor value;
    Ok(w.e.stub->GetValue(Ctx(sibling, sibling_token).get(), get, &value));
    EXPECT_EQ(value.dtype(), sibling_value.dtype());
    EXPECT_THAT(value.shape(), ::testing::ElementsAreArray(sibling_value.shape()));
    EXPECT_EQ(value.content(), sibling_value.content());
    const v1::SessionStats sibling_after = Stats(w.e.stub, sibling, sibling_token);
    EXPECT_EQ(sibling_after.bytes_held(), sibling_before.bytes_held());
    EXPECT_EQ(sibling_after.nodes(), sibling_before.nodes());

    if (kUnderSanitizer) return;  // ASan's quarantine holds freed memory
    EXPECT_LT(rss_end - rss_warm, int64_t{64} << 20)
        << "resident memory grew from " << rss_warm << " to " << rss_end
        << " over the second pass";
    EXPECT_LT(rss_end - rss_start, int64_t{256} << 20)
        << "resident memory grew from " << rss_start << " to " << rss_end;
    EXPECT_TRUE(server.IsRunning());
  }
};

TEST(HostileRequestCatalogue, HasAtLeastEightyDistinctRows) {
  const Rows plain = PlainCatalogue();
  const Rows limited = LimitedCatalogue("a", "b");
  EXPECT_GE(plain.size() + limited.size(), 80u);
  absl::flat_hash_set<std::string> names;
  for (const Rows* rows : {&plain, &limited}) {
    for (const Row& row : *rows) {
      EXPECT_TRUE(names.insert(row.name).second) << "repeated row name: " << row.name;
      EXPECT_FALSE(row.substrings.empty()) << row.name;
      EXPECT_NE(row.code, grpc::StatusCode::OK) << row.name;
    }
  }
}

TEST_F(HostileRequestsTest, PlainServerAnswersEveryHostileRequestAndHarmsNothing) {
  auto started = ServerProcess::Start(
      {"--threads=2", absl::StrCat("--max_message_bytes=", kPlainMaxMessageBytes)});
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<ServerProcess> server = *std::move(started);
  std::unique_ptr<Stub> stub = v1::RemoteK::NewStub(server->Channel());

  const std::string sibling = NewSession(stub.get());
  Env se{stub.get(), sibling, ""};
  const v1::Tensor w0 = F32({3}, {1.5f, -2.5f, 3.25f});
  ASSERT_NO_FATAL_FAILURE(Ok(Variable(se, VarReq(sibling, "w", w0))));

  const std::string sid = NewSession(stub.get());
  Env e{stub.get(), sid, ""};
  ASSERT_NO_FATAL_FAILURE(Ok(Placeholder(e, PlaceholderReq(sid, "x", {2, 3}))));
  ASSERT_NO_FATAL_FAILURE(Ok(Placeholder(e, PlaceholderReq(sid, "xn", {-1, 3}))));
  ASSERT_NO_FATAL_FAILURE(Ok(Placeholder(e, PlaceholderReq(sid, "xi", {2}, v1::INT32))));
  ASSERT_NO_FATAL_FAILURE(Ok(Variable(e, VarReq(sid, "v", F32({2, 3}, {1, 2, 3, 4, 5, 6})))));
  ASSERT_NO_FATAL_FAILURE(Ok(Variable(e, VarReq(sid, "u", F32Zeros({2, 3}, 6)))));
  ASSERT_NO_FATAL_FAILURE(Ok(OpNode(e, OpReq(sid, "xv", "add", {"x", "v"}))));
  ASSERT_NO_FATAL_FAILURE(
      Ok(OpNode(e, OpWith(sid, "xhuge", "tile", {"x"}, {{"n", Ints({kTiB4, 1})}}))));
  ASSERT_NO_FATAL_FAILURE(Ok(FunctionIn(e, sid, "f", {"x"}, {"xv"})));
  ASSERT_NO_FATAL_FAILURE(Ok(FunctionIn(e, sid, "f2", {"x", "xn"}, {"xv"})));
  ASSERT_NO_FATAL_FAILURE(Ok(FunctionIn(e, sid, "fhuge", {"x"}, {"xhuge"})));

  World w{e, sibling};
  const Rows rows = PlainCatalogue();
  ASSERT_NO_FATAL_FAILURE(RunRows(rows, *server, w, sibling, "", "w", w0));

  // Still serving: f gives x + v.
  v1::CallRequest call;
  call.set_session_id(sid);
  call.set_function("f");
  *call.add_feeds() = F32({2, 3}, {10, 20, 30, 40, 50, 60});
  v1::CallResponse out;
  ASSERT_NO_FATAL_FAILURE(Ok(stub->Call(Ctx(sid).get(), call, &out)));
  ASSERT_EQ(out.outputs_size(), 1);
  EXPECT_THAT(Floats(out.outputs(0)), ::testing::ElementsAre(11, 22, 33, 44, 55, 66));
  // No failed CreateSession left a session behind.
  v1::ListSessionsResponse sessions;
  ASSERT_NO_FATAL_FAILURE(
      Ok(stub->ListSessions(Ctx().get(), v1::ListSessionsRequest(), &sessions)));
  EXPECT_EQ(sessions.sessions_size(), 2);
}

TEST_F(HostileRequestsTest, LimitedServerAnswersEveryHostileRequestAndHarmsNothing) {
  const std::string dir = MakeTempDir();
  WriteFile(dir + "/tokens.txt", absl::StrCat("alice ", kAlice, "\nbob ", kBob, "\n"));
  auto started = ServerProcess::Start(
      {"--threads=2", "--auth_tokens=" + dir + "/tokens.txt",
       absl::StrCat("--max_graph_nodes=", kMaxGraphNodes),
       absl::StrCat("--max_tensor_elements=", kMaxTensorElements),
       absl::StrCat("--session_memory_limit=", kSessionMemoryLimit),
       "--max_sessions_per_tenant=3"});
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<ServerProcess> server = *std::move(started);
  std::unique_ptr<Stub> stub = v1::RemoteK::NewStub(server->Channel());

  const std::string bob = NewSession(stub.get(), kBob);
  Env be{stub.get(), bob, kBob};
  const v1::Tensor bw = F32({3}, {0.5f, -1.0f, 7.75f});
  ASSERT_NO_FATAL_FAILURE(Ok(Variable(be, VarReq(bob, "bw", bw))));
  ASSERT_NO_FATAL_FAILURE(Ok(FunctionIn(be, bob, "fb", {}, {"bw"})));

  const std::string alice = NewSession(stub.get(), kAlice);
  Env e{stub.get(), alice, kAlice};
  ASSERT_NO_FATAL_FAILURE(Ok(Placeholder(e, PlaceholderReq(alice, "p", {2, 3}))));
  ASSERT_NO_FATAL_FAILURE(Ok(Variable(e, VarReq(alice, "w", F32({2, 3}, {1, 2, 3, 4, 5, 6})))));
  ASSERT_NO_FATAL_FAILURE(Ok(OpNode(e, OpReq(alice, "pw", "add", {"p", "w"}))));
  ASSERT_NO_FATAL_FAILURE(
      Ok(OpNode(e, OpWith(alice, "pt", "tile", {"p"}, {{"n", Ints({100000, 1})}}))));
  ASSERT_NO_FATAL_FAILURE(Ok(FunctionIn(e, alice, "fa", {"p"}, {"pw"})));
  ASSERT_NO_FATAL_FAILURE(Ok(FunctionIn(e, alice, "fbig", {"p"}, {"pt"})));

  World w{e, bob};
  const Rows rows = LimitedCatalogue(alice, bob);
  ASSERT_NO_FATAL_FAILURE(RunRows(rows, *server, w, bob, kBob, "bw", bw));

  // Alice's session still computes.
  v1::CallRequest call;
  call.set_session_id(alice);
  call.set_function("fa");
  *call.add_feeds() = F32({2, 3}, {10, 20, 30, 40, 50, 60});
  v1::CallResponse out;
  ASSERT_NO_FATAL_FAILURE(Ok(stub->Call(Ctx(alice, kAlice).get(), call, &out)));
  ASSERT_EQ(out.outputs_size(), 1);
  EXPECT_THAT(Floats(out.outputs(0)), ::testing::ElementsAre(11, 22, 33, 44, 55, 66));
}

// A 10k-deep chain and a 100k-node graph are built, compiled and run without
// a stack overflow, then cleared back to zero bytes.
TEST_F(HostileRequestsTest, DeepAndWideGraphsBuildCompileAndRun) {
  auto started = ServerProcess::Start(
      {"--threads=2", absl::StrCat("--max_message_bytes=", kPlainMaxMessageBytes)});
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<ServerProcess> server = *std::move(started);
  std::unique_ptr<Stub> stub = v1::RemoteK::NewStub(server->Channel());
  const std::string sid = NewSession(stub.get());
  Env e{stub.get(), sid, ""};

  ASSERT_NO_FATAL_FAILURE(Ok(Placeholder(e, PlaceholderReq(sid, "x", {2}))));
  ASSERT_NO_FATAL_FAILURE(Ok(BuildGraph(e, ChainGraph(sid, 10000, "x"))));
  ASSERT_NO_FATAL_FAILURE(Ok(FunctionIn(e, sid, "deep", {"x"}, {"c9999"})));
  v1::CallRequest call;
  call.set_session_id(sid);
  call.set_function("deep");
  *call.add_feeds() = F32({2}, {1, -2});
  v1::CallResponse out;
  ASSERT_NO_FATAL_FAILURE(Ok(stub->Call(Ctx(sid).get(), call, &out)));
  ASSERT_EQ(out.outputs_size(), 1);
  // c0 = x + x, then 9999 more additions of x: 10001 * x.
  EXPECT_THAT(Floats(out.outputs(0)), ::testing::ElementsAre(10001, -20002));

  ASSERT_NO_FATAL_FAILURE(
      Ok(BuildGraph(e, WideGraph(sid, 99999, GPlaceholder("last", {1})))));
  EXPECT_EQ(Stats(stub.get(), sid).nodes(), 1 + 10000 + 100000);
  v1::SessionRequest clear;
  clear.set_session_id(sid);
  v1::SessionInfo info;
  ASSERT_NO_FATAL_FAILURE(Ok(stub->ClearSession(Ctx(sid).get(), clear, &info)));
  EXPECT_EQ(info.stats().nodes(), 0);
  EXPECT_EQ(info.stats().bytes_held(), 0);
  EXPECT_TRUE(server->IsRunning());
}

}  // namespace
}  // namespace remotek::testing
