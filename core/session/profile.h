// The session profile (SESSION-MODEL.md "Profile"): category, mode, category options and
// preferences, with parsing of every accepted spelling, validation against the tables, and
// the derived `mixable` property. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/duration.h"
#include "core/common/error.h"

namespace sc {

enum class Category { ambient, soloAmbient, playback, record, playAndRecord, multiRoute };
enum class Mode {
  defaultMode,
  voiceChat,
  videoChat,
  gameChat,
  videoRecording,
  measurement,
  moviePlayback,
  spokenAudio,
  voicePrompt,
};
// Category option bits, as AVAudioSessionCategoryOptions.
enum class CategoryOption : uint32_t {
  mixWithOthers = 0x1,
  duckOthers = 0x2,
  allowBluetooth = 0x4,
  defaultToSpeaker = 0x8,
  interruptSpokenAudioAndMixWithOthers = 0x11,
  allowBluetoothA2DP = 0x20,
  allowAirPlay = 0x40,
  overrideMutedMicrophoneInterruption = 0x80,
};

std::string_view name(Category c);
std::string_view name(Mode m);
std::string_view name(CategoryOption o);

std::span<const Category> all_categories();
std::span<const Mode> all_modes();
std::span<const CategoryOption> all_options();

bool has_input(Category c);
bool has_output(Category c);

// Categories each option or mode is valid with, in table order.
std::vector<Category> valid_categories(CategoryOption o);
std::vector<Category> valid_categories(Mode m);
bool is_valid(Category c, CategoryOption o);
bool is_valid(Category c, Mode m);

// Name parsing: Apple's spelling or kebab/snake case, case-insensitive; Apple's constant
// prefixes (AVAudioSessionCategoryPlayAndRecord) are accepted too. "allowBluetoothHFP" is
// allowBluetooth. Unknown names are badParam (-50, exit 64) with a did-you-mean hint.
Result<Category> parse_category(std::string_view s);
Result<Mode> parse_mode(std::string_view s);
Result<CategoryOption> parse_option(std::string_view s);
// Comma-separated list; empty items are ignored; duplicates are kept once.
Result<std::vector<CategoryOption>> parse_options(std::string_view list);

// Preferred sample rate: "48000", "48k", "44.1k". 1 kHz to 768 kHz.
Result<uint32_t> parse_rate(std::string_view s, std::string_view what);
// I/O buffer duration: any duration form, from 0.1 ms to 1 s.
Result<Duration> parse_io_buffer(std::string_view s, std::string_view what);

struct Profile {
  std::string name;  // the config profile it came from, empty when from flags only
  Category category = Category::soloAmbient;
  Mode mode = Mode::defaultMode;
  std::vector<CategoryOption> options;  // as given, each once, in the order given
  std::optional<uint32_t> preferred_rate;
  std::optional<Duration> io_buffer;
  std::string preferred_input;   // device SPEC, empty for the default
  std::string preferred_output;  // device SPEC, empty for the default
  bool background = false;       // goes to the background once active
  bool notify_others_on_deactivation = true;

  // OR of the option bits.
  uint32_t options_value() const;
  bool has(CategoryOption o) const;
};

// SESSION-MODEL.md rule 1: ambient, or mixWithOthers or an option that implies it
// (duckOthers, interruptSpokenAudioAndMixWithOthers).
bool is_mixable(const Profile& p);

// Checks the mode and every option against the category. The first violation is returned
// as badParam (-50) naming the option or mode, the category, and where it is valid.
Status validate(const Profile& p);

}  // namespace sc
