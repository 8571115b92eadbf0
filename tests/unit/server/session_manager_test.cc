// server/session_manager: ids, overrides, tenant isolation, close and clear.
#include "server/session_manager.h"

#include <set>

#include "absl/strings/ascii.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/backend_registry.h"
#include "tests/support/status_matchers.h"

namespace remotek::server {
namespace {

using ::remotek::testing::IsOk;
using ::remotek::testing::StatusIs;
using ::testing::HasSubstr;

class SessionManagerTest : public ::testing::Test {
 protected:
  SessionManagerTest()
      : registry_(BackendRegistry::CreateBuiltIn()),
        sessions_(registry_.get(), {}) {}
  std::unique_ptr<BackendRegistry> registry_;
  SessionManager sessions_;
};

TEST_F(SessionManagerTest, IdsAreUnguessableHex) {
  std::set<std::string> ids;
  for (int i = 0; i < 64; ++i) {
    ASSERT_OK_AND_ASSIGN(auto s, sessions_.Create("t", {}));
    ASSERT_EQ(s->id().size(), 32u);  // 128 bits
    for (char c : s->id()) EXPECT_TRUE(absl::ascii_isxdigit(c)) << s->id();
    ids.insert(s->id());
  }
  EXPECT_EQ(ids.size(), 64u);
  EXPECT_EQ(sessions_.size(), 64u);
}

TEST_F(SessionManagerTest, ClientProposedIdsAreAdoptedOnceAndValidated) {
  SessionOptions o;
  o.session_id = "0123456789abcdef0123456789abcdef";
  ASSERT_OK_AND_ASSIGN(auto s, sessions_.Create("t", o));
  EXPECT_EQ(s->id(), o.session_id);
  EXPECT_THAT(sessions_.Create("t", o).status(),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       "session_id=\"0123456789abcdef0123456789abcdef\" is already in use"));
  // Another tenant cannot take it either (and learns nothing else).
  EXPECT_THAT(sessions_.Create("other", o).status(),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("already in use")));
  EXPECT_EQ(sessions_.size(), 1u);
  for (const std::string bad : {"0123", "0123456789ABCDEF0123456789ABCDEF",
                                "0123456789abcdef0123456789abcdeg", "../../etc/passwd"}) {
    o.session_id = bad;
    EXPECT_THAT(sessions_.Create("t", o).status(),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("must be 32 lowercase hex digits")))
        << bad;
  }
  EXPECT_EQ(sessions_.size(), 1u);
}

TEST_F(SessionManagerTest, DefaultsAndOverrides) {
  ASSERT_OK_AND_ASSIGN(auto plain, sessions_.Create("t", {}));
  EXPECT_EQ(plain->backend_name(), "eigen");
  EXPECT_EQ(plain->state().config().floatx, DType::kFloat32);
  EXPECT_EQ(plain->state().config().epsilon, 1e-7);
  EXPECT_EQ(plain->state().config().image_data_format,
            ImageDataFormat::kChannelsLast);

  SessionOptions o;
  o.backend = "reference";
  o.floatx = DType::kFloat64;
  o.epsilon = 1e-3;
  o.image_data_format = "channels_first";
  ASSERT_OK_AND_ASSIGN(auto custom, sessions_.Create("t", o));
  EXPECT_EQ(custom->backend_name(), "reference");
  EXPECT_EQ(custom->state().config().floatx, DType::kFloat64);
  EXPECT_EQ(custom->state().config().epsilon, 1e-3);
  EXPECT_EQ(custom->state().config().image_data_format,
            ImageDataFormat::kChannelsFirst);
}

TEST_F(SessionManagerTest, BadOverridesNameFieldAndValue) {
  SessionOptions o;
  o.backend = "tensorflow";
  EXPECT_THAT(
      sessions_.Create("t", o),
      StatusIs(
          absl::StatusCode::kNotFound,
          HasSubstr("(\"tensorflow\" is a Keras backend; this server runs its "
                    "own); this server hosts: eigen, reference")));
  o = {};
  o.floatx = DType::kInt8;
  EXPECT_THAT(sessions_.Create("t", o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("floatx=\"int8\"")));
  o = {};
  o.epsilon = std::numeric_limits<double>::infinity();
  EXPECT_THAT(
      sessions_.Create("t", o),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("epsilon=inf")));
  o = {};
  o.image_data_format = "NHWC";
  EXPECT_THAT(sessions_.Create("t", o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("image_data_format=\"NHWC\" must be")));
  EXPECT_EQ(sessions_.size(), 0u);
}

