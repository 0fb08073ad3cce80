#include "core/common/error.h"

namespace sc {

const char* exit_name(Exit e) {
  switch (e) {
    case Exit::ok:
      return "ok";
    case Exit::check_failed:
      return "check_failed";
    case Exit::usage:
      return "usage";
    case Exit::data:
      return "data";
    case Exit::no_input:
      return "no_input";
    case Exit::unavailable:
      return "unavailable";
    case Exit::internal:
      return "internal";
    case Exit::cannot_create:
      return "cannot_create";
    case Exit::io:
      return "io";
    case Exit::temp_fail:
      return "temp_fail";
  }
  return "internal";
}

}  // namespace sc
