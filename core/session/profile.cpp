#include "core/session/profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "core/common/names.h"
#include "core/session/codes.h"

namespace sc {
namespace {

using Cat = Category;

struct CategoryRow {
  Category c;
  std::string_view name;
  bool input, output;
};
constexpr std::array<CategoryRow, 6> kCategories{{
    {Cat::ambient, "ambient", false, true},
    {Cat::soloAmbient, "soloAmbient", false, true},
    {Cat::playback, "playback", false, true},
    {Cat::record, "record", true, false},
    {Cat::playAndRecord, "playAndRecord", true, true},
    {Cat::multiRoute, "multiRoute", true, true},
}};

// Bit set of categories, for the validity tables.
constexpr uint32_t bit(Category c) { return 1u << static_cast<uint32_t>(c); }
constexpr uint32_t kAll = 0x3f;

struct ModeRow {
  Mode m;
  std::string_view name;
  uint32_t valid;
};
constexpr std::array<ModeRow, 9> kModes{{
    {Mode::defaultMode, "default", kAll},
    {Mode::voiceChat, "voiceChat", bit(Cat::playAndRecord)},
    {Mode::videoChat, "videoChat", bit(Cat::playAndRecord)},
    {Mode::gameChat, "gameChat", bit(Cat::playAndRecord)},
    {Mode::videoRecording, "videoRecording", bit(Cat::record) | bit(Cat::playAndRecord)},
    {Mode::measurement, "measurement",
     bit(Cat::record) | bit(Cat::playAndRecord) | bit(Cat::playback)},
    {Mode::moviePlayback, "moviePlayback", bit(Cat::playback)},
    {Mode::spokenAudio, "spokenAudio", bit(Cat::playback)},
    {Mode::voicePrompt, "voicePrompt", bit(Cat::playback) | bit(Cat::playAndRecord)},
}};

using O = CategoryOption;
struct OptionRow {
  CategoryOption o;
  std::string_view name;
  uint32_t valid;
  bool implies_mix;
};
constexpr std::array<OptionRow, 8> kOptions{{
    {O::mixWithOthers, "mixWithOthers",
     bit(Cat::playAndRecord) | bit(Cat::playback) | bit(Cat::multiRoute), true},
    {O::duckOthers, "duckOthers",
     bit(Cat::ambient) | bit(Cat::playAndRecord) | bit(Cat::playback) | bit(Cat::multiRoute), true},
    {O::allowBluetooth, "allowBluetooth", bit(Cat::record) | bit(Cat::playAndRecord), false},
    {O::defaultToSpeaker, "defaultToSpeaker", bit(Cat::playAndRecord), false},
    {O::interruptSpokenAudioAndMixWithOthers, "interruptSpokenAudioAndMixWithOthers",
     bit(Cat::playAndRecord) | bit(Cat::playback) | bit(Cat::multiRoute), true},
    {O::allowBluetoothA2DP, "allowBluetoothA2DP", bit(Cat::playAndRecord), false},
    {O::allowAirPlay, "allowAirPlay", bit(Cat::playAndRecord), false},
    {O::overrideMutedMicrophoneInterruption, "overrideMutedMicrophoneInterruption",
     bit(Cat::record) | bit(Cat::playAndRecord), false},
}};

constexpr std::array<Category, 6> kCategoryList{Cat::ambient, Cat::soloAmbient,   Cat::playback,
                                                Cat::record,  Cat::playAndRecord, Cat::multiRoute};
constexpr std::array<Mode, 9> kModeList{
    Mode::defaultMode,   Mode::voiceChat,      Mode::videoChat,
    Mode::gameChat,      Mode::videoRecording, Mode::measurement,
    Mode::moviePlayback, Mode::spokenAudio,    Mode::voicePrompt};
constexpr std::array<CategoryOption, 8> kOptionList{O::mixWithOthers,
                                                    O::duckOthers,
                                                    O::allowBluetooth,
                                                    O::defaultToSpeaker,
                                                    O::interruptSpokenAudioAndMixWithOthers,
                                                    O::allowBluetoothA2DP,
                                                    O::allowAirPlay,
                                                    O::overrideMutedMicrophoneInterruption};

const OptionRow& row(CategoryOption o) {
  return *std::find_if(kOptions.begin(), kOptions.end(), [o](const auto& r) { return r.o == o; });
}
const ModeRow& row(Mode m) {
  return *std::find_if(kModes.begin(), kModes.end(), [m](const auto& r) { return r.m == m; });
}

std::vector<Category> categories_in(uint32_t set) {
  std::vector<Category> out;
  for (auto c : kCategoryList)
    if (set & bit(c)) out.push_back(c);
  return out;
}

std::vector<std::string> names_of(std::span<const Category> cs) {
  std::vector<std::string> out;
  for (auto c : cs) out.emplace_back(name(c));
  return out;
}

// Strips one of Apple's constant prefixes from a folded name.
std::string strip_prefix(std::string folded, std::initializer_list<std::string_view> prefixes) {
  for (auto p : prefixes)
    if (folded.size() > p.size() && folded.rfind(p, 0) == 0) return folded.substr(p.size());
  return folded;
}

// Finds `folded` among the rows by folded name, or returns badParam with suggestions.
template <typename T, typename Rows>
Result<T> find_by_name(std::string_view input, const Rows& rows, std::string folded,
                       std::string_view kind, std::string_view plural) {
  for (const auto& r : rows)
    if (fold_name(r.name) == folded) {
      if constexpr (std::is_same_v<T, Category>)
        return r.c;
      else if constexpr (std::is_same_v<T, Mode>)
        return r.m;
      else
        return r.o;
    }
  std::vector<std::string> all;
  for (const auto& r : rows) all.emplace_back(r.name);
  auto near = close_matches(input, all);
  std::string message = input.empty() ? fmt::format("empty {}", kind)
                                      : fmt::format("unknown {} '{}' (-50 badParam)", kind, input);
  std::string hint = near.empty() ? fmt::format("valid {}: {}", plural, join_comma(all))
                                  : fmt::format("did you mean {}? valid {}: {}", join_or(near),
                                                plural, join_comma(all));
  return session_error(SessionCode::badParam, std::move(message), std::move(hint));
}

}  // namespace

std::string_view name(Category c) { return kCategories[static_cast<size_t>(c)].name; }
std::string_view name(Mode m) { return row(m).name; }
std::string_view name(CategoryOption o) { return row(o).name; }

std::span<const Category> all_categories() { return kCategoryList; }
std::span<const Mode> all_modes() { return kModeList; }
std::span<const CategoryOption> all_options() { return kOptionList; }

bool has_input(Category c) { return kCategories[static_cast<size_t>(c)].input; }
bool has_output(Category c) { return kCategories[static_cast<size_t>(c)].output; }

std::vector<Category> valid_categories(CategoryOption o) { return categories_in(row(o).valid); }
std::vector<Category> valid_categories(Mode m) { return categories_in(row(m).valid); }
bool is_valid(Category c, CategoryOption o) { return (row(o).valid & bit(c)) != 0; }
bool is_valid(Category c, Mode m) { return (row(m).valid & bit(c)) != 0; }

Result<Category> parse_category(std::string_view s) {
  return find_by_name<Category>(s, kCategories,
                                strip_prefix(fold_name(s), {"avaudiosessioncategory"}), "category",
                                "categories");
}

Result<Mode> parse_mode(std::string_view s) {
  return find_by_name<Mode>(s, kModes, strip_prefix(fold_name(s), {"avaudiosessionmode"}), "mode",
                            "modes");
}

Result<CategoryOption> parse_option(std::string_view s) {
  std::string folded = strip_prefix(fold_name(s), {"avaudiosessioncategoryoption"});
  if (folded == "allowbluetoothhfp") folded = "allowbluetooth";
  return find_by_name<CategoryOption>(s, kOptions, folded, "category option", "category options");
}

Result<std::vector<CategoryOption>> parse_options(std::string_view list) {
  std::vector<CategoryOption> out;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = list.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      auto o = parse_option(item);
      if (!o) return o.error();
      if (std::find(out.begin(), out.end(), *o) == out.end()) out.push_back(*o);
    }
    pos = comma + 1;
  }
  return out;
}

