// Name matching shared by every table the user can name things from (categories, modes,
// options, error codes, formats): case-insensitive, Apple's camelCase or kebab/snake case,
// and "did you mean" suggestions for typos.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sc {

// Lower-cases and drops '-', '_' and spaces: "play-and-record", "playAndRecord" and
// "PLAY_AND_RECORD" all become "playandrecord".
std::string fold_name(std::string_view s);

// ASCII lower case: "Monitor" -> "monitor".
std::string to_lower(std::string_view s);

// Levenshtein distance between two strings (ASCII).
size_t edit_distance(std::string_view a, std::string_view b);

// The candidates whose folded form is close to `input`'s folded form (within a third of its
// length, at least 1, at most 3 edits), best first. Used for "did you mean" hints.
std::vector<std::string> close_matches(std::string_view input,
                                       std::span<const std::string> candidates);

// "a, b or c" (empty for no items).
std::string join_or(std::span<const std::string> items);
// "a, b, c"
std::string join_comma(std::span<const std::string> items);

}  // namespace sc
