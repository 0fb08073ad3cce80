// The server's own calls and the server's death, on PulseAudio and on PipeWire's pipewire-pulse:
// core's libpulse classes in this process (CallWatcher, PhoneStream, the capture stream) against
// independent tools (paplay, parecord, pactl). This program links soundcheck_core
// (tests/CMakeLists.txt).
//
// Every test runs on a private server of its own (support/private_pulse.h): a phone stream is a
// call for every recorder on its server, and a killed server is everyone's loss, so neither may
// happen on the shared servers other tests record from at the same time. libpulse in this
// process finds the server through PULSE_SERVER, which each test sets (and PULSE_SINK, the sink
// a stream with no device plays into: the private server's null sink).
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "core/audio/device.h"
#include "core/audio/pulse/calls.h"
#include "core/audio/pulse/device.h"
#include "core/audio/pulse/phone_stream.h"
#include "tests/support/eventually.h"
#include "tests/support/private_pulse.h"
#include "tests/support/run.h"

namespace sc::test {
namespace {

using namespace std::chrono_literals;
using audio::pulse::CallState;
using audio::pulse::CallWatcher;
using audio::pulse::PhoneStream;

// What a CallWatcher's on_change reported, in order (called on libpulse's thread).
class Changes {
 public:
  CallWatcher::OnChange callback() {
    return [this](const CallState& s) {
      std::lock_guard<std::mutex> g(mutex_);
      seen_.push_back(s);
    };
  }
  std::vector<CallState> seen() const {
    std::lock_guard<std::mutex> g(mutex_);
    return seen_;
  }
  size_t count() const { return seen().size(); }

 private:
  mutable std::mutex mutex_;
  std::vector<CallState> seen_;
};

// A tone file, `seconds` long, made by an independent tool.
std::string make_tone(const std::string& dir, int seconds) {
  const std::string tone = dir + "/tone.wav";
  auto made = run("/usr/bin/sox", {"-n", "-r", "48000", "-c", "2", "-b", "16", tone, "synth",
                                   std::to_string(seconds), "sine", "440", "gain", "-20"});
  EXPECT_EQ(made.status, 0) << made.err;
  return tone;
}

// Each test against PulseAudio and against pipewire-pulse, each on a private server of its own
// (support/private_pulse.h) with a null sink: a phone stream played here is a call for every
// recorder on its server, so on the shared servers it would interrupt other tests' recordings.
class PulseCalls : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<PrivatePulse>(GetParam());
    ASSERT_TRUE(server_->ok()) << server_->error();
    setenv("PULSE_SERVER", server_->address().c_str(), 1);
    setenv("PULSE_SINK", sink_.c_str(), 1);
    ASSERT_FALSE(server_->load_null_sink(sink_).empty()) << server_->error();
  }
  void TearDown() override {
    unsetenv("PULSE_SERVER");
    unsetenv("PULSE_SINK");
    server_.reset();
  }

  std::map<std::string, std::string> env() const { return server_->env(); }
  RunResult pactl(const std::vector<std::string>& args) const { return server_->pactl(args); }
  // An independent player: paplay with media.role=phone (or `role`) into this process's sink.
  std::unique_ptr<Process> play(const std::string& file, const std::string& role = "phone") const {
    return std::make_unique<Process>(
        "/usr/bin/paplay",
        std::vector<std::string>{"--device=" + sink_, "--latency-msec=100",
                                 "--property=media.role=" + role, file},
        env());
  }
  // The index of the sink input of process `pid` ("" if none), from pactl.
  std::string sink_input_of(int pid) const {
    auto r = pactl({"list", "sink-inputs"});
    std::string index;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("Sink Input #", 0) == 0) index = line.substr(12);
      if (line.find("application.process.id = \"" + std::to_string(pid) + "\"") !=
          std::string::npos)
        return index;
    }
    return "";
  }

  static inline const std::string sink_ = "sc_calls";
  std::unique_ptr<PrivatePulse> server_;
};
INSTANTIATE_TEST_SUITE_P(Server, PulseCalls, ::testing::Values("pulseaudio", "pipewire"),
                         [](const auto& p) { return p.param; });

