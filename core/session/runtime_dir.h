// Where one user's sessions meet (DESIGN.md "Sessions across processes"):
// $SOUNDCHECK_RUNTIME_DIR, else $XDG_RUNTIME_DIR/soundcheck, else /tmp/soundcheck-UID.
#pragma once

#include <string>

#include "core/common/error.h"

namespace sc::session {

struct RuntimeDir {
  std::string path;  // absolute
  std::string from;  // "SOUNDCHECK_RUNTIME_DIR", "XDG_RUNTIME_DIR" or "/tmp"
};

// Resolves the directory and makes sure it exists with mode 0700, owned by this user (it
// is created so when missing, its parents too for SOUNDCHECK_RUNTIME_DIR). A directory owned
// by another user, a path that is not a directory, or one that group or others may enter is
// refused: Exit::unavailable (69), naming the path, its owner and mode, with a hint (another
// SOUNDCHECK_RUNTIME_DIR, or chmod 700). An empty variable counts as unset.
Result<RuntimeDir> runtime_dir();

}  // namespace sc::session
