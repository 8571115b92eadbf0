// Sessions through the C++ client: create / list / get / keep-alive / close,
// effective config and overrides, RAII ownership, the session metadata header
// on every session-scoped call, HostTensor itself, and the worked example.
#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "remotek/client.h"
#include "tests/support/server_process.h"
#include "tests/support/status_matchers.h"

namespace rk = remotek::client;

namespace remotek::testing {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

class ClientSessionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = ServerProcess::Start({"--threads=2"});
    if (started.ok()) server_ = started->release();
    start_status_ = new absl::Status(started.status());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete start_status_;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr) << *start_status_; }

  rk::Client NewClient() const { return rk::Client(server_->address()); }

  static ServerProcess* server_;
  static absl::Status* start_status_;
};
ServerProcess* ClientSessionTest::server_ = nullptr;
absl::Status* ClientSessionTest::start_status_ = nullptr;

std::vector<std::string> Ids(const std::vector<rk::SessionInfo>& infos) {
  std::vector<std::string> ids;
  for (const rk::SessionInfo& info : infos) ids.push_back(info.session_id);
  return ids;
}

TEST_F(ClientSessionTest, ServerInfoBackendsAndEcho) {
  rk::Client client = NewClient();
  ASSERT_OK(client.WaitForReady(std::chrono::seconds(5)));
  ASSERT_OK_AND_ASSIGN(rk::ServerInfo info, client.server_info());
  EXPECT_EQ(info.version, "0.1.0");
  EXPECT_THAT(info.backends, AllOf(Contains("eigen"), Contains("reference")));
  EXPECT_EQ(info.config.backend, "eigen");
  EXPECT_EQ(info.config.floatx, rk::DType::kFloat32);
  EXPECT_DOUBLE_EQ(info.config.epsilon, 1e-7);
  EXPECT_EQ(info.config.image_data_format, "channels_last");
  EXPECT_EQ(info.max_message_bytes, 64 << 20);

  ASSERT_OK_AND_ASSIGN(std::vector<rk::BackendInfo> backends,
                       client.list_backends());
  ASSERT_THAT(backends, SizeIs(info.backends.size()));
  int defaults = 0;
  for (const rk::BackendInfo& b : backends) {
    defaults += b.is_default;
    EXPECT_THAT(b.ops,
                AllOf(Contains("batch_dot"), Contains("dot"), Contains("cast")))
        << b.name;
    EXPECT_THAT(b.dtypes, Contains(rk::DType::kFloat16)) << b.name;
    if (b.is_default) {
      EXPECT_EQ(b.name, "eigen");
    }
  }
  EXPECT_EQ(defaults, 1);

  const std::string payload(100000, 'k');
  ASSERT_OK_AND_ASSIGN(std::string echoed, client.echo(payload));
  EXPECT_EQ(echoed, payload);
}

TEST_F(ClientSessionTest, EffectiveConfigDefaultsAndOverrides) {
  rk::Client client = NewClient();
  ASSERT_OK_AND_ASSIGN(rk::Session plain, client.create_session());
  ASSERT_OK_AND_ASSIGN(rk::SessionInfo info, plain.info());
  EXPECT_EQ(info.session_id, plain.id());
  EXPECT_EQ(info.config.backend, "eigen");
  EXPECT_EQ(info.config.floatx, rk::DType::kFloat32);
  EXPECT_DOUBLE_EQ(info.config.epsilon, 1e-7);
  EXPECT_EQ(info.config.image_data_format, "channels_last");
  EXPECT_EQ(info.stats.bytes_held, 0);
  EXPECT_EQ(info.stats.nodes, 0);
  EXPECT_GT(info.stats.created_unix_ms, 0);

  ASSERT_OK_AND_ASSIGN(
      rk::Session custom,
      client.create_session({.backend = "reference",
                             .floatx = rk::DType::kFloat64,
                             .epsilon = 1e-3,
                             .image_data_format = "channels_first"}));
  ASSERT_OK_AND_ASSIGN(rk::SessionInfo custom_info, custom.info());
  EXPECT_EQ(custom_info.config.backend, "reference");
  EXPECT_EQ(custom_info.config.floatx, rk::DType::kFloat64);
  EXPECT_DOUBLE_EQ(custom_info.config.epsilon, 1e-3);
  EXPECT_EQ(custom_info.config.image_data_format, "channels_first");

  // floatx is what an unspecified dtype means in each session.
  ASSERT_OK_AND_ASSIGN(rk::Node p32, plain.placeholder({2, -1}));
  EXPECT_EQ(p32.dtype, rk::DType::kFloat32);
  ASSERT_OK_AND_ASSIGN(rk::Node p64, custom.placeholder({2, -1}));
  EXPECT_EQ(p64.dtype, rk::DType::kFloat64);
  EXPECT_EQ(p64.shape, (rk::Dims{2, -1}));
  ASSERT_OK_AND_ASSIGN(rk::Node z64, custom.zeros({3}));
  EXPECT_EQ(z64.dtype, rk::DType::kFloat64);
}

