// How the registry names devices: PulseAudio rows from RtAudio's listing and the server's
// own (core/audio/pulse_devices.h), and ALSA identifiers (core/audio/alsa_ids.h).
#include <gtest/gtest.h>

#include <vector>

#include "core/audio/alsa_ids.h"
#include "core/audio/pulse_devices.h"

namespace sc::audio {
namespace {

DeviceInfo rt(std::string name, unsigned in, unsigned out) {
  DeviceInfo d;
  d.api = "pulse";
  d.name = std::move(name);
  d.input_channels = in;
  d.output_channels = out;
  d.rates = {8000, 44100, 48000, 96000};
  return d;
}

PulseObject object(std::string name, std::string description, unsigned rate) {
  PulseObject o;
  o.name = std::move(name);
  o.description = std::move(description);
  o.channels = 2;
  o.rate = rate;
  return o;
}

// The null sink "loop" and a sound card whose sink and source share a description, which
// RtAudio 5.2 merges into one device.
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

TEST(RegistryPulseRows, OneRowPerSourceAndSinkInRtAudiosOrder) {
  const std::vector<DeviceInfo> rtaudio = {rt("Monitor of Null Output", 2, 0),
                                           rt("Null Output", 0, 2), rt("Built-in Audio", 2, 2),
                                           rt("Monitor of Built-in Audio", 2, 0)};
  const auto rows = pulse_rows(server(), rtaudio);
  ASSERT_EQ(rows.size(), 5u);
  const char* ids[] = {"loop.monitor", "loop", "card.in", "card.out", "card.out.monitor"};
  for (size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(ids[i]);
    EXPECT_EQ(rows[i].id, ids[i]);
    EXPECT_EQ(rows[i].api, "pulse");
    EXPECT_EQ(rows[i].rates, rtaudio.front().rates);
  }
  // The merged card is split again: its source is an input, its sink an output.
  EXPECT_EQ(rows[2].name, "Built-in Audio");
  EXPECT_EQ(rows[2].input_channels, 2u);
  EXPECT_EQ(rows[2].output_channels, 0u);
  EXPECT_EQ(rows[3].name, "Built-in Audio");
  EXPECT_EQ(rows[3].input_channels, 0u);
  EXPECT_EQ(rows[3].output_channels, 2u);
  // Defaults and preferred rates are the server's.
  EXPECT_TRUE(rows[0].default_input);
  EXPECT_FALSE(rows[0].default_output);
  EXPECT_TRUE(rows[3].default_output);
  EXPECT_EQ(rows[0].preferred_rate, 44100u);
  EXPECT_EQ(rows[2].preferred_rate, 48000u);
}

TEST(RegistryPulseRows, ObjectsRtAudioDidNotListComeLast) {
  const auto rows = pulse_rows(server(), {rt("Null Output", 0, 2)});
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].id, "loop");
  EXPECT_EQ(rows[1].id, "loop.monitor");
  EXPECT_EQ(rows[4].id, "card.out");
}

TEST(RegistryPulseRows, WithoutRtAudioStillListsTheServersDevices) {
  const auto rows = pulse_rows(server(), {});
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_TRUE(rows[0].rates.empty());
  EXPECT_EQ(rows[0].preferred_rate, 44100u);
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
