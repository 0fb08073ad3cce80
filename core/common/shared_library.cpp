#include "core/common/shared_library.h"

#include <dlfcn.h>
#include <fmt/format.h>

namespace sc {

SharedLibrary::SharedLibrary(std::string soname) : soname_(std::move(soname)) {
  handle_ = dlopen(soname_.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) failure_ = dlerror();
}

void* SharedLibrary::find(const char* symbol) {
  if (!handle_) return nullptr;
  void* p = dlsym(handle_, symbol);
  if (!p && failure_.empty()) failure_ = fmt::format("{} has no {}", soname_, symbol);
  return p;
}

Error SharedLibrary::error(std::string_view package) const {
  return make_error(Exit::unavailable, fmt::format("cannot load {}: {}", soname_, failure_),
                    fmt::format("install it: apt-get install {}", package));
}

}  // namespace sc