TEST_P(PulseCalls, APhoneStreamOfAnotherApplicationIsACallUntilItEnds) {
  const std::string tone = make_tone(temp_dir(), 2);
  Changes changes;
  auto w = CallWatcher::start(changes.callback());
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_TRUE((*w)->connected());
  EXPECT_FALSE((*w)->state().active);
  auto player = play(tone);
  ASSERT_TRUE(eventually(3s, [&] { return changes.count() >= 1; })) << "no call seen";
  const CallState began = changes.seen().at(0);
  std::printf("[ who      ] %s: %s\n", GetParam().c_str(), began.who.c_str());
  EXPECT_TRUE(began.active);
  EXPECT_NE(began.who.find("phone stream '"), std::string::npos) << began.who;
  EXPECT_NE(began.who.find("of paplay (pid " + std::to_string(player->pid()) + ")"),
            std::string::npos)
      << began.who;
  EXPECT_TRUE((*w)->state().active);
  EXPECT_EQ((*w)->state().who, began.who);
  // A second watcher started now sees the call before start() returns.
  auto now = CallWatcher::start(nullptr);
  ASSERT_TRUE(now.ok()) << now.error().message;
  EXPECT_TRUE((*now)->state().active);
  EXPECT_EQ((*now)->state().who, began.who);

  auto r = player->wait();
  EXPECT_EQ(r.status, 0) << r.err;
  ASSERT_TRUE(eventually(3s, [&] { return changes.count() >= 2; })) << "the call never ended";
  EXPECT_FALSE(changes.seen().at(1).active);
  EXPECT_EQ(changes.seen().at(1).who, "");
  EXPECT_FALSE((*w)->state().active);
  EXPECT_EQ(changes.count(), 2u);
}

// A softphone's microphone stream carries the role too.
TEST_P(PulseCalls, APhoneRecordingIsACall) {
  const std::string out = temp_dir() + "/mic.wav";
  Changes changes;
  auto w = CallWatcher::start(changes.callback());
  ASSERT_TRUE(w.ok()) << w.error().message;
  Process rec("/usr/bin/parecord",
              {"--device=" + sink_ + ".monitor", "--property=media.role=phone", out}, env());
  ASSERT_TRUE(eventually(3s, [&] { return changes.count() >= 1; })) << "no call seen";
  EXPECT_TRUE(changes.seen().at(0).active);
  EXPECT_NE(changes.seen().at(0).who.find("phone recording '"), std::string::npos)
      << changes.seen().at(0).who;
  rec.signal(SIGINT);
  rec.wait();
  ASSERT_TRUE(eventually(3s, [&] { return changes.count() >= 2; })) << "the call never ended";
  EXPECT_FALSE((*w)->state().active);
}

// Other roles are not calls.
TEST_P(PulseCalls, MusicIsNotACall) {
  const std::string tone = make_tone(temp_dir(), 1);
  Changes changes;
  auto w = CallWatcher::start(changes.callback());
  ASSERT_TRUE(w.ok()) << w.error().message;
  auto player = play(tone, "music");
  player->wait();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(changes.count(), 0u);
  EXPECT_FALSE((*w)->state().active);
}

// module-role-cork's judgement (stream-interaction.c, find_trigger_stream): a muted phone
// stream triggers nothing; unmuted it does.
TEST_P(PulseCalls, AMutedPhoneStreamIsNotACall) {
  const std::string tone = make_tone(temp_dir(), 10);
  Changes changes;
  auto w = CallWatcher::start(changes.callback());
  ASSERT_TRUE(w.ok()) << w.error().message;
  auto player = play(tone);
  ASSERT_TRUE(eventually(3s, [&] { return changes.count() >= 1; })) << "no call seen";
  std::string index;
  ASSERT_TRUE(eventually(2s, [&] { return !(index = sink_input_of(player->pid())).empty(); }));
  auto m = pactl({"set-sink-input-mute", index, "1"});
  ASSERT_EQ(m.status, 0) << m.err;
  ASSERT_TRUE(eventually(3s, [&] { return changes.count() >= 2; })) << "still a call when muted";
  EXPECT_FALSE(changes.seen().at(1).active);
  // A watcher started now does not count it either.
  auto now = CallWatcher::start(nullptr);
  ASSERT_TRUE(now.ok()) << now.error().message;
  EXPECT_FALSE((*now)->state().active);
  m = pactl({"set-sink-input-mute", index, "0"});
  ASSERT_EQ(m.status, 0) << m.err;
  ASSERT_TRUE(eventually(3s, [&] { return changes.count() >= 3; })) << "unmuted, not a call";
  EXPECT_TRUE(changes.seen().at(2).active);
  player->signal(SIGTERM);
  player->wait();
}

