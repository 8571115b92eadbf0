// Finds, loads and validates an external backend library (the C ABI of
// remotek_backend_abi.h) before anything of it is used.
//
// Naming: an external backend name is dot-separated identifiers
// ("my_package.my_module"); it resolves to `<dir>/my_package/libmy_module.so`
// in the first directory of the search path that has it. A name of one
// identifier ("mymod") resolves to `<dir>/libmymod.so`.
#ifndef REMOTEK_BACKEND_PLUGIN_PLUGIN_LIBRARY_H_
#define REMOTEK_BACKEND_PLUGIN_PLUGIN_LIBRARY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backend/plugin/remotek_backend_abi.h"

namespace remotek::plugin {

// The resolved entry points. Required ones are never null; optional ones may be.
struct PluginEntries {
  RkAbiVersionFn abi_version = nullptr;
  RkCreateFn create = nullptr;
  RkDestroyFn destroy = nullptr;
  RkNodeFn placeholder = nullptr;
  RkNodeFn variable = nullptr;
  RkNodeFn constant = nullptr;
  RkNodeFn op = nullptr;
  RkFunctionFn function = nullptr;
  RkCallFn call = nullptr;
  RkHandleFn release = nullptr;
  RkHandleFn read = nullptr;
  RkWriteFn write = nullptr;
  RkRunOpFn run_op = nullptr;
  RkClearFn clear = nullptr;
  // Optional.
  RkGraphFn graph = nullptr;
  RkHandleFn describe = nullptr;
  RkOpsFn ops = nullptr;
  RkStatsFn stats = nullptr;
};

// The names of the required entries, in the order the ABI header lists them.
const std::vector<std::string>& RequiredEntryNames();

// A loaded, validated library. Thread-safety: immutable after Load.
class PluginLibrary {
 public:
  // Loads the library for backend `name` from the first directory in
  // `search_path` that has it. Errors (one message each, naming the backend):
  //  - INVALID_ARGUMENT: `name` is not dot-separated identifiers;
  //  - NOT_FOUND: no directory has the file (names the file and every
  //    directory searched);
  //  - FAILED_PRECONDITION: dlopen failed, an ABI version mismatch, or
  //    missing required entries (all of them, sorted, in one message:
  //    `backend "a.b" (/dir/a/libb.so) is invalid: missing required entries:
  //    function, placeholder`).
  static absl::StatusOr<std::unique_ptr<PluginLibrary>> Load(
      const std::string& name, const std::vector<std::string>& search_path);
  // As Load, for an explicit file.
  static absl::StatusOr<std::unique_ptr<PluginLibrary>> LoadFile(const std::string& name,
                                                                 const std::string& path);
  ~PluginLibrary();
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  const std::string& name() const { return name_; }
  const std::string& path() const { return path_; }
  const PluginEntries& entries() const { return entries_; }

 private:
  PluginLibrary(std::string name, std::string path, void* handle, PluginEntries entries)
      : name_(std::move(name)), path_(std::move(path)), handle_(handle), entries_(entries) {}
  std::string name_;
  std::string path_;
  void* handle_;
  PluginEntries entries_;
};

// True for names that can only be external ("a.b"); built-in names have no dot.
bool IsExternalBackendName(const std::string& name);
// The relative file a backend name resolves to ("a/b/libc.so" for "a.b.c").
// INVALID_ARGUMENT for a name that is not dot-separated identifiers.
absl::StatusOr<std::string> LibraryFileFor(const std::string& name);
// Splits a colon-separated path list, dropping empty entries.
std::vector<std::string> SplitSearchPath(const std::string& value);

}  // namespace remotek::plugin

#endif  // REMOTEK_BACKEND_PLUGIN_PLUGIN_LIBRARY_H_
