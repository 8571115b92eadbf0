// --tls_cert/--tls_key[/--tls_client_ca] against a real remotek-server, with
// throw-away certificates made by the openssl CLI: TLS works with the C++
// client, plaintext is refused, mTLS requires a client certificate signed by
// the CA, bearer tokens ride as call credentials, bad files stop the server.
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "remotek/client.h"
#include "remotek/v1/remotek.grpc.pb.h"
#include "tests/integration/hardening/hardening_util.h"
#include "tests/support/server_process.h"

namespace remotek::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kAlice[] = "alice-token-0123456789abcdef";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(MakeTempDir());
    const std::string d = *dir_;
    const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    WriteFile(d + "/server.ext", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    const std::string script = absl::StrCat(
        "set -e; cd '", d, "'; ",
        "openssl req -x509 ", key, " -keyout ca.key -out ca.pem -days 1 -subj /CN=remotek-test-ca "
        "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign; ",
        "openssl req ", key, " -keyout server.key -out server.csr -subj /CN=localhost; ",
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 "
        "-extfile server.ext -out server.pem; ",
        "openssl req ", key, " -keyout client.key -out client.csr -subj /CN=remotek-client; ",
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 "
        "-out client.pem; ",
        // A second CA whose client certificate the server must not accept.
        "openssl req -x509 ", key, " -keyout rogue.key -out rogue.pem -days 1 -subj /CN=rogue; ",
        "printf 'alice ", kAlice, "\\n' > tokens.txt");
    ok_ = std::system(("(" + script + ") >openssl.log 2>&1").c_str()) == 0;
  }
  static void TearDownTestSuite() { delete dir_; }
  void SetUp() override {
    ASSERT_TRUE(ok_) << "openssl failed; see " << *dir_ << "/openssl.log";
  }

  static std::string Path(const std::string& name) { return *dir_ + "/" + name; }

  static std::shared_ptr<grpc::ChannelCredentials> Ssl(bool with_client_cert,
                                                       const std::string& client = "client") {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ReadFile(Path("ca.pem"));
    if (with_client_cert) {
      o.pem_private_key = ReadFile(Path(client + ".key"));
      o.pem_cert_chain = ReadFile(Path(client + ".pem"));
    }
    return grpc::SslCredentials(o);
  }

  static grpc::Status Echo(const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = v1::RemoteK::NewStub(channel);
    v1::EchoRequest req;
    req.set_payload("hello");
    v1::EchoResponse resp;
    grpc::Status s = stub->Echo(TokenCtx("", 10).get(), req, &resp);
    if (s.ok() && resp.payload() != "hello") return grpc::Status(grpc::StatusCode::DATA_LOSS, "");
    return s;
  }

  static std::string* dir_;
  static bool ok_;
};
std::string* TlsTest::dir_ = nullptr;
bool TlsTest::ok_ = false;

