// Bearer-token authentication: a token file maps tokens to tenants. Only
// SHA-256 digests of the tokens are kept, compared in constant time; tokens
// are never logged or echoed in errors.
//
//   # comment
//   TENANT TOKEN
#ifndef REMOTEK_SERVER_AUTH_H_
#define REMOTEK_SERVER_AUTH_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace remotek::server {

using TokenDigest = std::array<uint8_t, 32>;

TokenDigest Sha256(absl::string_view data);
// CRYPTO_memcmp: time independent of where the digests differ.
bool DigestsEqual(const TokenDigest& a, const TokenDigest& b);

// Thread-safety: immutable after Parse/Load; Authenticate may run concurrently.
class TokenStore {
 public:
  // INVALID_ARGUMENT "FILE:LINE: ..." for a malformed line (wrong field
  // count, bad tenant name, a token shorter than 16 characters, a token
  // listed twice) or a file without tokens. `file` only names the source.
  static absl::StatusOr<TokenStore> Parse(absl::string_view contents, const std::string& file);
  // As Parse; NOT_FOUND/PERMISSION_DENIED naming the file when it cannot be read.
  static absl::StatusOr<TokenStore> Load(const std::string& file);

  // The tenant owning `token`; UNAUTHENTICATED otherwise. Every entry is
  // compared, so the time does not depend on which one matched.
  absl::StatusOr<std::string> Authenticate(absl::string_view token) const;
  // From the value of an `authorization` header: "Bearer <token>".
  absl::StatusOr<std::string> AuthenticateHeader(const std::string* header) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string tenant;
    TokenDigest digest;
  };
  std::vector<Entry> entries_;
};

}  // namespace remotek::server

#endif  // REMOTEK_SERVER_AUTH_H_
