// `session activate` (hold a session with a profile, for scripts and tests) and `session
// interrupt` (a call, a voice assistant or an alarm that interrupts the others). Both join the
// registry, activate, print the activation, hold until --for runs out or SIGINT/SIGTERM while
// saying what happens to them, then deactivate.
#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <memory>

#include "cli/common.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/session.h"
#include "cli/session_shared.h"
#include "core/audio/pulse/calls.h"
#include "core/audio/pulse/phone_stream.h"
#include "core/common/names.h"
#include "core/session/registry.h"
#include "core/session/runtime_dir.h"

namespace sc::cli {
namespace {

using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

// The one call site of PhoneStream: a media.role=phone playback stream of silence tagged with
// the session id, so the audio server and its other clients see `--reason call` as a call
// (module-role-cork corks their playback). No server reachable: no stream, said with -v only.
std::unique_ptr<audio::pulse::PhoneStream> start_phone_stream(uint64_t session_id,
                                                              const GlobalOptions& g,
                                                              std::string_view cmd) {
  auto stream = audio::pulse::PhoneStream::start(session_id);
  if (stream) {
    if (g.verbose)
      fmt::print(stderr, "soundcheck {}: playing '{}' (media.role=phone) on the audio server\n",
                 cmd, audio::pulse::kPhoneStreamName);
    return std::move(*stream);
  }
  if (g.verbose)
    fmt::print(stderr, "soundcheck {}: no phone stream on the audio server: {}\n", cmd,
               stream.error().message);
  return nullptr;
}

// What activate and interrupt hold.
struct Hold {
  std::string_view command;  // "session activate"
  session::Identity who;
  std::optional<Duration> for_;
  json extra;                 // more fields for the activation line ({"reason": "call"})
  bool phone_stream = false;  // --reason call
};

json session_json(const session::SessionRef& ref, const Profile& p, session::Priority prio) {
  return {{"id", ref.id},
          {"pid", ref.pid},
          {"category", std::string(name(p.category))},
          {"mode", std::string(name(p.mode))},
          {"options", option_names(p)},
          {"mixable", is_mixable(p)},
          {"priority", std::string(session::name(prio))}};
}

std::string activation_text(const Hold& h, const session::SessionRef& ref) {
  const Profile& p = h.who.profile;
  const auto opts = option_names(p);
  std::string what = h.who.cause.empty() ? "session" : h.who.cause;
  std::string line = fmt::format(
      "{} active (pid {}): {}, mode {}, {}, {}", what, ref.pid, name(p.category), name(p.mode),
      opts.empty() ? std::string("no options") : "options " + join_comma(opts),
      is_mixable(p) ? "mixable" : "not mixable");
  if (h.who.priority != session::Priority::ordinary)
    line += fmt::format(", priority {}", session::name(h.who.priority));
  line += h.for_ ? fmt::format("; holding for {}", format_duration(*h.for_))
                 : std::string("; holding until SIGINT or SIGTERM");
  return line;
}

// A notification received while holding: said on stderr (unless -q); after an interruption
// that ended with shouldResume, activates again (rule 7), and says how that went.
void on_note(const Hold& h, const GlobalOptions& g, session::Participant& p,
             const session::Notification& n, bool server_call) {
  if (!g.quiet) fmt::print(stderr, "soundcheck {}: {}\n", h.command, note_for_holder(n));
  if (!n.by && n.type == session::NoteType::began) {
    // The audio server's own call: the registry shows this session interrupted.
    p.set_interrupted(true);
    return;
  }
  if (n.type != session::NoteType::ended) return;
  // The registry's interruption (`by` set) leaves this participant inactive until it
  // activates again. The server's call (no `by`) only marked the registry entry: activate
  // again when nothing in the registry still interrupts it.
  if (n.by ? p.active() : !p.active()) return;
  if (!n.should_resume) {
    if (!g.quiet)
      fmt::print(stderr,
                 "soundcheck {}: not resuming without shouldResume (the interrupter deactivated "
                 "with --no-notify); still holding, interrupted\n",
                 h.command);
    return;
  }
  auto st = p.activate(server_call);
  if (st) {
    if (!g.quiet) fmt::print(stderr, "soundcheck {}: active again (resumed)\n", h.command);
    return;
  }
  GlobalOptions text_only = g;  // stdout stays the activation's JSON Lines
  text_only.json = false;
  Error e = st.error();
  e.message = "cannot resume: " + e.message;
  report_error(text_only, h.command, e);
  fmt::print(stderr, "soundcheck {}: still holding, interrupted\n", h.command);
}

int hold(const Hold& h, const GlobalOptions& g) {
  auto dir = session::runtime_dir();
  if (!dir) return report_error(g, h.command, dir.error());
  if (g.verbose) fmt::print(stderr, "soundcheck {}: {}\n", h.command, registry_text(*dir));
  auto waiter = Waiter::create();  // before join() starts the listener thread
  if (!waiter) return report_error(g, h.command, waiter.error());
  auto joined = session::Participant::join(*dir, h.who, (*waiter)->handler());
  if (!joined) return report_error(g, h.command, joined.error());
  session::Participant& p = **joined;

  // The audio server's calls (media.role=phone streams of any application): the activation
  // asks before it decides (rule 5), and an ordinary session hears of one that starts or ends
  // while it holds. No server: no calls.
  std::unique_ptr<audio::pulse::CallWatcher> calls;
  if (h.who.priority == session::Priority::ordinary) {
    auto handler = (*waiter)->handler();
    auto ref = p.ref();
    auto watched =
        audio::pulse::CallWatcher::start([handler, ref](const audio::pulse::CallState& c) {
          session::Notification n;
          n.type = c.active ? session::NoteType::began : session::NoteType::ended;
          n.session = ref;
          n.cause = c.active ? c.who : "the call on the audio server";
          n.should_resume = true;
          n.at = std::chrono::system_clock::now();
          handler(n);
        });
    if (watched) calls = std::move(*watched);
  }
  const bool server_call = calls && calls->state().active;
  if (auto st = p.activate(server_call); !st) return report_error(g, h.command, st.error());
  const auto activated_at = std::chrono::system_clock::now();
  const auto ref = p.ref();
  if (g.json) {
    json line{{"ok", true},
              {"command", std::string(h.command)},
              {"session", session_json(ref, h.who.profile, h.who.priority)}};
    for (const auto& [k, v] : h.extra.items()) line[k] = v;
    line["activated_at"] = session::iso8601(activated_at);
    print_json_line(line);
  } else {
    fmt::print("{}\n", activation_text(h, ref));
    std::fflush(stdout);
  }
  std::unique_ptr<audio::pulse::PhoneStream> phone;
  if (h.phone_stream) phone = start_phone_stream(ref.id, g, h.command);

  std::optional<Clock::time_point> deadline;
  if (h.for_) deadline = Clock::now() + *h.for_;
  for (;;) {
    auto ev = (*waiter)->wait(deadline);
    if (ev.kind != Waiter::Event::Kind::note) break;  // a signal or the end of --for
    on_note(h, g, p, *ev.note, calls && calls->state().active);
  }

  phone.reset();  // the server's call ends first, so nobody resumes into it
  calls.reset();
  p.deactivate();
  const auto deactivated_at = std::chrono::system_clock::now();
  const bool notify = h.who.profile.notify_others_on_deactivation;
  if (g.json) {
    print_json_line(
        {{"ok", true},
         {"command", std::string(h.command)},
         {"deactivated_at", session::iso8601(deactivated_at)},
         {"held_s", std::chrono::duration<double>(deactivated_at - activated_at).count()},
         {"notified", notify}});
  } else if (!g.quiet) {
    fmt::print(stderr, "soundcheck {}: deactivated{}\n", h.command,
               notify ? "" : " without notifying the others (--no-notify)");
  }
  return 0;
}

}  // namespace

void setup_session_hold(CLI::App& session, SessionOptions& opts, const GlobalOptions& g,
                        std::function<int()>& action) {
  auto* activate = session.add_subcommand(
      "activate", "Activate a session with this profile and hold it (scripts, tests)");
  add_profile_options(*activate, opts.activate.profile);
  activate
      ->add_option("--for", opts.activate.for_,
                   "Deactivate after this long (default: at SIGINT/SIGTERM)")
      ->type_name("DURATION");
  activate->callback([&] { action = [&] { return run_session_activate(opts.activate, g); }; });

  auto* interrupt = session.add_subcommand(
      "interrupt", "A call, voice assistant or alarm session that interrupts the others");
  interrupt
      ->add_option("--reason", opts.interrupt.reason,
                   "call (priority over every session), siri (refuses recording), alarm "
                   "(ordinary, non-mixable); default call")
      ->type_name("REASON")
      ->check(CLI::IsMember({"call", "siri", "alarm"}));
  interrupt
      ->add_option("--for", opts.interrupt.for_,
                   "Deactivate after this long (default: at SIGINT/SIGTERM)")
      ->type_name("DURATION");
  interrupt->add_flag("--no-notify", opts.interrupt.no_notify,
                      "Deactivate without notifyOthersOnDeactivation (no shouldResume)");
  interrupt->callback([&] { action = [&] { return run_session_interrupt(opts.interrupt, g); }; });
}

int run_session_activate(const SessionActivateOptions& opts, const GlobalOptions& g) {
  Hold h;
  h.command = "session activate";
  auto for_ = parse_for(opts.for_);
  if (!for_) return report_error(g, h.command, for_.error());
  h.for_ = *for_;
  // The default category is session check's, so both resolve a profile alike.
  auto profile = load_profile(g, h.command, opts.profile, Category::soloAmbient);
  if (!profile) return report_error(g, h.command, profile.error());
  h.who.command = std::string(h.command);
  h.who.profile = *profile;
  // It stands in for a recorder when its category has input: a call refuses it with !pri,
  // siri with `siri` (rule 5), as they would refuse `record`.
  h.who.records = has_input(profile->category);
  return hold(h, g);
}

int run_session_interrupt(const SessionInterruptOptions& opts, const GlobalOptions& g) {
  Hold h;
  h.command = "session interrupt";
  auto for_ = parse_for(opts.for_);
  if (!for_) return report_error(g, h.command, for_.error());
  h.for_ = *for_;
  Profile p;
  if (opts.reason == "alarm") {
    p.category = Category::playback;  // non-mixable, ordinary: rules 2 and 6 only
    h.who.priority = session::Priority::ordinary;
  } else if (opts.reason == "siri") {
    p.category = Category::playAndRecord;
    h.who.priority = session::Priority::siri;
  } else if (opts.reason == "call") {
    p.category = Category::playAndRecord;
    p.mode = Mode::voiceChat;
    h.who.priority = session::Priority::call;
    h.phone_stream = true;
  } else {  // CLI11 checks --reason; this is for callers that do not parse
    return report_error(
        g, h.command,
        make_error(Exit::usage, fmt::format("--reason: '{}' is not a reason", opts.reason),
                   "use --reason call, siri or alarm"));
  }
  p.notify_others_on_deactivation = !opts.no_notify;
  h.who.command = std::string(h.command);
  h.who.profile = p;
  h.who.cause = opts.reason;
  h.extra = {{"reason", opts.reason}};
  return hold(h, g);
}

}  // namespace sc::cli
