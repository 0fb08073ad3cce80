// How the registry names devices: PulseAudio rows from the server's own listing
// (core/audio/pulse/rows.h), and ALSA identifiers (core/audio/rtaudio/alsa_ids.h).
#include <gtest/gtest.h>

#include <vector>

#include "core/audio/pulse/device.h"
#include "core/audio/pulse/rows.h"
#include "core/audio/rtaudio/alsa_ids.h"

namespace sc::audio {
namespace {

PulseObject object(std::string name, std::string description, unsigned rate) {
  PulseObject o;
  o.name = std::move(name);
  o.description = std::move(description);
  o.channels = 2;
  o.rate = rate;
  return o;
}

// The null sink "loop" and a sound card whose sink and source share a description.
PulseSnapshot server() {
  PulseSnapshot s;
  s.default_source = "loop.monitor";
  s.default_sink = "card.out";
  s.sources = {object("loop.monitor", "Monitor of Null Output", 44100),
               object("card.in", "Built-in Audio", 48000),
               object("card.out.monitor", "Monitor of Built-in Audio", 48000)};
  s.sinks = {object("loop", "Null Output", 44100), object("card.out", "Built-in Audio", 48000)};
  return s;
}

TEST(RegistryPulseRows, OneRowPerSourceThenPerSinkInTheServersOrder) {
  const auto rows = pulse_rows(server());
  ASSERT_EQ(rows.size(), 5u);
  const char* ids[] = {"loop.monitor", "card.in", "card.out.monitor", "loop", "card.out"};
  for (size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(ids[i]);
    EXPECT_EQ(rows[i].id, ids[i]);
    EXPECT_EQ(rows[i].api, "pulse");
    EXPECT_EQ(rows[i].rates, pulse_stream_rates());
  }
  // A card whose sink and source share a description (RtAudio 5.2 merged them into one
  // device) is two rows: its source an input, its sink an output.
  EXPECT_EQ(rows[1].name, "Built-in Audio");
  EXPECT_EQ(rows[1].input_channels, 2u);
  EXPECT_EQ(rows[1].output_channels, 0u);
  EXPECT_EQ(rows[4].name, "Built-in Audio");
  EXPECT_EQ(rows[4].input_channels, 0u);
  EXPECT_EQ(rows[4].output_channels, 2u);
  // Defaults and preferred rates are the server's.
  EXPECT_TRUE(rows[0].default_input);
  EXPECT_FALSE(rows[0].default_output);
  EXPECT_TRUE(rows[4].default_output);
  EXPECT_FALSE(rows[3].default_output);
  EXPECT_EQ(rows[0].preferred_rate, 44100u);
  EXPECT_EQ(rows[1].preferred_rate, 48000u);
}

TEST(RegistryPulseRows, AnObjectWithoutDescriptionIsNamedByItsName) {
  PulseSnapshot s;
  s.sources = {object("bare", "", 48000)};
  const auto rows = pulse_rows(s);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].name, "bare");
  EXPECT_FALSE(rows[0].default_input);
}

TEST(RegistryAlsaIds, HwIdsFromTheCardListInRtAudiosOrder) {
  const std::vector<AlsaPcm> pcms = {
      {0, 0, "HDA Intel PCH"}, {0, 3, "HDA Intel PCH"}, {1, 0, "USB Audio"}};
  EXPECT_EQ(alsa_id("hw:HDA Intel PCH,0", 0, pcms), "hw:0,0");
  EXPECT_EQ(alsa_id("hw:HDA Intel PCH,3", 1, pcms), "hw:0,3");
  EXPECT_EQ(alsa_id("hw:USB Audio,0", 2, pcms), "hw:1,0");
  EXPECT_EQ(alsa_id("default", 3, pcms), "default");
  EXPECT_EQ(alsa_id("hw:2,1", 7, pcms), "hw:2,1");
  // When the lists disagree the id is unknown rather than wrong.
  EXPECT_EQ(alsa_id("hw:USB Audio,0", 0, pcms), "");
  EXPECT_EQ(alsa_id("hw:Other,0", 9, pcms), "");
}

}  // namespace
}  // namespace sc::audio
