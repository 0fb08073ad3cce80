// SIGKILL torture for the compressed formats (issue: "20 kills at random moments per format,
// some of them during finalization"): recorders of the virtual device in real time are killed
// at random moments, some right after a SIGINT (while they finalize). Each file left behind is
// playable, or `soundcheck repair` makes it so, with at least all but the last second of what
// was captured before the kill.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/decode.h"
#include "tests/support/run.h"

namespace sc::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kKills = 20;
constexpr unsigned kRate = 48000;

std::string fmt_path(const std::string& dir, int i, const std::string& ext) {
  return dir + "/take-" + std::to_string(i) + "." + ext;
}

struct Victim {
  std::string path;
  std::unique_ptr<Process> process;
  std::optional<Clock::time_point> appeared;  // the file exists: its first frames came
  Clock::duration kill_after{};               // after `appeared`
  bool finalizing = false;                    // SIGINT first, then SIGKILL a moment later
  Clock::duration sigint_lead{};              // how long before the SIGKILL
  std::optional<Clock::time_point> stopped;   // the first signal
};

void torture(const std::string& codec, const std::string& ext) {
  const std::string dir = temp_dir();
  std::mt19937 random(static_cast<unsigned>(std::hash<std::string>{}(codec + ext)));
  std::uniform_int_distribution<int> kill_ms(500, 3000);
  std::uniform_int_distribution<int> lead_ms(0, 150);
  std::vector<Victim> victims(kKills);
  for (int i = 0; i < kKills; ++i) {
    Victim& v = victims[static_cast<size_t>(i)];
    v.path = fmt_path(dir, i, ext);
    v.kill_after = std::chrono::milliseconds(kill_ms(random));
    v.finalizing = i % 4 == 3;  // 5 of 20: SIGINT, then SIGKILL 0-150 ms later (finalizing)
    v.sigint_lead = std::chrono::milliseconds(lead_ms(random));
    // A registry of its own each: twenty recorders in one would interrupt each other. Not
    // there yet, so soundcheck makes it 0700 (it refuses a registry others may enter).
    const std::string runtime = temp_dir() + "/registry";
    v.process = start_soundcheck(
        {"record", "-q", "-D", "virtual:signal=sine:1000", "-e", codec, "-d", "10s", v.path},
        {{"SOUNDCHECK_RUNTIME_DIR", runtime}});
  }
  // Watch for each file, then signal it on its schedule.
  const auto deadline = Clock::now() + 20s;
  for (bool pending = true; pending && Clock::now() < deadline;) {
    pending = false;
    const auto now = Clock::now();
    for (Victim& v : victims) {
      if (!v.appeared) {
        if (fs::exists(v.path)) v.appeared = now;
        pending = true;
        continue;
      }
      if (v.stopped && !v.finalizing) continue;
      const auto at = *v.appeared + v.kill_after;
      if (v.finalizing && !v.stopped && now >= at - v.sigint_lead) {
        v.process->signal(SIGINT);
        v.stopped = now;
      }
      if (now >= at && (!v.stopped || v.finalizing)) {
        v.process->signal(SIGKILL);
        if (!v.stopped) v.stopped = now;
        v.finalizing = false;  // done with it
        continue;
      }
      pending = true;
    }
    std::this_thread::sleep_for(2ms);
  }
  int finalized = 0, repaired = 0;
  double worst_loss = 0;
  for (Victim& v : victims) {
    SCOPED_TRACE(v.path);
    v.process->wait();
    ASSERT_TRUE(v.appeared) << "the recorder never wrote its file";
    ASSERT_TRUE(v.stopped);
    const double captured = std::chrono::duration<double>(*v.stopped - *v.appeared).count();
    auto info = soundcheck({"--json", "info", v.path});
    ASSERT_EQ(info.status, 0) << info.err;
    auto j = json::parse(info.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << info.out;
    const json& f = j["files"][0];
    EXPECT_FALSE(f["writing"].get<bool>()) << "a killed recorder holds no lock";
    // Finalized with nothing to repair; a CAF killed between its packet table and the removal
    // of its journal is finalized too, and repair removes the leftover journal.
    if (f["finalized"].get<bool>() && f["repair"].is_null()) {
      ++finalized;
    } else {
      auto r = soundcheck({"repair", v.path});
      ASSERT_EQ(r.status, 0) << r.err;
      ++repaired;
    }
    auto d = decode_ffmpeg(v.path);
    ASSERT_TRUE(d.ok) << d.error;
    const double held = static_cast<double>(d.frames) / kRate;
    worst_loss = std::max(worst_loss, captured - held);
    EXPECT_GE(held, captured - 1.0) << "captured " << captured << " s before the kill";
    EXPECT_FALSE(fs::exists(v.path + ".journal")) << "the repaired file keeps no journal";
  }
  // A kill before an M4A's first fragment, or inside the remux of its finalization, leaves a
  // hidden temp beside the name (the name itself is whole): counted, for the record.
  int temps = 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().ends_with(".part")) ++temps;
  std::printf(
      "[ measured ] %s in %s: %d killed, %d finalized, %d repaired, worst loss %.3f s, %d hidden "
      "temps left\n",
      codec.c_str(), ext.c_str(), kKills, finalized, repaired, worst_loss, temps);
}

TEST(RecordKillTorture, AacInM4a) { torture("aac", "m4a"); }
TEST(RecordKillTorture, AlacInM4a) { torture("alac", "m4a"); }
TEST(RecordKillTorture, AacInCaf) { torture("aac", "caf"); }
TEST(RecordKillTorture, Alac24InCaf) { torture("alac24", "caf"); }

}  // namespace
}  // namespace sc::test