Result<uint32_t> parse_rate(std::string_view s, std::string_view what) {
  std::string_view num = s;
  double scale = 1;
  if (num.size() > 2 && fold_name(num.substr(num.size() - 2)) == "hz") num.remove_suffix(2);
  if (!num.empty() && (num.back() == 'k' || num.back() == 'K')) {
    scale = 1000;
    num.remove_suffix(1);
  }
  double v = 0;
  auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  const double hz = v * scale;
  if (num.empty() || ec != std::errc() || ptr != num.data() + num.size() || hz < 1000 ||
      hz > 768000 || std::fabs(hz - std::round(hz)) > 1e-6) {
    return make_error(Exit::usage, fmt::format("{}: '{}' is not a sample rate", what, s),
                      "give a whole number of Hz from 1000 to 768000, e.g. 48000 or 44.1k");
  }
  return static_cast<uint32_t>(std::lround(hz));
}

Result<Duration> parse_io_buffer(std::string_view s, std::string_view what) {
  auto d = parse_duration(s, what);
  if (!d) return d;
  if (*d < std::chrono::microseconds(100) || *d > std::chrono::seconds(1)) {
    return make_error(Exit::usage,
                      fmt::format("{}: {} is outside 0.1ms to 1s", what, format_duration(*d)),
                      "typical I/O buffers are 2ms to 100ms, e.g. --io-buffer 5ms");
  }
  return d;
}

uint32_t Profile::options_value() const {
  uint32_t v = 0;
  for (auto o : options) v |= static_cast<uint32_t>(o);
  return v;
}

bool Profile::has(CategoryOption o) const {
  return std::find(options.begin(), options.end(), o) != options.end();
}

bool is_mixable(const Profile& p) {
  if (p.category == Category::ambient) return true;
  return std::any_of(p.options.begin(), p.options.end(),
                     [](CategoryOption o) { return row(o).implies_mix; });
}

Status validate(const Profile& p) {
  if (!is_valid(p.category, p.mode)) {
    const auto valid = names_of(valid_categories(p.mode));
    return session_error(
        SessionCode::badParam,
        fmt::format("invalid profile (-50 badParam): mode {} is not valid with category {}",
                    name(p.mode), name(p.category)),
        fmt::format("mode {} is valid only with {}", name(p.mode), join_or(valid)));
  }
  for (auto o : p.options) {
    if (is_valid(p.category, o)) continue;
    const auto valid = names_of(valid_categories(o));
    return session_error(
        SessionCode::badParam,
        fmt::format("invalid profile (-50 badParam): option {} is not valid with category {}",
                    name(o), name(p.category)),
        fmt::format("{} is valid only with {}", name(o), join_or(valid)));
  }
  return ok_status();
}

}  // namespace sc