TEST_F(ClientSessionTest, BadOverridesAreRejectedWithTheField) {
  rk::Client client = NewClient();
  EXPECT_THAT(client.create_session({.floatx = rk::DType::kInt32}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("floatx"), HasSubstr("int32"))));
  EXPECT_THAT(
      client.create_session({.epsilon = -1}).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("epsilon=-1")));
  EXPECT_THAT(
      client.create_session({.image_data_format = "nchw"}).status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("image_data_format"), HasSubstr("nchw"))));
  EXPECT_THAT(client.create_session({.backend = "tpu"}).status(),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("unknown backend \"tpu\"")));
}

TEST_F(ClientSessionTest, ListGetKeepAliveAndClose) {
  rk::Client client = NewClient();
  ASSERT_OK_AND_ASSIGN(rk::Session a, client.create_session());
  ASSERT_OK_AND_ASSIGN(rk::Session b,
                       client.create_session({.backend = "reference"}));
  EXPECT_THAT(a.id(), SizeIs(32));  // 128 random bits, hex
  EXPECT_NE(a.id(), b.id());

  ASSERT_OK_AND_ASSIGN(std::vector<rk::SessionInfo> listed,
                       client.list_sessions());
  EXPECT_THAT(Ids(listed), AllOf(Contains(a.id()), Contains(b.id())));
  ASSERT_OK_AND_ASSIGN(rk::SessionInfo got, client.get_session(b.id()));
  EXPECT_EQ(got.session_id, b.id());
  EXPECT_EQ(got.config.backend, "reference");

  ASSERT_OK(a.keep_alive());
  ASSERT_OK_AND_ASSIGN(rk::SessionStats stats, a.stats());
  EXPECT_GE(stats.last_used_unix_ms, stats.created_unix_ms);

  const std::string a_id = a.id();
  ASSERT_OK(a.close());
  ASSERT_OK_AND_ASSIGN(listed, client.list_sessions());
  EXPECT_THAT(Ids(listed), AllOf(Not(Contains(a_id)), Contains(b.id())));
  const auto gone =
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("unknown session"));
  EXPECT_THAT(client.get_session(a_id).status(), gone);
  EXPECT_THAT(a.keep_alive(), gone);
  EXPECT_THAT(a.placeholder({1}).status(), gone);
  EXPECT_THAT(a.close(), gone);
  EXPECT_THAT(client.close_session(a_id), gone);
  // b is untouched by a's close.
  ASSERT_OK_AND_ASSIGN(rk::Node p, b.placeholder({1}));
  EXPECT_EQ(p.handle, "placeholder_1");
  EXPECT_THAT(
      client.get_session("").status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("session_id")));
  // Ids that cannot travel as a metadata header (gRPC would abort the client
  // process) go in the request body only, and the server answers them.
  for (const std::string& bad :
       std::vector<std::string>{"caf\xc3\xa9", "line\nbreak", std::string("nul\0id", 6)}) {
    EXPECT_THAT(client.get_session(bad).status(),
                StatusIs(absl::StatusCode::kNotFound, HasSubstr("unknown session")));
    EXPECT_THAT(client.attach_session(bad).status(),
                StatusIs(absl::StatusCode::kNotFound, HasSubstr("unknown session")));
  }
  EXPECT_FALSE(rk::SessionIdFitsHeader("caf\xc3\xa9"));
  EXPECT_FALSE(rk::SessionIdFitsHeader(""));
  EXPECT_TRUE(rk::SessionIdFitsHeader(b.id()));
}

