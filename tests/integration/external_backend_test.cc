// External backends through a real server: one started with an SDK plugin
// (loaded with dlopen) as its default backend serves the Keras scenario with
// the same results as the built-in eigen backend; ListBackends shows every
// hosted backend with its ops and dtypes; unknown and invalid backends are
// refused with messages that name them.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "backend/core/status_macros.h"
#include "remotek/client.h"
#include "tests/support/server_process.h"
#include "tests/support/status_matchers.h"

namespace rk = remotek::client;

namespace remotek::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kBackendDir = REMOTEK_BACKEND_DIR;
const std::string kPlugin = "remotek_testing.reference";

struct Outcome {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs the server binary to completion (it exits at once on a bad default).
Outcome RunServer(const std::string& args) {
  Outcome out;
  const std::string command =
      absl::StrCat(REMOTEK_SERVER_PATH, " --address=127.0.0.1:0 ", args, " 2>&1");
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.output.append(buffer, n);
  const int status = ::pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

class ExternalDefaultBackend : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = ServerProcess::Start(
        {"--threads=2", "--backend=" + kPlugin, "--backend_path=/nonexistent:" + kBackendDir,
         "--extra_backends=broken.no_function_placeholder"});
    if (started.ok()) server_ = started->release();
    start_status_ = new absl::Status(started.status());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete start_status_;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr) << *start_status_;
    client_ = std::make_unique<rk::Client>(server_->address());
  }
  static ServerProcess* server_;
  static absl::Status* start_status_;
  std::unique_ptr<rk::Client> client_;
};
ServerProcess* ExternalDefaultBackend::server_ = nullptr;
absl::Status* ExternalDefaultBackend::start_status_ = nullptr;

TEST_F(ExternalDefaultBackend, StartupLineAndServerInfoShowTheExternalDefault) {
  EXPECT_THAT(server_->startup_line(), HasSubstr("default_backend=" + kPlugin));
  EXPECT_THAT(server_->startup_line(), HasSubstr("backend=" + kPlugin + " (flag)"));
  ASSERT_OK_AND_ASSIGN(rk::ServerInfo info, client_->server_info());
  EXPECT_EQ(info.config.backend, kPlugin);
  EXPECT_THAT(info.backends, Contains(kPlugin));
  // The invalid extra backend was refused at start-up and is not offered.
  EXPECT_THAT(info.backends, ::testing::Not(Contains("broken.no_function_placeholder")));
}

TEST_F(ExternalDefaultBackend, ListBackendsShowsOpsAndDtypesOfEach) {
  ASSERT_OK_AND_ASSIGN(std::vector<rk::BackendInfo> backends, client_->list_backends());
  std::vector<std::string> names;
  const rk::BackendInfo* eigen = nullptr;
  const rk::BackendInfo* plugin = nullptr;
  for (const rk::BackendInfo& b : backends) {
    names.push_back(b.name);
    if (b.name == "eigen") eigen = &b;
    if (b.name == kPlugin) plugin = &b;
  }
  EXPECT_THAT(names, Contains("eigen"));
  EXPECT_THAT(names, Contains("reference"));
  ASSERT_NE(eigen, nullptr);
  ASSERT_NE(plugin, nullptr);
  EXPECT_TRUE(plugin->is_default);
  EXPECT_FALSE(eigen->is_default);
  EXPECT_EQ(plugin->ops, eigen->ops);  // the SDK plugin declares every op
  EXPECT_GE(plugin->ops.size(), 60u);
  EXPECT_THAT(plugin->ops, Contains("batch_dot"));
  EXPECT_EQ(plugin->dtypes.size(), 9u);
}

TEST_F(ExternalDefaultBackend, UnknownBackendIsNotFoundNamingTheHostedOnes) {
  auto s = client_->create_session({.backend = "my_package.nope"});
  EXPECT_THAT(s.status(),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr(absl::StrCat("unknown backend \"my_package.nope\"; this server "
                                              "hosts: eigen, reference, ",
                                              kPlugin))));
}

// The Keras scenario, once on the default (external) backend and once on
// eigen: seeded and integer values bitwise equal, float math within 1e-5.
struct ScenarioResult {
  std::vector<float> y;        // seeded variable
  std::vector<float> out;      // batch_dot output of the last call
  std::vector<float> dotted;   // dot
  std::vector<double> prod64;  // prod, cast to float64
  std::vector<int32_t> steps;  // counter after the calls
  std::vector<int32_t> cast_i;
  int32_t nodes_after_clear = -1;
};