TEST_F(TlsTest, TlsServesTlsClientsAndRefusesPlaintext) {
  auto server = ServerProcess::Start(
      {"--threads=1", "--tls_cert=" + Path("server.pem"), "--tls_key=" + Path("server.key")});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string target = (*server)->address();  // 127.0.0.1:PORT, in the SAN
  // The C++ client over a TLS channel.
  remotek::client::Client client(grpc::CreateChannel(target, Ssl(false)));
  auto info = client.server_info();
  ASSERT_TRUE(info.ok()) << info.status();
  auto session = client.create_session();
  ASSERT_TRUE(session.ok()) << session.status();
  // "localhost" matches the DNS SAN too.
  EXPECT_TRUE(Echo(grpc::CreateChannel(
                       absl::StrCat("localhost:", (*server)->port()), Ssl(false)))
                  .ok());
  // A plaintext client cannot talk to a TLS port.
  grpc::Status plain = Echo(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  EXPECT_EQ(plain.error_code(), grpc::StatusCode::UNAVAILABLE) << plain.error_message();
  // A client that does not trust the server's CA refuses it.
  grpc::SslCredentialsOptions untrusting;
  untrusting.pem_root_certs = ReadFile(Path("rogue.pem"));
  grpc::Status untrusted = Echo(grpc::CreateChannel(target, grpc::SslCredentials(untrusting)));
  EXPECT_EQ(untrusted.error_code(), grpc::StatusCode::UNAVAILABLE) << untrusted.error_message();
}

TEST_F(TlsTest, MutualTlsRequiresAClientCertificateFromTheCa) {
  auto server = ServerProcess::Start({"--threads=1", "--tls_cert=" + Path("server.pem"),
                                      "--tls_key=" + Path("server.key"),
                                      "--tls_client_ca=" + Path("ca.pem")});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string target = (*server)->address();
  EXPECT_TRUE(Echo(grpc::CreateChannel(target, Ssl(true))).ok());
  grpc::Status no_cert = Echo(grpc::CreateChannel(target, Ssl(false)));
  EXPECT_EQ(no_cert.error_code(), grpc::StatusCode::UNAVAILABLE) << no_cert.error_message();
  grpc::Status rogue = Echo(grpc::CreateChannel(target, Ssl(true, "rogue")));
  EXPECT_EQ(rogue.error_code(), grpc::StatusCode::UNAVAILABLE) << rogue.error_message();
  grpc::Status plain = Echo(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  EXPECT_EQ(plain.error_code(), grpc::StatusCode::UNAVAILABLE) << plain.error_message();
}

TEST_F(TlsTest, BearerTokensAsCallCredentialsOverTls) {
  auto server = ServerProcess::Start({"--threads=1", "--tls_cert=" + Path("server.pem"),
                                      "--tls_key=" + Path("server.key"),
                                      "--auth_tokens=" + Path("tokens.txt")});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string target = (*server)->address();
  auto with_token = grpc::CreateChannel(
      target, grpc::CompositeChannelCredentials(Ssl(false), grpc::AccessTokenCredentials(kAlice)));
  remotek::client::Client client(with_token);
  auto session = client.create_session();
  ASSERT_TRUE(session.ok()) << session.status();
  auto sessions = client.list_sessions();
  ASSERT_TRUE(sessions.ok()) << sessions.status();
  EXPECT_EQ(sessions->size(), 1u);
  grpc::Status no_token = Echo(grpc::CreateChannel(target, Ssl(false)));
  EXPECT_EQ(no_token.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(no_token.error_message(), "missing \"authorization: Bearer <token>\" metadata");
}

TEST_F(TlsTest, BadOrMissingFilesStopTheServerNamingTheFile) {
  WriteFile(Path("garbage.pem"), "not a certificate\n");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"--tls_cert=" + Path("missing.pem"), "--tls_key=" + Path("server.key")},
       "tls_cert=" + Path("missing.pem") + ": cannot read the file"},
      {{"--tls_cert=" + Path("garbage.pem"), "--tls_key=" + Path("server.key")},
       "tls_cert=" + Path("garbage.pem") + ": not a PEM certificate"},
      {{"--tls_cert=" + Path("server.pem"), "--tls_key=" + Path("server.pem")},
       "tls_key=" + Path("server.pem") + ": not a PEM private key"},
      {{"--tls_cert=" + Path("server.pem"), "--tls_key=" + Path("server.key"),
        "--tls_client_ca=" + Path("missing-ca.pem")},
       "tls_client_ca=" + Path("missing-ca.pem") + ": cannot read the file"},
      {{"--tls_cert=" + Path("server.pem")}, "tls_cert and tls_key must be given together"},
      {{"--tls_client_ca=" + Path("ca.pem")}, "tls_client_ca requires tls_cert and tls_key"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    ExitResult r = RunServerToExit(c.args);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_THAT(r.output, HasSubstr("remotek-server: " + c.message));
  }
}

}  // namespace
}  // namespace remotek::testing
