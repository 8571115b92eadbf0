// Helpers shared by the hardening tests: raw calls of any method by path,
// contexts carrying bearer tokens, temp files, and running remotek-server
// with arguments that must make it exit.
#ifndef REMOTEK_TESTS_INTEGRATION_HARDENING_HARDENING_UTIL_H_
#define REMOTEK_TESTS_INTEGRATION_HARDENING_HARDENING_UTIL_H_

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "grpcpp/support/sync_stream.h"

namespace remotek::testing {

inline std::unique_ptr<grpc::ClientContext> TokenCtx(const std::string& token = "",
                                                     int deadline_s = 20) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(deadline_s));
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

// Calls `path` ("/pkg.Service/Method") with one empty message, whatever the
// method's streaming kind, and returns the final status. Empty bytes parse as
// a default request message.
inline grpc::Status RawCall(grpc::Channel* channel, const std::string& path,
                            const std::string& token = "",
                            const std::string& header_value = "") {
  auto ctx = TokenCtx(token, 10);
  if (!header_value.empty()) ctx->AddMetadata("authorization", header_value);
  grpc::internal::RpcMethod method(path.c_str(), grpc::internal::RpcMethod::BIDI_STREAMING);
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          channel, method, ctx.get()));
  grpc::Slice empty("");
  grpc::ByteBuffer message(&empty, 1);
  stream->Write(message);
  stream->WritesDone();
  grpc::ByteBuffer out;
  for (int i = 0; i < 1000 && stream->Read(&out); ++i) {
  }
  return stream->Finish();
}

inline std::string MakeTempDir() {
  char tmpl[] = "/tmp/remotek-hardening-XXXXXX";
  const char* dir = mkdtemp(tmpl);
  return dir == nullptr ? std::string("/tmp") : std::string(dir);
}

inline void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

struct ExitResult {
  int exit_code = -1;  // -1: did not exit normally
  std::string output;  // stdout and stderr
};

// Runs remotek-server with `args` (on 127.0.0.1:0), for at most 15 s; for
// arguments that must make it refuse to start.
inline ExitResult RunServerToExit(const std::vector<std::string>& args) {
  std::string command = std::string("timeout 15 '") + REMOTEK_SERVER_PATH +
                        "' --address=127.0.0.1:0";
  for (const std::string& a : args) command += " '" + a + "'";
  command += " 2>&1";
  ExitResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  const int status = pclose(pipe);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

}  // namespace remotek::testing

#endif  // REMOTEK_TESTS_INTEGRATION_HARDENING_HARDENING_UTIL_H_
