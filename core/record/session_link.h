// The session a `record` or a `play` runs under: its entry in the cross-process registry
// (session/registry.h) and the audio server's own calls (audio/pulse/calls.h), merged into
// one sequence of began/ended for the engine's inbox. duck and unduck (rule 4) are passed on
// as they come; the recorder ignores them.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/common/error.h"
#include "core/record/recorder.h"
#include "core/session/inbox.h"
#include "core/session/registry.h"

namespace sc::audio::pulse {
class CallWatcher;
struct CallState;
}  // namespace sc::audio::pulse

namespace sc::record {

class RecordSession final : public SessionLink {
 public:
  // Watches the audio server's calls (none when no server is reachable), joins the registry
  // and activates. Errors: the registry's (69), a refused activation (69 with its code: !pri
  // while a call holds the audio, siri, ...). `inbox` must outlive the session.
  // `command` names the session in the registry ("record", "play"); `records` says whether it
  // records (rule 5).
  static Result<std::unique_ptr<RecordSession>> start(const Profile& profile, session::Inbox& inbox,
                                                      std::string command = "record",
                                                      bool records = true);
  ~RecordSession() override;

  // Activates again (rule 7), asking the server whether a call holds the audio.
  Status reactivate() override;
  void announce(const session::Notification& n) override;

 private:
  explicit RecordSession(session::Inbox& inbox);
  // The participant's listener thread.
  void on_registry(const session::Notification& n);
  // libpulse's loop thread.
  void on_call(const audio::pulse::CallState& c);
  // A call began or ended (mu_ held).
  void apply_call(const audio::pulse::CallState& c);
  // After mediaServicesWereReset (the recorder's thread): a new watcher on the new server.
  void watch_calls_again();
  bool server_call() const;

  session::Inbox& inbox_;
  std::unique_ptr<audio::pulse::CallWatcher> calls_;  // the recorder's thread, after start()
  std::unique_ptr<session::Participant> participant_;
  // One interruption for the recorder while either the registry or the server interrupts.
  std::mutex mu_;
  bool by_registry_ = false;
  bool by_call_ = false;
  bool should_resume_ = true;  // what the registry's `ended` said
};

}  // namespace sc::record