// Another application's phone stream that starts corked, as a test can make one: libpulse in
// this process, with no soundcheck.session property.
class CorkablePhoneStream {
 public:
  CorkablePhoneStream() {
    auto c = audio::pulse::Context::connect(std::chrono::steady_clock::now() + 2s);
    if (!c) return;
    context_ = std::move(*c);
    audio::pulse::Context::Lock lock(*context_);
    pa_proplist* props = pa_proplist_new();
    pa_proplist_sets(props, PA_PROP_MEDIA_ROLE, "phone");
    pa_sample_spec ss{PA_SAMPLE_S16NE, 48000, 1};
    stream_ = pa_stream_new_with_proplist(context_->get(), "corked phone", &ss, nullptr, props);
    pa_proplist_free(props);
    if (!stream_) return;
    pa_stream_set_state_callback(stream_, &signal, context_.get());
    pa_stream_set_write_callback(stream_, &silence, nullptr);
    pa_stream_connect_playback(stream_, nullptr, nullptr, PA_STREAM_START_CORKED, nullptr, nullptr);
    context_->wait_until(std::chrono::steady_clock::now() + 2s,
                         [&] { return pa_stream_get_state(stream_) == PA_STREAM_READY; });
  }
  ~CorkablePhoneStream() {
    if (!context_) return;
    {
      audio::pulse::Context::Lock lock(*context_);
      if (stream_) {
        pa_stream_set_state_callback(stream_, nullptr, nullptr);
        pa_stream_set_write_callback(stream_, nullptr, nullptr);
        pa_stream_disconnect(stream_);
        pa_stream_unref(stream_);
      }
    }
    context_.reset();
  }
  CorkablePhoneStream(const CorkablePhoneStream&) = delete;
  CorkablePhoneStream& operator=(const CorkablePhoneStream&) = delete;

  bool ready() {
    if (!context_ || !stream_) return false;
    audio::pulse::Context::Lock lock(*context_);
    return pa_stream_get_state(stream_) == PA_STREAM_READY;
  }
  void cork(bool corked) {
    audio::pulse::Context::Lock lock(*context_);
    audio::pulse::Operation op(pa_stream_cork(stream_, corked ? 1 : 0, nullptr, nullptr));
  }

 private:
  static void signal(pa_stream*, void* c) { static_cast<audio::pulse::Context*>(c)->signal(); }
  static void silence(pa_stream* s, size_t bytes, void*) {
    void* data = nullptr;
    if (pa_stream_begin_write(s, &data, &bytes) < 0 || !data) return;
    bytes -= bytes % 2;
    std::memset(data, 0, bytes);
    pa_stream_write(s, data, bytes, nullptr, 0, PA_SEEK_RELATIVE);
  }

  std::unique_ptr<audio::pulse::Context> context_;
  pa_stream* stream_ = nullptr;
};

TEST_P(PulseCalls, ACorkedPhoneStreamIsNotACall) {
  Changes changes;
  auto w = CallWatcher::start(changes.callback());
  ASSERT_TRUE(w.ok()) << w.error().message;
  CorkablePhoneStream phone;
  ASSERT_TRUE(phone.ready());
  // Seen by the server, and not a call: neither to the watcher that saw it come nor to one
  // that lists it.
  auto now = CallWatcher::start(nullptr);
  ASSERT_TRUE(now.ok()) << now.error().message;
  EXPECT_FALSE((*now)->state().active);
  EXPECT_EQ(changes.count(), 0u);
  EXPECT_FALSE((*w)->state().active);
  phone.cork(false);
  ASSERT_TRUE(eventually(3s, [&] { return changes.count() >= 1; })) << "uncorked, not a call";
  EXPECT_TRUE(changes.seen().at(0).active);
  EXPECT_NE(changes.seen().at(0).who.find("'corked phone'"), std::string::npos)
      << changes.seen().at(0).who;
  phone.cork(true);
  ASSERT_TRUE(eventually(3s, [&] { return changes.count() >= 2; })) << "corked, still a call";
  EXPECT_FALSE(changes.seen().at(1).active);
}