TEST_F(ClientSessionTest, DestructionClosesUnlessDetached) {
  rk::Client client = NewClient();
  std::string closed_id;
  {
    ASSERT_OK_AND_ASSIGN(rk::Session s, client.create_session());
    closed_id = s.id();
    ASSERT_OK(client.get_session(closed_id).status());
  }
  EXPECT_THAT(client.get_session(closed_id).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(closed_id)));

  std::string kept_id;
  {
    ASSERT_OK_AND_ASSIGN(rk::Session s, client.create_session());
    ASSERT_OK(s.variable(rk::HostTensor::FromVector<int32_t>({2}, {5, 6}), "v")
                  .status());
    kept_id = s.detach();
  }
  ASSERT_OK(client.get_session(kept_id).status());
  ASSERT_OK_AND_ASSIGN(rk::Session again, client.attach_session(kept_id));
  ASSERT_OK_AND_ASSIGN(rk::HostTensor v, again.get_value("v"));
  EXPECT_EQ(v.values<int32_t>(), (std::vector<int32_t>{5, 6}));

  // Moving hands ownership over; the moved-from Session refuses calls.
  rk::Session moved = std::move(again);
  EXPECT_EQ(moved.id(), kept_id);
  EXPECT_THAT(
      again.info().status(),  // NOLINT(bugprone-use-after-move): the point
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("moved from")));
  ASSERT_OK(moved.close());
  EXPECT_THAT(client.attach_session(kept_id).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(kept_id)));
}

TEST_F(ClientSessionTest, UnreachableServerIsUnavailable) {
  // Port 1 on the loopback: nothing listens there.
  rk::Client client("127.0.0.1:1",
                    {.timeout = std::chrono::milliseconds(2000)});
  EXPECT_THAT(client.WaitForReady(std::chrono::milliseconds(200)),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("connect")));
  EXPECT_THAT(client.create_session().status(),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
}

// ------------------------------------------------- session metadata header

// Accepts any method, records its name and the session header, and answers
// with one empty message (a valid encoding of every response type).
class RecordingService : public grpc::CallbackGenericService {
 public:
  struct Call {
    std::string method;
    std::string session_header;  // "<none>" when absent
  };

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* ctx) override {
    Call call{ctx->method(), "<none>"};
    const auto& md = ctx->client_metadata();
    if (auto it = md.find(rk::kSessionIdHeader); it != md.end()) {
      call.session_header = std::string(it->second.data(), it->second.size());
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      calls_.push_back(call);
    }
    return new Reactor();
  }

  std::vector<Call> TakeCalls() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::move(calls_);
  }

 private:
  class Reactor : public grpc::ServerGenericBidiReactor {
   public:
    Reactor() { StartRead(&in_); }
    void OnReadDone(bool ok) override {
      if (ok) {
        StartRead(&in_);  // drain until the client half-closes
        return;
      }
      grpc::Slice empty("");
      out_ = grpc::ByteBuffer(&empty, 1);
      StartWrite(&out_);
    }
    void OnWriteDone(bool) override { Finish(grpc::Status::OK); }
    void OnDone() override { delete this; }

   private:
    grpc::ByteBuffer in_;
    grpc::ByteBuffer out_;
  };

  std::mutex mu_;
  std::vector<Call> calls_;
};