absl::StatusOr<ScenarioResult> RunScenario(rk::Client& client, const std::string& backend) {
  ScenarioResult r;
  REMOTEK_ASSIGN_OR_RETURN(rk::Session s, client.create_session({.backend = backend}));
  REMOTEK_ASSIGN_OR_RETURN(rk::Node x, s.placeholder({-1, 20, 1}, rk::DType::kFloat32, "x"));
  REMOTEK_ASSIGN_OR_RETURN(rk::Node y, s.random_uniform_variable({4, 30, 20}, -1, 1, 7));
  REMOTEK_ASSIGN_OR_RETURN(rk::Node w, s.random_normal_variable({30, 5}, 0, 0.5, 42));
  REMOTEK_ASSIGN_OR_RETURN(rk::Node counter,
                           s.variable(rk::HostTensor::Scalar<int32_t>(0), "counter"));
  REMOTEK_ASSIGN_OR_RETURN(rk::Node one, s.constant(rk::HostTensor::Scalar<int32_t>(1)));
  REMOTEK_ASSIGN_OR_RETURN(rk::Node xy, s.batch_dot(x, y, {1, 2}));  // (4, 1, 30)
  REMOTEK_ASSIGN_OR_RETURN(rk::Node xyw, s.dot(xy, w));              // (4, 1, 5)
  REMOTEK_ASSIGN_OR_RETURN(rk::Node p, s.prod(xyw, {2}));
  REMOTEK_ASSIGN_OR_RETURN(rk::Node p64, s.cast(p, rk::DType::kFloat64));
  REMOTEK_ASSIGN_OR_RETURN(rk::Node scaled, s.op("multiply", {xyw, xyw}));
  REMOTEK_ASSIGN_OR_RETURN(rk::Node ci, s.cast(scaled, rk::DType::kInt32));
  REMOTEK_ASSIGN_OR_RETURN(rk::Node next, s.add(counter, one));
  REMOTEK_ASSIGN_OR_RETURN(rk::Function f,
                           s.function({x}, {xy, xyw, p64, ci}, {{counter, next}}));
  std::vector<float> xs(4 * 20);
  for (size_t i = 0; i < xs.size(); ++i) xs[i] = 0.05f * static_cast<float>(i % 37) - 0.7f;
  std::vector<rk::HostTensor> outs;
  for (int call = 0; call < 3; ++call) {
    REMOTEK_ASSIGN_OR_RETURN(outs, f({rk::HostTensor::FromVector<float>({4, 20, 1}, xs)}));
  }
  if (outs.size() != 4 || outs[0].shape() != rk::Dims{4, 1, 30}) {
    return absl::InternalError("unexpected outputs");
  }
  r.out = outs[0].values<float>();
  r.dotted = outs[1].values<float>();
  r.prod64 = outs[2].values<double>();
  r.cast_i = outs[3].values<int32_t>();
  REMOTEK_ASSIGN_OR_RETURN(rk::HostTensor yv, s.get_value(y));
  r.y = yv.values<float>();
  REMOTEK_ASSIGN_OR_RETURN(rk::HostTensor steps, s.get_value(counter));
  r.steps = steps.values<int32_t>();
  REMOTEK_RETURN_IF_ERROR(s.clear_session().status());
  REMOTEK_ASSIGN_OR_RETURN(rk::SessionStats stats, s.stats());
  r.nodes_after_clear = stats.nodes;
  REMOTEK_RETURN_IF_ERROR(s.close());
  return r;
}

TEST_F(ExternalDefaultBackend, KerasScenarioMatchesEigen) {
  ASSERT_OK_AND_ASSIGN(ScenarioResult ext, RunScenario(*client_, ""));
  ASSERT_OK_AND_ASSIGN(ScenarioResult eig, RunScenario(*client_, "eigen"));
  EXPECT_EQ(ext.y, eig.y);  // seeded: bitwise
  EXPECT_THAT(ext.steps, ElementsAre(3));
  EXPECT_EQ(ext.steps, eig.steps);
  EXPECT_EQ(ext.nodes_after_clear, 0);
  ASSERT_EQ(ext.out.size(), 4u * 30u);
  for (size_t i = 0; i < ext.out.size(); ++i) {
    EXPECT_NEAR(ext.out[i], eig.out[i], 1e-5 * (1 + std::abs(eig.out[i]))) << i;
  }
  ASSERT_EQ(ext.dotted.size(), 4u * 5u);
  for (size_t i = 0; i < ext.dotted.size(); ++i) {
    EXPECT_NEAR(ext.dotted[i], eig.dotted[i], 1e-5 * (1 + std::abs(eig.dotted[i]))) << i;
  }
  ASSERT_EQ(ext.prod64.size(), 4u);
  for (size_t i = 0; i < ext.prod64.size(); ++i) {
    EXPECT_NEAR(ext.prod64[i], eig.prod64[i], 1e-4 * (1 + std::abs(eig.prod64[i]))) << i;
  }
  EXPECT_EQ(ext.cast_i.size(), 20u);
}