// soundcheck's own call: a phone stream any tool sees, which the watcher leaves out.
TEST_P(PulseCalls, OurPhoneStreamIsSeenByOthersButIsNotACall) {
  Changes changes;
  auto w = CallWatcher::start(changes.callback());
  ASSERT_TRUE(w.ok()) << w.error().message;
  const uint64_t session = 4200u + static_cast<uint64_t>(getpid());
  auto phone = PhoneStream::start(session);
  ASSERT_TRUE(phone.ok()) << phone.error().message;
  EXPECT_TRUE((*phone)->playing());
  auto list = pactl({"list", "sink-inputs"});
  ASSERT_EQ(list.status, 0) << list.err;
  const std::string ours = "soundcheck.session = \"" + std::to_string(session) + "\"";
  const size_t at = list.out.find(ours);
  ASSERT_NE(at, std::string::npos) << list.out;
  // The same sink input says it is a phone stream, played into this process's sink.
  const size_t begin = list.out.rfind("Sink Input #", at);
  const size_t end = list.out.find("Sink Input #", at);
  const std::string entry = list.out.substr(begin, end == std::string::npos ? end : end - begin);
  EXPECT_NE(entry.find("media.role = \"phone\""), std::string::npos) << entry;
  EXPECT_NE(entry.find("media.name = \"soundcheck call\""), std::string::npos) << entry;
  EXPECT_NE(entry.find("Corked: no"), std::string::npos) << entry;
  auto now = CallWatcher::start(nullptr);
  ASSERT_TRUE(now.ok()) << now.error().message;
  EXPECT_FALSE((*now)->state().active);
  // Someone else's call is still seen meanwhile (the watcher has had the events).
  const std::string tone = make_tone(temp_dir(), 1);
  auto player = play(tone);
  ASSERT_TRUE(eventually(3s, [&] { return changes.count() >= 1; })) << "no call seen";
  EXPECT_NE(changes.seen().at(0).who.find("paplay"), std::string::npos) << changes.seen().at(0).who;
  player->wait();
  ASSERT_TRUE(eventually(3s, [&] { return changes.count() >= 2; }));
  EXPECT_FALSE((*w)->state().active);
  phone->reset();
  auto after = pactl({"list", "sink-inputs"});
  EXPECT_EQ(after.out.find(ours), std::string::npos) << "the stream outlived its object";
}

// Where the server has module-role-cork (Debian's default.pa loads it; the private server gets it
// here; pipewire-pulse has none), our call mutes other playback on its sink while it lasts, and
// only then.
TEST_P(PulseCalls, OurPhoneStreamCorksOthersWhereModuleRoleCorkIsLoaded) {
  if (pactl({"load-module", "module-role-cork"}).status != 0)
    GTEST_SKIP() << GetParam() << " has no module-role-cork";
  const std::string tone = make_tone(temp_dir(), 10);
  auto music = play(tone, "music");
  std::string index;
  ASSERT_TRUE(eventually(2s, [&] { return !(index = sink_input_of(music->pid())).empty(); }));
  auto muted = [&] {
    auto r = pactl({"list", "sink-inputs"});
    const size_t at = r.out.find("Sink Input #" + index + "\n");
    if (at == std::string::npos) return false;
    const size_t mute = r.out.find("Mute: ", at);
    return mute != std::string::npos && r.out.compare(mute, 9, "Mute: yes") == 0;
  };
  EXPECT_FALSE(muted());
  auto phone = PhoneStream::start(7);
  ASSERT_TRUE(phone.ok()) << phone.error().message;
  EXPECT_TRUE(eventually(2s, muted)) << "the music plays on during our call";
  phone->reset();
  EXPECT_TRUE(eventually(2s, [&] { return !muted(); })) << "the music stays muted after it";
  music->signal(SIGTERM);
  music->wait();
}

// With no server, start() is an Error with Exit::unavailable, at once.
TEST(PulseCallsNoServer, NoServerIsUnavailableAndQuick) {
  const std::string dir = temp_dir();
  setenv("PULSE_SERVER", ("unix:" + dir + "/none").c_str(), 1);
  const auto t0 = std::chrono::steady_clock::now();
  auto w = CallWatcher::start(nullptr);
  auto p = PhoneStream::start(1);
  const auto took = std::chrono::steady_clock::now() - t0;
  unsetenv("PULSE_SERVER");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().exit, Exit::unavailable);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().exit, Exit::unavailable);
  EXPECT_LT(took, 1s);
}

