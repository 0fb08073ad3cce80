// info and repair on damaged files (issue 20): 2,000 variants of seed files in every format,
// each truncated, with bytes changed, or with a size field set to 0, all ones or huge
// (tests/support/mutate.h). For each, inspect_file and repair_file(variant, new name) return
// a result or Exit::data (65) and nothing else, never crash (the sanitizer build runs this),
// never hang (a watchdog aborts after 10 s naming the variant), and leave the variant
// byte-identical; a repaired copy reads as finalized. In process, so it is fast.
//
// A seed is one line of kSeeds. The CAF and M4A seeds of soundcheck's own writers join when
// those writers land.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <thread>
#include <vector>

#include "formats/inspect/file_info.h"
#include "formats/library_info.h"
#include "formats/writer.h"
#include "tests/support/files.h"
#include "tests/support/mutate.h"
#include "tests/support/temp_dir.h"

namespace sc::test {
namespace {

using formats::Codec;
using formats::Container;
using Clock = std::chrono::steady_clock;

constexpr size_t kTotalVariants = 2000;
constexpr uint64_t kSeedValue = 20;  // the number; change it to explore further
constexpr auto kWatchdog = std::chrono::seconds(10);

// Half a second of a 440 Hz tone through soundcheck's own writer.
using Maker = std::function<bool(const std::string& path)>;

Maker writer_seed(Container container, Codec codec) {
  return [=](const std::string& path) {
    const formats::WriterSpec spec{{container, codec}, 48000, 2};
    auto w = formats::create_file_writer(path, spec, false);
    if (!w) return false;
    std::vector<float> buf(24000 * 2);
    for (size_t i = 0; i < buf.size(); ++i)
      buf[i] = 0.5f *
               static_cast<float>(std::sin(2 * M_PI * 440.0 * static_cast<double>(i / 2) / 48000));
    return (*w)->write(buf.data(), 24000).ok() && (*w)->close().ok();
  };
}

// Half a second of a tone by the ffmpeg program (until soundcheck's M4A and CAF packet
// writers land).
Maker ffmpeg_seed(std::string codec_args) {
  return [=](const std::string& path) {
    const std::string cmd = "ffmpeg -nostdin -v error -f lavfi -i sine=f=1000:d=0.5 -ac 2 " +
                            codec_args + " '" + path + "'";
    return std::system(cmd.c_str()) == 0;
  };
}

struct Seed {
  const char* name;  // the file name, whose extension tells ffmpeg the container
  Maker make;
};

const std::vector<Seed>& seeds() {
  static const std::vector<Seed> list = {
      {"pcm16.wav", writer_seed(Container::wav, Codec::pcm16)},
      {"pcm24.rf64", writer_seed(Container::rf64, Codec::pcm24)},
      {"pcm16.caf", writer_seed(Container::caf, Codec::pcm16)},
      {"aac.m4a", ffmpeg_seed("-c:a aac -b:a 96k")},
      {"alac.m4a", ffmpeg_seed("-c:a alac")},
      {"alac.caf", ffmpeg_seed("-c:a alac")},
  };
  return list;
}

// Runs f on its own thread; a variant that keeps it longer than the watchdog aborts the test
// run, naming the variant (a hang must not pass as a slow test).
template <typename F>
auto within_watchdog(F f, const std::string& what) -> decltype(f()) {
  using R = decltype(f());
  std::packaged_task<R()> task(std::move(f));
  auto result = task.get_future();
  std::thread t(std::move(task));
  if (result.wait_for(kWatchdog) == std::future_status::timeout) {
    std::fprintf(stderr, "HANG (> %lld s): %s\n", static_cast<long long>(kWatchdog.count()),
                 what.c_str());
    std::abort();
  }
  t.join();
  return result.get();
}

struct Counts {
  size_t inspected = 0, not_understood = 0, finalized = 0;
  size_t repaired = 0, needed_nothing = 0, not_repairable = 0;
};

class InspectMutation : public ::testing::TestWithParam<size_t> {};

TEST_P(InspectMutation, NeverCrashesHangsOrChangesTheInput) {
  const size_t which = GetParam();
  const Seed& seed = seeds()[which];
  formats::set_library_logging(false);  // as the program does without -v
  TempDir dir;
  const std::string seed_path = dir.file(seed.name);
  ASSERT_TRUE(seed.make(seed_path)) << "cannot make the seed " << seed.name;
  const std::string original = read_file(seed_path);
  ASSERT_FALSE(original.empty());
  {  // the seed itself is whole
    auto info = formats::inspect_file(seed_path);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_TRUE(info->finalized) << info->repair.value_or("");
  }
  const auto fields = size_fields(original);
  const size_t count = kTotalVariants / seeds().size() + (which < kTotalVariants % seeds().size());
  const std::string variant_path = dir.file(std::string("variant-") + seed.name);
  const std::string out_path = dir.file(std::string("repaired-") + seed.name);
  Counts n;
  const auto start = Clock::now();
  for (size_t i = 0; i < count; ++i) {
    const Variant v = mutate(original, fields, kSeedValue + which, i);
    const std::string what = std::string(seed.name) + " variant " + std::to_string(i) +
                             " (seed value " + std::to_string(kSeedValue + which) + "): " + v.what;
    SCOPED_TRACE(what);
    write_file(variant_path, v.bytes);

    auto info = within_watchdog([&] { return formats::inspect_file(variant_path); }, what);
    if (info) {
      ++n.inspected;
      n.finalized += info->finalized;
    } else {
      ++n.not_understood;
      EXPECT_EQ(info.error().exit, Exit::data) << info.error().message;
    }
    auto r = within_watchdog([&] { return formats::repair_file(variant_path, out_path); }, what);
    if (r) {
      if (r->changed) {
        ++n.repaired;
        EXPECT_EQ(r->output, out_path);
        auto after = within_watchdog([&] { return formats::inspect_file(out_path); }, what);
        ASSERT_TRUE(after.ok()) << after.error().message;
        EXPECT_TRUE(after->finalized) << after->repair.value_or("");
        EXPECT_FALSE(after->repair) << *after->repair;
      } else {
        ++n.needed_nothing;
        EXPECT_FALSE(std::filesystem::exists(out_path));
      }
    } else {
      ++n.not_repairable;
      EXPECT_EQ(r.error().exit, Exit::data) << r.error().message;
      EXPECT_FALSE(std::filesystem::exists(out_path)) << "a failed repair left its output";
    }
    EXPECT_TRUE(read_file(variant_path) == v.bytes) << "the input was changed";
    EXPECT_EQ(dir.entries(), 2u + std::filesystem::exists(out_path)) << "a file was left behind";
    std::filesystem::remove(out_path);
    if (::testing::Test::HasFailure()) break;  // one variant's report is enough
  }
  const double s = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "%s: %zu variants in %.2f s (%zu size fields): info %zu read (%zu finalized), %zu "
      "not understood; repair %zu repaired, %zu needed nothing, %zu refused\n",
      seed.name, count, s, fields.size(), n.inspected, n.finalized, n.not_understood, n.repaired,
      n.needed_nothing, n.not_repairable);
}

INSTANTIATE_TEST_SUITE_P(Seeds, InspectMutation, ::testing::Range<size_t>(0, seeds().size()),
                         [](const ::testing::TestParamInfo<size_t>& p) {
                           std::string name = seeds()[p.param].name;
                           for (auto& c : name)
                             if (c == '.') c = '_';
                           return name;
                         });

}  // namespace
}  // namespace sc::test
