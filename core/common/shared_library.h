// A shared library opened when first needed (dlopen) instead of linked, for the libraries that
// would cost every start of every command their loading (core/audio/pulse_lib.h says how
// much). Opened with RTLD_NOW | RTLD_LOCAL and never closed: its functions are used until exit.
//
// Threads: construct and bind once (a function-local static does), then read from any.
#pragma once

#include <string>
#include <string_view>

#include "core/common/error.h"

namespace sc {

class SharedLibrary {
 public:
  explicit SharedLibrary(std::string soname);
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;

  // Points `fn` at `symbol`, typed as the caller's table declares it (the library's own
  // declaration, decltype(&::name)); records the first symbol that is missing.
  template <typename Fn>
  void bind(Fn& fn, const char* symbol) {
    fn = reinterpret_cast<Fn>(find(symbol));
  }

  // True when the library opened and every symbol bound so far was there.
  bool ok() const { return failure_.empty(); }

  // Exit::unavailable: "cannot load SONAME: WHY", hint "install it: apt-get install PACKAGE".
  Error error(std::string_view package) const;

 private:
  void* find(const char* symbol);

  std::string soname_;
  void* handle_ = nullptr;
  std::string failure_;  // dlerror() of the open, or the first symbol missing
};

}  // namespace sc
