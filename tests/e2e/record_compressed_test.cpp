// `soundcheck record` into AAC and ALAC, in M4A and CAF, as a user runs it: invalid pairs,
// the seed's AVAudioRecorder settings, scenario 3, and interruptions in every format (one
// encoder across a pause: no new priming at a resume, no gap in the timestamps).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/audio.h"
#include "tests/support/decode.h"
#include "tests/support/run.h"

namespace sc::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr size_t kAacFrame = 1024;

json doc(const RunResult& r) {
  auto j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "stdout: " << r.out << "\nstderr: " << r.err;
  return j;
}

// How many frames a reader gets beyond those recorded, by container: M4A signals AAC's
// priming (an edit list), so readers trim it; FFmpeg's CAF demuxer ignores mPrimingFrames
// (STYLE.md), so an AAC CAF decodes 1024 frames more. Both pad the last packet.
size_t priming_seen(const std::string& path, const std::string& codec) {
  return codec == "aac" && path.ends_with(".caf") ? kAacFrame : 0;
}

void expect_decodes(const std::string& path, const std::string& codec, unsigned rate,
                    unsigned channels, size_t frames) {
  SCOPED_TRACE(path);
  auto p = probe(path);
  EXPECT_EQ(p.status, 0) << p.errors;
  EXPECT_TRUE(p.errors.empty()) << p.errors;
  auto d = decode_ffmpeg(path);
  ASSERT_TRUE(d.ok) << d.error;
  EXPECT_EQ(d.codec, codec);
  EXPECT_EQ(d.rate, rate);
  EXPECT_EQ(d.channels, channels);
  const size_t frame = codec == "aac" ? kAacFrame : 4096;
  const size_t expected = frames + priming_seen(path, codec);
  EXPECT_GE(d.frames + frame, expected) << "decoded " << d.frames << ", recorded " << frames;
  EXPECT_LT(d.frames, expected + frame) << "decoded " << d.frames << ", recorded " << frames;
}