// What a capture stream delivered: frames counted, events kept (libpulse's thread; a test may
// lock).
class EventSink final : public audio::CaptureSink {
 public:
  void on_frames(const float*, size_t frames, Duration) noexcept override {
    std::lock_guard<std::mutex> g(mutex_);
    frames_ += frames;
  }
  void on_event(const audio::DeviceEvent& e) noexcept override {
    std::lock_guard<std::mutex> g(mutex_);
    events_.push_back(e);
  }
  bool wait_for_space(size_t) noexcept override { return true; }
  size_t frames() const {
    std::lock_guard<std::mutex> g(mutex_);
    return frames_;
  }
  // The `ended` event, once there is one.
  std::optional<audio::DeviceEvent> ended() const {
    std::lock_guard<std::mutex> g(mutex_);
    for (const auto& e : events_)
      if (e.kind == audio::DeviceEvent::Kind::ended) return e;
    return std::nullopt;
  }

 private:
  mutable std::mutex mutex_;
  size_t frames_ = 0;
  std::vector<audio::DeviceEvent> events_;
};

// A server of the test's own, which it may kill (support/private_pulse.h). The shared servers
// other tests use are never touched.
class PulseServerLost : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<PrivatePulse>(GetParam());
    ASSERT_TRUE(server_->ok()) << server_->error();
    address_ = server_->address();
    module_ = server_->load_null_sink("sc_lost");
    ASSERT_FALSE(module_.empty()) << server_->error();
    setenv("PULSE_SERVER", address_.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("PULSE_SERVER");
    server_.reset();
  }

  RunResult pactl(const std::vector<std::string>& args) const { return server_->pactl(args); }
  // Kills the server the capture stream is connected to.
  void kill_server() { server_->kill(); }
  // A capture stream on the sink's monitor, started, with frames flowing.
  std::unique_ptr<audio::CaptureStream> record(EventSink& sink) {
    audio::DeviceInfo info;
    info.api = "pulse";
    info.id = info.name = "sc_lost.monitor";
    info.input_channels = 2;
    info.preferred_rate = 48000;
    auto device = audio::make_pulse_device(info);
    auto stream = device->open_capture(audio::StreamParams{}, sink);
    EXPECT_TRUE(stream.ok()) << stream.error().message;
    if (!stream.ok()) return nullptr;
    auto st = (*stream)->start();
    EXPECT_TRUE(st.ok()) << st.error().message;
    EXPECT_TRUE(eventually(3s, [&] { return sink.frames() > 0; })) << "no frames";
    return std::move(*stream);
  }

  std::unique_ptr<PrivatePulse> server_;
  std::string address_, module_;
};
INSTANTIATE_TEST_SUITE_P(Server, PulseServerLost, ::testing::Values("pulseaudio", "pipewire"),
                         [](const auto& p) { return p.param; });

TEST_P(PulseServerLost, AServerThatDiesEndsTheStreamAsServerLost) {
  EventSink sink;
  auto stream = record(sink);
  ASSERT_TRUE(stream);
  kill_server();
  ASSERT_TRUE(eventually(5s, [&] { return sink.ended().has_value(); })) << "no ended event";
  EXPECT_TRUE(sink.ended()->server_lost);
  EXPECT_TRUE(stream->finished());
}

TEST_P(PulseServerLost, ASourceThatGoesAwayIsNotServerLost) {
  EventSink sink;
  auto stream = record(sink);
  ASSERT_TRUE(stream);
  auto u = pactl({"unload-module", module_});
  ASSERT_EQ(u.status, 0) << u.err;
  ASSERT_TRUE(eventually(5s, [&] { return sink.ended().has_value(); })) << "no ended event";
  EXPECT_FALSE(sink.ended()->server_lost);
  EXPECT_TRUE(stream->finished());
}

// A call that is on when the server dies ends, and the watcher stays disconnected.
TEST_P(PulseServerLost, AWatcherSeesTheCallEndWithItsServer) {
  Changes changes;
  auto w = CallWatcher::start(changes.callback());
  ASSERT_TRUE(w.ok()) << w.error().message;
  const std::string tone = make_tone(temp_dir(), 20);
  Process player("/usr/bin/paplay", {"--device=sc_lost", "--property=media.role=phone", tone},
                 {{"PULSE_SERVER", address_}});
  ASSERT_TRUE(eventually(3s, [&] { return changes.count() >= 1; })) << "no call seen";
  EXPECT_TRUE((*w)->state().active);
  kill_server();
  ASSERT_TRUE(eventually(5s, [&] { return changes.count() >= 2; })) << "the call did not end";
  EXPECT_FALSE(changes.seen().at(1).active);
  EXPECT_FALSE((*w)->state().active);
  EXPECT_FALSE((*w)->connected());
}

}  // namespace
}  // namespace sc::test
