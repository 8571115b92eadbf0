#include "server/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace remotek::server {
namespace {

constexpr size_t kMinTokenChars = 16;

bool ValidTenant(absl::string_view tenant) {
  if (tenant.empty() || tenant.size() > 64) return false;
  for (char c : tenant) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '-' && c != '.') return false;
  }
  return true;
}

}  // namespace

TokenDigest Sha256(absl::string_view data) {
  TokenDigest out;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

bool DigestsEqual(const TokenDigest& a, const TokenDigest& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::StatusOr<TokenStore> TokenStore::Parse(absl::string_view contents,
                                             const std::string& file) {
  TokenStore store;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(contents, '\n')) {
    ++line_no;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    // The line's text is never quoted back: it holds a secret.
    auto where = [&] { return absl::StrCat(file, ":", line_no, ": "); };
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          where(), "expected \"TENANT TOKEN\", found ", fields.size(), " fields"));
    }
    if (!ValidTenant(fields[0])) {
      return absl::InvalidArgumentError(absl::StrCat(
          where(), "tenant must be 1-64 characters of [A-Za-z0-9_.-]"));
    }
    if (fields[1].size() < kMinTokenChars) {
      return absl::InvalidArgumentError(absl::StrCat(
          where(), "token must be at least ", kMinTokenChars, " characters"));
    }
    Entry entry{std::string(fields[0]), Sha256(fields[1])};
    for (const Entry& other : store.entries_) {
      if (DigestsEqual(other.digest, entry.digest)) {
        return absl::InvalidArgumentError(
            absl::StrCat(where(), "token is already listed for another entry"));
      }
    }
    store.entries_.push_back(std::move(entry));
  }
  if (store.entries_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": no tokens"));
  }
  return store;
}

absl::StatusOr<TokenStore> TokenStore::Load(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(file, ": cannot read the token file"));
  }
  std::stringstream contents;
  contents << in.rdbuf();
  return Parse(contents.str(), file);
}

absl::StatusOr<std::string> TokenStore::Authenticate(absl::string_view token) const {
  const TokenDigest digest = Sha256(token);
  const Entry* found = nullptr;
  for (const Entry& entry : entries_) {
    if (DigestsEqual(entry.digest, digest)) found = &entry;
  }
  if (found == nullptr) return absl::UnauthenticatedError("invalid bearer token");
  return found->tenant;
}

absl::StatusOr<std::string> TokenStore::AuthenticateHeader(const std::string* header) const {
  if (header == nullptr) {
    return absl::UnauthenticatedError("missing \"authorization: Bearer <token>\" metadata");
  }
  absl::string_view value = *header;
  if (value.size() < 7 || !absl::EqualsIgnoreCase(value.substr(0, 7), "bearer ")) {
    return absl::UnauthenticatedError("authorization metadata must be \"Bearer <token>\"");
  }
  value.remove_prefix(7);
  return Authenticate(absl::StripAsciiWhitespace(value));
}

}  // namespace remotek::server
