// The RtAudio module (core/audio/rtaudio_module.h): found next to the program, and when it is
// missing or foreign, ALSA and JACK devices are refused with a reason while everything else
// works.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "tests/support/run.h"

namespace sc::test {
namespace {

nlohmann::json json_of(const RunResult& r) { return nlohmann::json::parse(r.out); }

TEST(RtAudioModule, IsLoadedFromNextToTheProgram) {
  auto r = soundcheck({"--json", "--version"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = json_of(r);
  EXPECT_TRUE(
      std::isdigit(static_cast<unsigned char>(j["libraries"]["rtaudio"].get<std::string>()[0])));
  const auto apis = j["audio_apis"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(apis.begin(), apis.end(), "alsa"), apis.end());
}

TEST(RtAudioModule, IsFoundWhereCmakeInstallPutsIt) {
  const std::string prefix = temp_dir();
  auto inst = run(SOUNDCHECK_CMAKE, {"--install", SOUNDCHECK_BUILD_DIR, "--prefix", prefix});
  ASSERT_EQ(inst.status, 0) << inst.out << inst.err;
  auto r = run(prefix + "/bin/soundcheck", {"--json", "--version"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto rtaudio = json_of(r)["libraries"]["rtaudio"].get<std::string>();
  EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(rtaudio[0]))) << rtaudio;
}

// A module directory holding `file` (a copy) as soundcheck-rtaudio.so, or nothing.
std::string module_dir(const std::string& file = {}) {
  const std::string dir = temp_dir();
  if (!file.empty()) std::filesystem::copy_file(file, dir + "/soundcheck-rtaudio.so");
  return dir;
}

void expect_alsa_refused(const std::string& dir, const std::string& why) {
  const std::string out = temp_dir() + "/alsa.wav";
  auto r = soundcheck({"record", "-D", "alsa:default", "-d", "1s", out},
                      {{"SOUNDCHECK_MODULE_DIR", dir}});
  EXPECT_EQ(r.status, 69) << r.err;
  EXPECT_NE(r.err.find("ALSA and JACK devices need soundcheck-rtaudio.so"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hint: reinstall soundcheck"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(RtAudioModule, MissingRefusesAlsaAndJackWithTheReasonAndNothingElse) {
  const std::string dir = module_dir();
  expect_alsa_refused(dir, dir + "/soundcheck-rtaudio.so: not found");

  const std::map<std::string, std::string> env = {{"SOUNDCHECK_MODULE_DIR", dir}};
  auto v = soundcheck({"--version"}, env);
  EXPECT_EQ(v.status, 0);
  EXPECT_NE(v.out.find("RtAudio not loadable"), std::string::npos) << v.out;
  // The virtual device and the listing do not need the module.
  const std::string out = temp_dir() + "/virtual.wav";
  auto rec = soundcheck({"record", "-q", "-D", "virtual", "-d", "0.2s", out}, env);
  EXPECT_EQ(rec.status, 0) << rec.err;
  EXPECT_TRUE(std::filesystem::exists(out));
  auto list = soundcheck({"--json", "route", "list"}, env);
  ASSERT_EQ(list.status, 0) << list.err;
  const auto listed = json_of(list);
  for (const auto& d : listed["devices"]) {
    EXPECT_NE(d["api"], "alsa");
    EXPECT_NE(d["api"], "jack");
  }
}

TEST(RtAudioModule, AForeignLibraryIsRefused) {
  // A real shared library without the module's entry point (a module of another version).
  expect_alsa_refused(module_dir("/lib/x86_64-linux-gnu/libogg.so.0"),
                      "no sc_rtaudio_module_v1 (a module of another soundcheck version)");
  // A file that is not a library at all.
  const std::string dir = module_dir();
  std::ofstream(dir + "/soundcheck-rtaudio.so") << "not an ELF file\n";
  expect_alsa_refused(dir, "soundcheck-rtaudio.so");
}

}  // namespace
}  // namespace sc::test