TEST_F(SessionManagerTest, AnotherTenantsSessionLooksUnknown) {
  ASSERT_OK_AND_ASSIGN(auto mine, sessions_.Create("alice", {}));
  EXPECT_THAT(sessions_.Get("alice", mine->id()), IsOk());
  const auto theirs = sessions_.Get("bob", mine->id());
  const auto unknown = sessions_.Get("bob", "ffffffffffffffffffffffffffffffff");
  EXPECT_THAT(theirs,
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("unknown session \"" + mine->id() + "\"")));
  // Same code and the same wording as an id that never existed.
  EXPECT_EQ(theirs.status().code(), unknown.status().code());
  EXPECT_THAT(
      std::string(unknown.status().message()),
      HasSubstr("unknown session \"ffffffffffffffffffffffffffffffff\""));
  EXPECT_THAT(
      sessions_.Close("bob", mine->id()),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("unknown session")));
  EXPECT_EQ(sessions_.List("bob").size(), 0u);
  EXPECT_EQ(sessions_.List("alice").size(), 1u);
  EXPECT_THAT(sessions_.Get("alice", ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("session_id is required")));
}

TEST_F(SessionManagerTest, CloseFreesEveryByteEvenWhenPinned) {
  ASSERT_OK_AND_ASSIGN(auto s, sessions_.Create("t", {}));
  VariableRequest v;
  v.name = "w";
  v.initializer = InitializerSpec{};
  v.initializer->kind = InitializerSpec::Kind::kOnes;
  v.shape = Shape({64, 64});
  ASSERT_THAT(s->state().AddNode(v), IsOk());
  EXPECT_EQ(s->state().Stats().bytes_held, 64 * 64 * 4);
  const std::string id = s->id();
  ASSERT_THAT(sessions_.Close("t", id), IsOk());
  // `s` still pins the session object, but its memory is already gone.
  EXPECT_EQ(s->state().Stats().bytes_held, 0);
  EXPECT_EQ(s->state().Stats().nodes, 0);
  EXPECT_THAT(sessions_.Get("t", id),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(id)));
  EXPECT_THAT(sessions_.Close("t", id),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(id)));
  EXPECT_EQ(sessions_.size(), 0u);
}

TEST_F(SessionManagerTest, GetTouchesLastUsed) {
  ASSERT_OK_AND_ASSIGN(auto s, sessions_.Create("t", {}));
  const int64_t created = s->created_unix_ms();
  EXPECT_GT(created, 1600000000000);  // after 2020, in ms
  EXPECT_EQ(s->last_used_unix_ms(), created);
  ASSERT_THAT(sessions_.Get("t", s->id()), IsOk());
  EXPECT_GE(s->last_used_unix_ms(), created);
}

TEST(BackendRegistry, FindAndDefault) {
  auto registry = BackendRegistry::CreateBuiltIn();
  EXPECT_EQ(registry->default_name(), "eigen");
  EXPECT_THAT(registry->Names(), ::testing::ElementsAre("eigen", "reference"));
  ASSERT_OK_AND_ASSIGN(const HostedBackend* dflt, registry->Find(""));
  EXPECT_EQ(dflt->name(), "eigen");
  ASSERT_THAT(registry->SetDefault("reference"), IsOk());
  ASSERT_OK_AND_ASSIGN(dflt, registry->Find(""));
  EXPECT_EQ(dflt->name(), "reference");
  // The header's contract: NOT_FOUND, as Find.
  EXPECT_THAT(registry->SetDefault("cuda"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("unknown backend \"cuda\"; this server hosts: "
                                 "eigen, reference")));
  EXPECT_EQ(registry->default_name(), "reference");
  EXPECT_THAT(registry->Find("cuda"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("unknown backend \"cuda\"; this server "
                                 "hosts: eigen, reference")));
  EXPECT_THAT(registry->Find("theano"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("\"theano\" is a Keras backend")));
}

}  // namespace
}  // namespace remotek::server