TEST(ClientMetadata, EverySessionScopedCallCarriesTheSessionHeader) {
  RecordingService service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterCallbackGenericService(&service);
  std::unique_ptr<grpc::Server> fake = builder.BuildAndStart();
  ASSERT_NE(fake, nullptr);
  ASSERT_GT(port, 0);

  rk::Client client(
      "127.0.0.1:" + std::to_string(port),
      {.stream_threshold_bytes = 16, .close_sessions_on_destruction = false});
  const std::string id = "0123456789abcdef0123456789abcdef";
  ASSERT_OK_AND_ASSIGN(rk::Session s, client.attach_session(id));
  const rk::HostTensor small = rk::HostTensor::FromVector<float>({2}, {1, 2});
  const rk::HostTensor big =
      rk::HostTensor::Zeros(rk::DType::kFloat32, {1024});  // streamed
  // Answers are empty messages, so only the requests matter here.
  s.info().IgnoreError();
  s.keep_alive().IgnoreError();
  s.placeholder({2}).IgnoreError();
  s.placeholder(rk::Ndim{2}).IgnoreError();
  s.variable(small, "v").IgnoreError();
  s.variable(big, "big").IgnoreError();
  s.random_uniform_variable({2}, 0, 1, 3).IgnoreError();
  s.constant(small).IgnoreError();
  s.add("a", "b").IgnoreError();
  rk::GraphBuilder g;
  g.placeholder("x", {2});
  s.build_graph(g).IgnoreError();
  s.get_value("v").IgnoreError();
  s.batch_get_value({"v"}).IgnoreError();
  s.set_value("v", small).IgnoreError();
  absl::StatusOr<rk::Function> f = s.function({"x"}, {"x"});
  ASSERT_OK(f.status());
  (*f)({small}).IgnoreError();
  f->release().IgnoreError();
  s.run_op("add", {small, small}).IgnoreError();
  s.upload(small, rk::UploadTarget::kNewConstant, "c").IgnoreError();
  s.download("v").IgnoreError();
  s.clear_session().IgnoreError();
  ASSERT_OK(s.close());
  client.close_session(id).IgnoreError();
  client.get_session(id).IgnoreError();
  client.server_info().IgnoreError();
  client.create_session().IgnoreError();

  std::set<std::string> with_header;
  std::set<std::string> without_header;
  for (const RecordingService::Call& call : service.TakeCalls()) {
    const std::string method = call.method.substr(call.method.rfind('/') + 1);
    if (method == "CreateSession") {
      // The id the client proposes for the new session, so a proxy routing
      // by this header creates it where its later calls will go.
      EXPECT_THAT(call.session_header, ::testing::MatchesRegex("[0-9a-f]{32}"));
      with_header.insert(method);
      continue;
    }
    if (call.session_header == id) {
      with_header.insert(method);
    } else {
      EXPECT_EQ(call.session_header, "<none>") << method;
      without_header.insert(method);
    }
  }
  EXPECT_EQ(
      with_header,
      (std::set<std::string>{
          "BatchGetValue", "BuildGraph", "Call", "ClearSession", "CloseSession", "CreateSession",
          "Constant", "DownloadTensor", "Function", "GetSession", "GetValue",
          "KeepAlive", "OpNode", "Placeholder", "ReleaseFunction", "RunOp",
          "SetValue", "UploadTensor", "Variable"}));
  EXPECT_EQ(without_header,
            (std::set<std::string>{"GetServerInfo"}));
  fake->Shutdown();
}

// --------------------------------------------------------------- HostTensor

