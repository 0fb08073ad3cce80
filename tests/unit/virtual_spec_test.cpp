// Parsing the virtual device's options (virtual_spec.h): what is accepted, and a message and
// hint for every way each key can be wrong.
#include "core/audio/virtual/spec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/audio/virtual/device.h"

namespace sc::audio {
namespace {

using namespace std::chrono_literals;
using FaultKind = VirtualFault::Kind;

TEST(VirtualSpec, Defaults) {
  for (const char* options : {"", "  "}) {
    auto spec = parse_virtual_spec(options);
    ASSERT_TRUE(spec.ok()) << spec.error().message;
    EXPECT_EQ(spec->signal, VirtualSignal::sine);
    EXPECT_EQ(spec->frequency, 1000);
    EXPECT_EQ(spec->level_dbfs, -6);
    EXPECT_EQ(spec->rate, 48000u);
    EXPECT_EQ(spec->channels, 2u);
    EXPECT_EQ(spec->buffer, 480u);
    EXPECT_EQ(spec->latency, 0s);
    EXPECT_EQ(spec->speed, VirtualSpeed::realtime);
    EXPECT_EQ(spec->seed, 1u);
    EXPECT_TRUE(spec->faults.empty());
  }
  EXPECT_EQ(parse_virtual_spec("")->label(), "virtual");
  EXPECT_EQ(parse_virtual_spec("rate=44.1k")->label(), "virtual:rate=44.1k");
}

TEST(VirtualSpec, EveryKey) {
  auto spec = parse_virtual_spec(
      "signal=sine:440.5,level=-12dB,rate=44.1k,channels=1,buffer=256,latency=5ms,speed=max,"
      "seed=42,xrun=4s,drop=1s:2s,rate-change=3s:96000,xrun=500ms,drop=1m30s");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->frequency, 440.5);
  EXPECT_EQ(spec->level_dbfs, -12);
  EXPECT_EQ(spec->rate, 44100u);
  EXPECT_EQ(spec->channels, 1u);
  EXPECT_EQ(spec->buffer, 256u);
  EXPECT_EQ(spec->latency, 5ms);
  EXPECT_EQ(spec->speed, VirtualSpeed::max);
  EXPECT_EQ(spec->seed, 42u);
  // Sorted by time.
  ASSERT_EQ(spec->faults.size(), 5u);
  EXPECT_EQ(spec->faults[0].kind, FaultKind::xrun);
  EXPECT_EQ(spec->faults[0].at, 500ms);
  EXPECT_EQ(spec->faults[1].kind, FaultKind::drop);
  EXPECT_EQ(spec->faults[1].at, 1s);
  EXPECT_EQ(spec->faults[1].back, 2s);
  EXPECT_EQ(spec->faults[2].kind, FaultKind::rate_change);
  EXPECT_EQ(spec->faults[2].rate, 96000u);
  EXPECT_EQ(spec->faults[3].at, 4s);
  EXPECT_EQ(spec->faults[4].kind, FaultKind::drop);
  EXPECT_EQ(spec->faults[4].at, 90s);
  EXPECT_FALSE(spec->faults[4].back.has_value());
}

TEST(VirtualSpec, LenientSpellings) {
  struct Case {
    const char* options;
    VirtualSignal signal;
  };
  for (const auto& c : std::vector<Case>{{"signal=chirp", VirtualSignal::chirp},
                                         {"Signal=NOISE", VirtualSignal::noise},
                                         {" signal = silence ", VirtualSignal::silence},
                                         {"signal=loop,latency=0.005", VirtualSignal::loop},
                                         {"signal=sine", VirtualSignal::sine},
                                         {"signal=sine:1k", VirtualSignal::sine}}) {
    SCOPED_TRACE(c.options);
    auto spec = parse_virtual_spec(c.options);
    ASSERT_TRUE(spec.ok()) << spec.error().message;
    EXPECT_EQ(spec->signal, c.signal);
  }
  auto spec = parse_virtual_spec("rate_change=1s:48k,RateChange=2s:8000,level=0,rate=768000");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->faults.size(), 2u);
  EXPECT_EQ(spec->level_dbfs, 0);
  EXPECT_EQ(spec->rate, 768000u);
  for (auto [text, rate] :
       std::vector<std::pair<const char*, unsigned>>{{"rate=11.025k", 11025},
                                                     {"rate=22.05k", 22050},
                                                     {"rate=88.2k", 88200},
                                                     {"rate=176.4k", 176400},
                                                     {"signal=noise,rate=1k", 1000},
                                                     {"rate=48000.0", 48000}}) {
    auto r = parse_virtual_spec(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.error().message;
    EXPECT_EQ(r->rate, rate) << text;
  }
  EXPECT_TRUE(parse_virtual_spec("channels=0").ok());
  EXPECT_TRUE(parse_virtual_spec("seed=18446744073709551615").ok());
}

TEST(VirtualSpec, ErrorsNameTheKeyAndTheValue) {
  struct Case {
    const char* options;
    const char* message;  // a substring of the message
    const char* hint;     // a substring of the hint
  };
  const std::vector<Case> cases{
      {"rate=12", "rate '12' is outside 1000..768000", "from 1000 to 768000"},
      {"rate=800k", "rate '800k' is outside 1000..768000", "48k"},
      {"rate=fast", "rate 'fast' is not a whole number of Hz", "rate=HZ"},
      {"rate=44100.5", "rate '44100.5' is not a whole number of Hz", "rate=HZ"},
      {"channels=33", "channels '33' is outside 0..32", "from 0 to 32"},
      {"channels=-1", "channels '-1' is not a whole number", "channels=N"},
      {"channels=two", "channels 'two' is not a whole number", "channels=N"},
      {"buffer=8", "buffer '8' is outside 16..65536", "from 16 to 65536"},
      {"buffer=70000", "buffer '70000' is outside 16..65536", "buffer=FRAMES"},
      {"level=3", "level '3' is above 0 dBFS", "0 or below"},
      {"level=loud", "level 'loud' is not a number of dBFS", "level=DBFS"},
      {"signal=square", "signal 'square' is not one of sine:FREQ, chirp", "chirp, noise"},
      {"signal=chrp", "signal 'chrp'", "did you mean chirp?"},
      {"signal=sine:0", "signal 'sine:0' needs a frequency above 0 Hz", "sine:FREQ"},
      {"signal=sine:abc", "signal 'sine:abc' needs a frequency", "sine:FREQ"},
      {"signal=noise:5", "signal 'noise:5' takes no parameter", "sine:FREQ"},
      {"signal=sine:30000", "signal 'sine:30000' is not below half the rate (24000 Hz)", "rate/2"},
      {"rate=1500", "the default signal 'sine:1000' is not below half the rate (750 Hz)",
       "signal=sine:FREQ"},
      {"signal=sine:1000,rate-change=1s:1500", "is not below half the rate (750 Hz)", "rate/2"},
      {"latency=5q", "latency: '5q' is not a duration", "latency=DUR"},
      {"speed=fast", "speed 'fast' is not realtime or max", "speed=max"},
      {"seed=-3", "seed '-3' is not a whole number", "seed=N"},
      {"seed=99999999999999999999", "seed '99999999999999999999' is outside", "seed=N"},
      {"drop=soon", "drop: 'soon' is not a duration", "drop=AT[:BACK]"},
      {"drop=1s:later", "drop: 'later' is not a duration", "1m30s"},
      {"drop=2s:1s", "drop '2s:1s' comes back before it goes away", "BACK after AT"},
      {"drop=2s:2s", "drop '2s:2s' comes back before it goes away", "BACK after AT"},
      {"xrun=-1s", "xrun: '-1s' is not a duration", "xrun=AT"},
      {"xrun=1s:2s", "xrun '1s:2s' takes one time", "xrun=AT"},
      {"rate-change=1s", "rate-change '1s' needs a rate (AT:HZ)", "rate-change=AT:HZ"},
      {"rate-change=1s:12", "rate-change '12' is outside 1000..768000", "rate-change=AT:HZ"},
      {"rate-change=x:48000", "rate-change: 'x' is not a duration", "rate-change=AT:HZ"},
      {"rat=48000", "unknown key 'rat'", "did you mean rate? keys: signal, level, rate"},
      {"colour=red", "unknown key 'colour'",
       "keys: signal, level, rate, channels, buffer, "
       "latency, speed, seed, drop, xrun, rate-change"},
      {"rate=48000,rate=44100", "rate is given twice ('rate=48000' and 'rate=44100')",
       "only drop, xrun and rate-change may repeat"},
      {"speed=max,speed=max", "speed is given twice", "may repeat"},
      {"rate", "rate needs a value ('rate')", "rate=HZ"},
      {"level=", "level needs a value ('level=')", "level=DBFS"},
      {"rate=48000,,channels=1", "empty option in 'rate=48000,,channels=1'", "commas"},
      {"rate=48000,", "empty option", "commas"},
      {"drop=1s,xrun=2s", "xrun=2s comes after drop=1s, where the device is gone for good",
       "drop=AT:BACK"},
      {"drop=1s,drop=2s:3s", "drop=2s:3s comes after drop=1s", "drop=AT:BACK"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.options);
    auto spec = parse_virtual_spec(c.options);
    ASSERT_FALSE(spec.ok());
    const Error& e = spec.error();
    EXPECT_EQ(e.exit, Exit::usage);
    EXPECT_EQ(e.message.rfind("virtual device: ", 0), 0u) << e.message;
    EXPECT_NE(e.message.find(c.message), std::string::npos) << e.message;
    EXPECT_NE(e.hint.find(c.hint), std::string::npos) << e.hint;
    EXPECT_EQ(e.message.find('\n'), std::string::npos);
    // The device factory reports the same error.
    auto device = make_virtual_device(c.options);
    ASSERT_FALSE(device.ok());
    EXPECT_EQ(device.error().message, e.message);
  }
}

}  // namespace
}  // namespace sc::audio
