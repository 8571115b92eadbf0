// server/auth: token file parsing, digests, constant-time compare, headers.
#include "server/auth.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace remotek::server {
namespace {

using ::remotek::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Tenant(const absl::StatusOr<std::string>& s) {
  return s.ok() ? *s : absl::StrCat("<", s.status().ToString(), ">");
}

constexpr char kAliceToken[] = "alice-secret-0123456789";
constexpr char kBobToken[] = "bob-secret-abcdefghijkl";

TEST(Sha256Test, KnownVector) {
  // FIPS 180-2 test vector for "abc".
  const TokenDigest d = Sha256("abc");
  const uint8_t want[4] = {0xba, 0x78, 0x16, 0xbf};
  EXPECT_EQ(d[0], want[0]);
  EXPECT_EQ(d[1], want[1]);
  EXPECT_EQ(d[2], want[2]);
  EXPECT_EQ(d[3], want[3]);
  EXPECT_EQ(d[31], 0xad);
}

TEST(DigestsEqualTest, ComparesEveryByte) {
  const TokenDigest a = Sha256("x");
  TokenDigest b = a;
  EXPECT_TRUE(DigestsEqual(a, b));
  b[31] ^= 1;
  EXPECT_FALSE(DigestsEqual(a, b));
  b = a;
  b[0] ^= 0x80;
  EXPECT_FALSE(DigestsEqual(a, b));
}

TEST(TokenStoreTest, ParsesTenantsCommentsAndBlankLines) {
  ASSERT_OK_AND_ASSIGN(
      TokenStore store,
      TokenStore::Parse(absl::StrCat("# tenants\n\nalice ", kAliceToken, "\n  bob\t", kBobToken,
                                     "  \n# end\n"),
                        "tokens.txt"));
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(Tenant(store.Authenticate(kAliceToken)), "alice");
  EXPECT_EQ(Tenant(store.Authenticate(kBobToken)), "bob");
  EXPECT_THAT(store.Authenticate("alice-secret-012345678"),
              StatusIs(absl::StatusCode::kUnauthenticated, "invalid bearer token"));
  EXPECT_THAT(store.Authenticate(""),
              StatusIs(absl::StatusCode::kUnauthenticated, "invalid bearer token"));
}

TEST(TokenStoreTest, MalformedLinesNameFileAndLineButNeverTheToken) {
  struct Case {
    std::string contents;
    std::string message;
  } cases[] = {
      {"# c\nalice\n", "t.txt:2: expected \"TENANT TOKEN\", found 1 fields"},
      {absl::StrCat("alice ", kAliceToken, " extra\n"),
       "t.txt:1: expected \"TENANT TOKEN\", found 3 fields"},
      {absl::StrCat("\n\nal/ice ", kAliceToken, "\n"),
       "t.txt:3: tenant must be 1-64 characters of [A-Za-z0-9_.-]"},
      {"alice short\n", "t.txt:1: token must be at least 16 characters"},
      {absl::StrCat("alice ", kAliceToken, "\nbob ", kAliceToken, "\n"),
       "t.txt:2: token is already listed for another entry"},
      {"# only comments\n\n", "t.txt: no tokens"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.contents);
    absl::StatusOr<TokenStore> store = TokenStore::Parse(c.contents, "t.txt");
    EXPECT_THAT(store.status(), StatusIs(absl::StatusCode::kInvalidArgument, c.message));
    EXPECT_THAT(std::string(store.status().message()), Not(HasSubstr("secret")));
  }
}

TEST(TokenStoreTest, LoadNamesAnUnreadableFile) {
  EXPECT_THAT(TokenStore::Load("/nonexistent/tokens.txt").status(),
              StatusIs(absl::StatusCode::kNotFound,
                       "/nonexistent/tokens.txt: cannot read the token file"));
}

TEST(TokenStoreTest, AuthorizationHeader) {
  ASSERT_OK_AND_ASSIGN(TokenStore store,
                       TokenStore::Parse(absl::StrCat("alice ", kAliceToken), "t"));
  const std::string good = absl::StrCat("Bearer ", kAliceToken);
  const std::string lower = absl::StrCat("bearer ", kAliceToken);
  const std::string basic = absl::StrCat("Basic ", kAliceToken);
  const std::string wrong = "Bearer not-a-known-token-at-all";
  EXPECT_EQ(Tenant(store.AuthenticateHeader(&good)), "alice");
  EXPECT_EQ(Tenant(store.AuthenticateHeader(&lower)), "alice");
  EXPECT_THAT(store.AuthenticateHeader(nullptr),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       "missing \"authorization: Bearer <token>\" metadata"));
  EXPECT_THAT(store.AuthenticateHeader(&basic),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       "authorization metadata must be \"Bearer <token>\""));
  EXPECT_THAT(store.AuthenticateHeader(&wrong),
              StatusIs(absl::StatusCode::kUnauthenticated, "invalid bearer token"));
}

}  // namespace
}  // namespace remotek::server