TEST(HostTensor, TypedConstructionReadersAndValidation) {
  rk::HostTensor t =
      rk::HostTensor::FromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6.5f});
  EXPECT_EQ(t.dtype(), rk::DType::kFloat32);
  EXPECT_EQ(t.shape(), (rk::Dims{2, 3}));
  EXPECT_EQ(t.num_elements(), 6);
  EXPECT_EQ(t.byte_size(), 24);
  EXPECT_EQ(t.DebugString(), "float32[2,3]");
  EXPECT_OK(t.Validate());
  EXPECT_EQ(t.values<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6.5f}));
  EXPECT_EQ(t.values<int32_t>(), (std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(t.value<double>(5), 6.5);

  rk::HostTensor s = rk::HostTensor::Scalar<int64_t>(int64_t{1} << 40);
  EXPECT_EQ(s.rank(), 0);
  EXPECT_EQ(s.num_elements(), 1);
  EXPECT_EQ(s.values<int64_t>(), (std::vector<int64_t>{int64_t{1} << 40}));

  rk::HostTensor b = rk::HostTensor::FromVector<bool>({3}, {true, false, true});
  EXPECT_EQ(b.bytes(), std::string("\x01\x00\x01", 3));
  EXPECT_EQ(b.values<float>(), (std::vector<float>{1, 0, 1}));

  rk::HostTensor h = rk::HostTensor::FromFloat16Bits(
      {3}, {rk::FloatToHalf(1.5f), rk::FloatToHalf(-2.0f),
            rk::FloatToHalf(65504.0f)});
  EXPECT_EQ(h.dtype(), rk::DType::kFloat16);
  EXPECT_EQ(h.float16_bits(), (std::vector<uint16_t>{0x3e00, 0xc000, 0x7bff}));
  EXPECT_EQ(h.values<float>(), (std::vector<float>{1.5f, -2.0f, 65504.0f}));

  // Float -> int conversions saturate and map NaN to 0 instead of UB.
  rk::HostTensor f =
      rk::HostTensor::FromVector<float>({3}, {1e20f, -1e20f, NAN});
  EXPECT_EQ(f.values<int8_t>(), (std::vector<int8_t>{127, -128, 0}));

  rk::HostTensor short_bytes =
      rk::HostTensor::FromVector<float>({2, 3}, {1, 2, 3});
  EXPECT_THAT(
      short_bytes.Validate(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("float32[2,3]"), HasSubstr("holds 12"))));
  EXPECT_THAT(short_bytes.values<float>(), SizeIs(3));
  EXPECT_THAT(
      rk::HostTensor(rk::DType::kInt8, {-1}, "").Validate(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("negative dim")));
  EXPECT_THAT(rk::HostTensor().Validate(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("dtype")));

  ASSERT_OK_AND_ASSIGN(rk::DType parsed, rk::ParseDType("uint8"));
  EXPECT_EQ(parsed, rk::DType::kUInt8);
  EXPECT_THAT(
      rk::ParseDType("float8").status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("float8")));
  EXPECT_EQ(rk::HostTensor::Zeros(rk::DType::kFloat64, {2, 2}).values<double>(),
            (std::vector<double>{0, 0, 0, 0}));
}

TEST_F(ClientSessionTest, InvalidTensorsNeverReachTheWire) {
  rk::Client client = NewClient();
  ASSERT_OK_AND_ASSIGN(rk::Session s, client.create_session());
  const rk::HostTensor bad =
      rk::HostTensor::FromVector<float>({2, 3}, {1, 2, 3});
  EXPECT_THAT(s.variable(bad, "v").status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("value: "), HasSubstr("float32[2,3]"))));
  EXPECT_THAT(s.run_op("add", {bad, bad}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("args[0].tensor")));
  rk::GraphBuilder g;
  g.placeholder("x", {2});
  g.variable("w", bad);
  EXPECT_THAT(s.build_graph(g).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("nodes[1]"), HasSubstr("\"w\""))));
  ASSERT_OK_AND_ASSIGN(rk::SessionStats stats, s.stats());
  EXPECT_EQ(stats.nodes, 0);
  EXPECT_EQ(stats.bytes_held, 0);
}

// ---------------------------------------------------------- worked example

TEST_F(ClientSessionTest, WorkedExampleRunsToTheEnd) {
  const std::string command = std::string(REMOTEK_EXAMPLE_PATH) +
                              " --address=" + server_->address() +
                              " --seed=5 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof(buf), pipe)) output.append(buf, n);
  const int status = pclose(pipe);
  EXPECT_EQ(status, 0) << output;
  EXPECT_THAT(output, HasSubstr("x [?,20,1]  xy [32,1,30]  z [32,1,4]"))
      << output;
  EXPECT_THAT(output, HasSubstr("xy     float32[32,1,30]")) << output;
  EXPECT_THAT(output, HasSubstr("z      float32[32,1,4]")) << output;
  EXPECT_THAT(output,
              ::testing::ContainsRegex("calls +float32\\[\\] +2\\.00000\n"))
      << output;
  EXPECT_THAT(output, HasSubstr("after clear_session: bytes_held 0  nodes 0"))
      << output;
  EXPECT_THAT(output, HasSubstr("closed")) << output;
}

}  // namespace
}  // namespace remotek::testing
