// repair_file (file_info.h): the module writes a repaired copy, the copy is checked the way a
// reader will meet it, and only then does it take the original's place.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "formats/caf/packet_journal.h"
#include "formats/inspect/file_io.h"
#include "formats/inspect/modules.h"
#include "formats/inspect/readers.h"
#include "formats/sys_error.h"

namespace sc::formats {
namespace {

Error still_writing(const std::string& path) {
  return make_error(Exit::temp_fail, fmt::format("a recorder is still writing '{}'", path),
                    "wait for it to finish, or stop it (SIGINT) first; 'soundcheck info' shows "
                    "the file as it is now");
}

// The copy is whole when it says it is finalized and a reader gets through all of it.
Result<FileInfo> verify(const std::string& copy, const std::string& path) {
  auto after = inspect_file(copy);
  if (!after)
    return make_error(Exit::data,
                      fmt::format("cannot repair '{}': the repaired copy does not read back: {}",
                                  path, after.error().message),
                      "the original is untouched");
  if (!after->finalized || after->repair)
    return make_error(Exit::data,
                      fmt::format("cannot repair '{}': the repaired copy still needs: {}", path,
                                  after->repair.value_or("finalizing")),
                      "the original is untouched");
  if (auto s = reads_to_end(copy, *after); !s)
    return make_error(Exit::data,
                      fmt::format("cannot repair '{}': the repaired copy does not read to its end: "
                                  "{}",
                                  path, s.error().message),
                      "the original is untouched");
  return after;
}

std::string real_path(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) != nullptr ? std::string(buf) : path;
}

Status sync_file(const std::string& file) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0)
    return make_error(Exit::io, fmt::format("cannot write '{}': {}", file, errno_text(errno)),
                      write_hint(errno));
  return ok_status();
}

}  // namespace

Result<RepairResult> repair_file(const std::string& path, const std::string& out) {
  if (being_written(path)) return still_writing(path);
  auto family = family_of(path);
  if (!family) return family.error();
  auto before = inspect_file(path);
  if (!before) return before.error();
  if (before->writing) return still_writing(path);
  if (!before->repair) {
    RepairResult r;
    r.did = fmt::format("'{}' needs nothing: it is finalized", path);
    r.output = path;
    r.after = *before;
    return r;
  }
  // A finalized CAF whose recorder died before it removed its journal: only the journal goes.
  if (*family == Family::caf && before->finalized) {
    const std::string journal = caf::journal_path(path);
    RepairResult r;
    r.output = path;
    r.after = *before;
    r.after.repair.reset();
    if (!out.empty()) {
      r.did = fmt::format(
          "'{}' needs nothing: it is finalized (repair without -o removes its "
          "leftover journal '{}')",
          path, journal);
      return r;
    }
    if (::unlink(journal.c_str()) != 0 && errno != ENOENT)
      return make_error(
          Exit::io,
          fmt::format("cannot remove the leftover journal '{}': {}", journal, errno_text(errno)),
          "the file itself is finalized; remove the journal by hand");
    r.did = fmt::format("removed the leftover journal '{}'; the file was finalized", journal);
    r.changed = true;
    return r;
  }
  if (*family == Family::other)
    return make_error(Exit::internal, fmt::format("no module repairs '{}'", path));

  struct stat st {};
  if (!out.empty() && ::lstat(out.c_str(), &st) == 0)
    return make_error(Exit::cannot_create, fmt::format("'{}' already exists", out),
                      "choose another name for -o, or remove that file first");
  // In place through a symbolic link: the file it names is replaced, not the link.
  const std::string target = out.empty() ? real_path(path) : path;
  const std::string copy = out.empty() ? temp_path_for(target) : out;
  UnlinkGuard guard;
  auto did = [&]() -> Result<std::string> {
    switch (*family) {
      case Family::wav:
        return repair_wav(path, copy);
      case Family::caf:
        return repair_caf(path, copy);
      default:
        return repair_mp4(path, copy);
    }
  }();
  // The module created the copy unless its creation failed (O_EXCL: then it is not ours).
  if (did || (did.error().exit != Exit::cannot_create && ::lstat(copy.c_str(), &st) == 0))
    guard = UnlinkGuard(copy);
  if (!did) {
    if (did.error().exit == Exit::cannot_create &&
        did.error().message.find("already exists") != std::string::npos && !out.empty())
      return make_error(Exit::cannot_create, fmt::format("'{}' already exists", out),
                        "choose another name for -o, or remove that file first");
    if (did.error().exit == Exit::cannot_create && out.empty())
      return make_error(Exit::cannot_create,
                        fmt::format("cannot write the repaired copy of '{}' beside it: {}", path,
                                    did.error().message),
                        "write it elsewhere with -o OUT");
    return did.error();
  }
  auto after = verify(copy, path);
  if (!after) return after.error();
  if (::stat(path.c_str(), &st) == 0) (void)::chmod(copy.c_str(), st.st_mode & 07777);
  if (auto s = sync_file(copy); !s) return s.error();
  if (out.empty()) {
    if (being_written(path)) return still_writing(path);
    if (::rename(copy.c_str(), target.c_str()) != 0)
      return make_error(
          Exit::io,
          fmt::format("cannot put the repaired copy in place of '{}': {}", path, errno_text(errno)),
          "the original is untouched");
    // A packet CAF's journal described the file just replaced; the new one has its table.
    if (*family == Family::caf) ::unlink(caf::journal_path(path).c_str());
    const std::string dir = parent_dir(target);
    (void)sync_file(dir.empty() ? "." : dir);
  }
  guard.dismiss();
  RepairResult r;
  r.did = std::move(*did);
  r.changed = true;
  r.output = out.empty() ? path : out;
  r.after = std::move(*after);
  r.after.path = r.output;
  return r;
}

}  // namespace sc::formats