TEST_F(ExternalDefaultBackend, EagerOpsAndErrorsMatchEigen) {
  for (const std::string backend : {std::string(""), std::string("eigen")}) {
    SCOPED_TRACE(backend);
    ASSERT_OK_AND_ASSIGN(rk::Session s, client_->create_session({.backend = backend}));
    const auto a = rk::HostTensor::FromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
    ASSERT_OK_AND_ASSIGN(rk::HostTensor sum, s.run_op("sum", {a}, {{"axis", int64_t{1}}}));
    EXPECT_EQ(sum.values<float>(), (std::vector<float>{6, 15}));
    EXPECT_THAT(s.run_op("batch_dot", {a, a}, {{"axes", std::vector<int64_t>{1, 0}}}).status(),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("batch_dot")));
    EXPECT_THAT(s.get_value("nope").status(),
                StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
  }
}

#ifdef REMOTEK_HAVE_ONEDNN
// The shipped onednn library, found in the default search directory beside
// the server binary and chosen through KERAS_BACKEND-equivalent --backend.
TEST(OnednnDefaultBackend, ServesTheKerasScenarioLikeEigen) {
  auto server = ServerProcess::Start({"--threads=2", "--backend=onednn"});
  ASSERT_OK(server.status());
  EXPECT_THAT((*server)->startup_line(), HasSubstr("default_backend=onednn"));
  rk::Client client((*server)->address());
  ASSERT_OK_AND_ASSIGN(std::vector<rk::BackendInfo> backends, client.list_backends());
  bool found = false;
  for (const rk::BackendInfo& b : backends) {
    if (b.name != "onednn") continue;
    found = true;
    EXPECT_TRUE(b.is_default);
    EXPECT_THAT(b.ops, Contains("batch_dot"));
    EXPECT_THAT(b.ops, Contains("softmax"));
  }
  EXPECT_TRUE(found);
  ASSERT_OK_AND_ASSIGN(ScenarioResult one, RunScenario(client, ""));
  ASSERT_OK_AND_ASSIGN(ScenarioResult eig, RunScenario(client, "eigen"));
  EXPECT_EQ(one.y, eig.y);
  EXPECT_EQ(one.steps, eig.steps);
  ASSERT_EQ(one.out.size(), eig.out.size());
  for (size_t i = 0; i < one.out.size(); ++i) {
    EXPECT_NEAR(one.out[i], eig.out[i], 1e-5 * (1 + std::abs(eig.out[i]))) << i;
  }
  for (size_t i = 0; i < one.prod64.size(); ++i) {
    EXPECT_NEAR(one.prod64[i], eig.prod64[i], 1e-4 * (1 + std::abs(eig.prod64[i]))) << i;
  }
}
#endif

TEST(ExternalBackendStartup, InvalidDefaultStopsTheServerNamingEveryMissingEntry) {
  const Outcome out =
      RunServer("--backend=broken.no_function_placeholder --backend_path=" + kBackendDir);
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_THAT(out.output,
              HasSubstr(absl::StrCat("backend \"broken.no_function_placeholder\" (", kBackendDir,
                                     "/broken/libno_function_placeholder.so) is invalid: "
                                     "missing required entries: function, placeholder")));
  EXPECT_THAT(out.output, ::testing::Not(HasSubstr("listening")));
}

TEST(ExternalBackendStartup, WrongAbiVersionAndUnresolvableNamesStopTheServer) {
  Outcome out = RunServer("--backend=broken.abi_version_2 --backend_path=" + kBackendDir);
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_THAT(out.output, HasSubstr("built for backend ABI version 2 and this server speaks "
                                    "version 1"));
  out = RunServer("--backend=my_package.my_module --backend_path=/opt/none");
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_THAT(out.output, HasSubstr("backend \"my_package.my_module\" not found: no "
                                    "my_package/libmy_module.so in /opt/none"));
  out = RunServer("--backend=tensorflow");
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_THAT(out.output, HasSubstr("\"tensorflow\" is a Keras backend; this server runs its "
                                    "own); this server hosts: eigen, reference"));
}

TEST(ExternalBackendStartup, KerasBackendEnvironmentSelectsAnExternalBackend) {
  const Outcome out =
      RunServer("--backend=broken.no_clear --backend_path=" + kBackendDir);
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_THAT(out.output, HasSubstr("missing required entries: clear"));
  // Through KERAS_BACKEND and REMOTEK_BACKEND_PATH instead of flags.
  const std::string command = absl::StrCat(
      "KERAS_BACKEND=broken.no_variable REMOTEK_BACKEND_PATH=", kBackendDir, " ",
      REMOTEK_SERVER_PATH, " --address=127.0.0.1:0 2>&1");
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  const int status = ::pclose(pipe);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_THAT(output, HasSubstr("missing required entries: variable"));
}

}  // namespace
}  // namespace remotek::testing
