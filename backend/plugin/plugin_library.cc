#include "backend/plugin/plugin_library.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace remotek::plugin {
namespace {

bool IsIdentifier(absl::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool IsRegularFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

template <typename Fn>
void Resolve(void* handle, const char* entry, Fn* out, std::vector<std::string>* missing) {
  const std::string symbol = absl::StrCat("remotek_backend_", entry);
  *out = reinterpret_cast<Fn>(::dlsym(handle, symbol.c_str()));
  if (*out == nullptr && missing != nullptr) missing->push_back(entry);
}

}  // namespace

const std::vector<std::string>& RequiredEntryNames() {
  static const auto* names = new std::vector<std::string>{
      "abi_version", "create", "destroy", "placeholder", "variable", "constant", "op",
      "function", "call", "release", "read", "write", "run_op", "clear"};
  return *names;
}

bool IsExternalBackendName(const std::string& name) {
  return name.find('.') != std::string::npos;
}

absl::StatusOr<std::string> LibraryFileFor(const std::string& name) {
  std::vector<std::string> parts = absl::StrSplit(name, '.');
  for (const std::string& part : parts) {
    if (!IsIdentifier(part)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "backend \"", name,
          "\" is not a valid backend name: expected dot-separated identifiers such as "
          "\"my_package.my_module\""));
    }
  }
  std::string file = absl::StrCat("lib", parts.back(), ".so");
  parts.pop_back();
  parts.push_back(file);
  return absl::StrJoin(parts, "/");
}

std::vector<std::string> SplitSearchPath(const std::string& value) {
  return absl::StrSplit(value, ':', absl::SkipEmpty());
}

absl::StatusOr<std::unique_ptr<PluginLibrary>> PluginLibrary::Load(
    const std::string& name, const std::vector<std::string>& search_path) {
  absl::StatusOr<std::string> file = LibraryFileFor(name);
  if (!file.ok()) return file.status();
  for (const std::string& dir : search_path) {
    std::string path = absl::StrCat(dir, dir.back() == '/' ? "" : "/", *file);
    if (IsRegularFile(path)) return LoadFile(name, path);
  }
  return absl::NotFoundError(absl::StrCat(
      "backend \"", name, "\" not found: no ", *file, " in ",
      search_path.empty() ? "(an empty search path)" : absl::StrJoin(search_path, ", "),
      " (directories come from --backend_path and REMOTEK_BACKEND_PATH)"));
}

absl::StatusOr<std::unique_ptr<PluginLibrary>> PluginLibrary::LoadFile(const std::string& name,
                                                                       const std::string& path) {
  const std::string where = absl::StrCat("backend \"", name, "\" (", path, ")");
  // RTLD_LOCAL: each backend's symbols stay its own; RTLD_NOW: unresolved
  // symbols fail here, not in the middle of a request; RTLD_NODELETE: the
  // code stays mapped after dlclose, because a library's process-lifetime
  // statics (the SDK's kernel table, OpenMP's threads) outlive our handle.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (handle == nullptr) {
    const char* error = ::dlerror();
    return absl::FailedPreconditionError(
        absl::StrCat(where, " could not be loaded: ", error ? error : "unknown dlopen error"));
  }
  PluginEntries e;
  std::vector<std::string> missing;
  Resolve(handle, "abi_version", &e.abi_version, &missing);
  Resolve(handle, "create", &e.create, &missing);
  Resolve(handle, "destroy", &e.destroy, &missing);
  Resolve(handle, "placeholder", &e.placeholder, &missing);
  Resolve(handle, "variable", &e.variable, &missing);
  Resolve(handle, "constant", &e.constant, &missing);
  Resolve(handle, "op", &e.op, &missing);
  Resolve(handle, "function", &e.function, &missing);
  Resolve(handle, "call", &e.call, &missing);
  Resolve(handle, "release", &e.release, &missing);
  Resolve(handle, "read", &e.read, &missing);
  Resolve(handle, "write", &e.write, &missing);
  Resolve(handle, "run_op", &e.run_op, &missing);
  Resolve(handle, "clear", &e.clear, &missing);
  Resolve(handle, "graph", &e.graph, nullptr);
  Resolve(handle, "describe", &e.describe, nullptr);
  Resolve(handle, "ops", &e.ops, nullptr);
  Resolve(handle, "stats", &e.stats, nullptr);
  if (!missing.empty()) {
    ::dlclose(handle);
    std::sort(missing.begin(), missing.end());
    return absl::FailedPreconditionError(absl::StrCat(
        where, " is invalid: missing required entries: ", absl::StrJoin(missing, ", ")));
  }
  const uint32_t version = e.abi_version();
  if (version != REMOTEK_BACKEND_ABI_VERSION) {
    ::dlclose(handle);
    return absl::FailedPreconditionError(
        absl::StrCat(where, " is invalid: it was built for backend ABI version ", version,
                     " and this server speaks version ", REMOTEK_BACKEND_ABI_VERSION));
  }
  return std::unique_ptr<PluginLibrary>(new PluginLibrary(name, path, handle, e));
}

PluginLibrary::~PluginLibrary() {
  if (handle_ != nullptr) ::dlclose(handle_);
}

}  // namespace remotek::plugin