TEST(RecordCompressed, InvalidPairsAreUsageErrorsThatCreateNoFile) {
  const std::string dir = temp_dir();
  struct Case {
    std::vector<std::string> args;
    const char* says;
  };
  const std::vector<Case> cases = {
      {{"-e", "aac", dir + "/a.wav"}, "wav takes pcm16, pcm24, pcm32 or float32"},
      {{"-e", "float32", dir + "/a.m4a"}, "m4a takes aac, alac or alac24"},
      {{"-r", "22050", "-c", "1", "-b", "320k", dir + "/a.m4a"}, "8000 to 132300 b/s"},
      {{"-c", "1", "-b", "4k", dir + "/a.m4a"}, "b/s, not 4000"},
      {{"-b", "64k", dir + "/a.wav"}, "takes no bitrate"},
      {{"-e", "alac", "-b", "64k", dir + "/a.caf"}, "takes no bitrate"},
      {{"--fragmented", dir + "/a.caf"}, "--fragmented is for m4a"},
      {{"-f", "caf", "-e", "aac", "-"}, "packet table"},
      {{"-r", "44000", dir + "/a.m4a"}, "aac takes"},
      {{"-b", "lots", dir + "/a.m4a"}, "not a bitrate"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args{"record", "-D", "virtual:speed=max", "-d", "1s"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    SCOPED_TRACE(args.back());
    auto r = soundcheck(args);
    EXPECT_EQ(r.status, 64) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("hint:"), std::string::npos) << r.err;
  }
  // Rate and channels from the device: still refused before the first frame, no file.
  auto r =
      soundcheck({"record", "-D", "virtual:speed=max,rate=44000", "-d", "1s", dir + "/dev.m4a"});
  EXPECT_EQ(r.status, 64) << r.err;
  EXPECT_TRUE(fs::is_empty(dir)) << "an invalid pair left a file behind";
}

// The seed's AVAudioRecorder settings (AAC, 22050 Hz, mono) left a 552-byte M4A that would not
// load; here they make a good one.
TEST(RecordCompressed, TheSeedsAvAudioRecorderSettingsMakeAGoodFile) {
  const std::string dir = temp_dir();
  auto r = soundcheck({"--json", "record", "-D", "virtual:signal=sine:1000,speed=max", "-r",
                       "22050", "-c", "1", "-d", "3s", dir + "/memo.m4a"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = doc(r);
  EXPECT_EQ(j["format"], "m4a");
  EXPECT_EQ(j["codec"], "aac");
  EXPECT_EQ(j["bitrate"], 64000);
  EXPECT_EQ(j["frames"], 66150);
  EXPECT_EQ(j["finalized"], true);
  expect_decodes(dir + "/memo.m4a", "aac", 22050, 1, 66150);
  EXPECT_GT(fs::file_size(dir + "/memo.m4a"), 20000u);  // about 3 s at 64 kb/s
}

TEST(RecordCompressed, EveryCodecAndContainerFromTheBinary) {
  const std::string dir = temp_dir();
  struct Case {
    const char* file;
    const char* codec;
  };
  for (const Case& c : {Case{"a.m4a", "aac"}, Case{"b.m4a", "alac"}, Case{"c.m4a", "alac24"},
                        Case{"d.caf", "aac"}, Case{"e.caf", "alac"}, Case{"f.caf", "alac24"}}) {
    const std::string path = dir + "/" + c.file;
    SCOPED_TRACE(path);
    auto r = soundcheck({"--json", "record", "-D", "virtual:signal=sine:440,speed=max", "-e",
                         c.codec, "-d", "2s", path});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(doc(r)["frames"], 96000);
    const std::string ffcodec = std::string(c.codec) == "aac" ? "aac" : "alac";
    expect_decodes(path, ffcodec, 48000, 2, 96000);
    EXPECT_FALSE(fs::exists(path + ".journal")) << "a finalized CAF keeps no journal";
  }
}

// Scenario 3 holds for the compressed formats: no input frames means !rec at once, no file.
TEST(RecordCompressed, NoInputFramesMeansRecAndNoFile) {
  const std::string dir = temp_dir();
  for (const char* name : {"n.m4a", "n.caf"}) {
    std::vector<std::string> args{"--json", "record", "-D", "virtual:channels=0", dir + "/" + name};
    if (std::string(name).ends_with(".caf")) args.insert(args.end() - 1, {"-e", "aac"});
    auto r = soundcheck(args);
    EXPECT_EQ(r.status, 69) << r.err;
    EXPECT_EQ(doc(r)["error"]["fourcc"], "!rec");
  }
  EXPECT_TRUE(fs::is_empty(dir));
}

// Pause mode in every compressed format: two interruptions, one file whose decoded length is
// the recorded frames within one codec frame. An encoder drained and reopened at each resume
// would prime 1024 more frames each time and show here as 2048 extra.
TEST(RecordCompressed, APausedRecordingKeepsOneEncoderAcrossInterruptions) {
  const std::string dir = temp_dir();
  struct Case {
    const char* file;
    const char* codec;
  };
  const std::vector<Case> cases = {
      {"p.m4a", "aac"}, {"q.m4a", "alac"}, {"r.caf", "aac"}, {"s.caf", "alac24"}};
  // One at a time: two recorders are two non-mixable sessions, and would interrupt each other.
  for (const Case& c : cases) {
    const std::string path = dir + "/" + c.file;
    SCOPED_TRACE(path);
    auto rec = start_soundcheck({"--json", "record", "-D", "virtual:signal=sine:1000", "-e",
                                 c.codec, "-d", "2500ms", path});
    wait_for_sessions(1);
    std::this_thread::sleep_for(400ms);
    for (int i = 0; i < 2; ++i) {
      auto alarm = soundcheck({"session", "interrupt", "--reason", "alarm", "--for", "300ms"});
      EXPECT_EQ(alarm.status, 0) << alarm.err;
      std::this_thread::sleep_for(300ms);
    }
    auto r = rec->wait();
    ASSERT_EQ(r.status, 0) << r.err;
    auto j = doc(r);
    EXPECT_EQ(j["interruptions"].size(), 2u) << r.out;
    for (const auto& intr : j["interruptions"]) EXPECT_EQ(intr["outcome"], "resumed") << r.out;
    const size_t frames = j["frames"];
    EXPECT_LT(frames, 2500u * 48);  // the active time only
    const std::string ffcodec = std::string(c.codec) == "aac" ? "aac" : "alac";
    expect_decodes(path, ffcodec, 48000, 2, frames);
    if (path.ends_with(".caf") && ffcodec == "alac") {
      auto a = read_audio(path);  // libsndfile reads ALAC CAF, and trusts its packet table
      ASSERT_TRUE(a.ok) << a.error;
      EXPECT_EQ(a.frames, frames);
    }
  }
}

// --on-interrupt split finalizes the part before and starts the next numbered file.
TEST(RecordCompressed, SplitFinalizesOneFileAndStartsTheNext) {
  const std::string dir = temp_dir();
  auto rec = start_soundcheck(
      {"--json", "record", "-D", "virtual", "--on-interrupt", "split", "-d", "2s", dir + "/t.m4a"});
  wait_for_sessions(1);
  std::this_thread::sleep_for(500ms);
  auto alarm = soundcheck({"session", "interrupt", "--reason", "alarm", "--for", "300ms"});
  EXPECT_EQ(alarm.status, 0) << alarm.err;
  auto r = rec->wait();
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = doc(r);
  ASSERT_EQ(j["files"].size(), 2u) << r.out;
  for (const auto& f : j["files"])
    expect_decodes(f["file"], "aac", 48000, 2, f["frames"].get<size_t>());
}

// A refused resume finalizes: the part before the call is a plain, playable M4A.
TEST(RecordCompressed, ARefusedResumeFinalizes) {
  const std::string dir = temp_dir();
  auto rec = start_soundcheck({"--json", "record", "-D", "virtual", "--background", "--category",
                               "playAndRecord", "-d", "5s", dir + "/bg.m4a"});
  wait_for_sessions(1);
  std::this_thread::sleep_for(500ms);
  auto call = soundcheck({"session", "interrupt", "--reason", "call", "--for", "500ms"});
  EXPECT_EQ(call.status, 0) << call.err;
  auto r = rec->wait();
  EXPECT_EQ(r.status, 75) << r.err;
  auto j = doc(r);
  EXPECT_EQ(j["finalized"], true);
  expect_decodes(dir + "/bg.m4a", "aac", 48000, 2, j["frames"].get<size_t>());
}

}  // namespace
}  // namespace sc::test
