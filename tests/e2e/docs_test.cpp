// `--help`, the man pages and the bash, zsh and fish completions name the same options for
// every command, and the man pages are clean roff. The command list comes from --help, so a
// new subcommand without docs fails here.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/run.h"

namespace sc::test {
namespace {

using Options = std::set<std::string>;
using PerCommand = std::map<std::string, Options>;  // "session check" -> {"--category", ...}

std::string read(const std::string& rel) {
  std::ifstream in(source_dir() + "/" + rel);
  EXPECT_TRUE(in.good()) << "missing " << rel;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);) out.push_back(l);
  return out;
}

// man/*.1, relative to the source tree.
std::vector<std::string> man_pages() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(source_dir() + "/man"))
    if (e.path().extension() == ".1") out.push_back("man/" + e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// Option tokens: --long or -x, not inside a word.
Options option_tokens(const std::string& text) {
  static const std::regex re(R"((^|[^A-Za-z0-9_-])(--?[A-Za-z][A-Za-z0-9-]*))");
  Options out;
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it)
    out.insert((*it)[2]);
  return out;
}

// From CLI11's help: the options of the command, and its subcommands.
void from_help(const std::string& path, PerCommand& out) {
  std::vector<std::string> args;
  std::stringstream ss(path);
  for (std::string w; ss >> w;) args.push_back(w);
  args.push_back("--help");
  auto r = soundcheck(args);
  ASSERT_EQ(r.status, 0) << path;
  Options& opts = out[path];
  std::string section;
  std::vector<std::string> subs;
  for (const auto& line : lines_of(r.out)) {
    if (!line.empty() && line.back() == ':' && line[0] != ' ') section = line;
    if (line.rfind("  ", 0) != 0) continue;
    const std::string first_col = line.substr(2, line.find("  ", 2) - 2);
    if (section == "Subcommands:") {
      subs.push_back(first_col);
    } else if (first_col.rfind("-", 0) == 0) {
      std::string names = first_col.substr(0, first_col.find(' '));
      std::stringstream ns(names);
      for (std::string n; std::getline(ns, n, ',');) opts.insert(n);
    }
  }
  for (const auto& s : subs) from_help(path.empty() ? s : path + " " + s, out);
}

// Man pages: `.\" options: soundcheck session check` starts a command's region; the line after
// each .TP in it names the options.
PerCommand from_man() {
  PerCommand out;
  for (const auto& page : man_pages()) {
    const auto lines = lines_of(read(page));
    std::string current;
    bool in_region = false;
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string& l = lines[i];
      if (l.rfind(".\\\" options: ", 0) == 0) {
        current = l.substr(13);
        current = current == "soundcheck" ? "" : current.substr(std::string("soundcheck ").size());
        out[current];
        in_region = true;
      } else if (l.rfind(".SH", 0) == 0) {
        in_region = false;
      } else if (in_region && l == ".TP" && i + 1 < lines.size()) {
        std::string tag = std::regex_replace(lines[i + 1], std::regex(R"(\\-)"), "-");
        tag = std::regex_replace(tag, std::regex(R"(\\f[BIRP])"), " ");
        for (const auto& o : option_tokens(tag)) out[current].insert(o);
      }
    }
  }
  return out;
}

PerCommand from_bash() {
  PerCommand out;
  static const std::regex re(R"re(^\s*"([^"]*)"\)\s*opts="([^"]*)")re");
  for (const auto& l : lines_of(read("completions/soundcheck.bash"))) {
    std::smatch m;
    if (std::regex_search(l, m, re)) out[m[1]] = option_tokens(m[2]);
  }
  return out;
}

PerCommand from_zsh() {
  PerCommand out;
  static const std::regex start(R"(^(_soundcheck[a-z_]*)\s*\(\)\s*\{)");
  std::string current;
  bool in_fn = false;
  for (const auto& l : lines_of(read("completions/_soundcheck"))) {
    std::smatch m;
    if (std::regex_search(l, m, start)) {
      std::string fn = m[1].str().substr(std::string("_soundcheck").size());
      for (auto& ch : fn)
        if (ch == '_') ch = ' ';
      current = fn.empty() ? "" : fn.substr(1);
      out[current];
      in_fn = true;
    } else if (l == "}") {
      in_fn = false;
    } else if (in_fn) {
      // Brace expansions such as {-q,--quiet} are two names.
      std::string text = std::regex_replace(l, std::regex(R"([{},])"), " ");
      // Option names only: drop [descriptions] and :value:(lists).
      text = std::regex_replace(text, std::regex(R"(\[[^\]]*\])"), " ");
      text = std::regex_replace(text, std::regex(R"(:[^']*)"), " ");
      for (const auto& o : option_tokens(text)) out[current].insert(o);
    }
  }
  return out;
}

PerCommand from_fish() {
  PerCommand out;
  static const std::regex cond(R"(__soundcheck_is\s+(?:\"([^\"]*)\"|([A-Za-z]+)))");
  static const std::regex longopt(R"((^|\s)-l\s+([A-Za-z0-9-]+))");
  static const std::regex shortopt(R"((^|\s)-s\s+([A-Za-z]))");
  for (const auto& l : lines_of(read("completions/soundcheck.fish"))) {
    if (l.rfind("complete ", 0) != 0) continue;
    std::smatch m;
    if (!std::regex_search(l, m, cond)) continue;
    auto& opts = out[m[1].matched ? m[1].str() : m[2].str()];
    for (std::sregex_iterator it(l.begin(), l.end(), longopt), end; it != end; ++it)
      opts.insert("--" + (*it)[2].str());
    for (std::sregex_iterator it(l.begin(), l.end(), shortopt), end; it != end; ++it)
      opts.insert("-" + (*it)[2].str());
  }
  return out;
}

std::string show(const Options& o) {
  std::string s;
  for (const auto& x : o) s += x + " ";
  return s;
}

class Docs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { from_help("", help_); }
  static PerCommand help_;
};
PerCommand Docs::help_;

void expect_same(const PerCommand& help, const PerCommand& other, const std::string& where) {
  for (const auto& [cmd, opts] : help) {
    SCOPED_TRACE("command 'soundcheck" + (cmd.empty() ? "" : " " + cmd) + "' in " + where);
    auto it = other.find(cmd);
    ASSERT_NE(it, other.end()) << where << " has no entry for this command";
    EXPECT_EQ(show(it->second), show(opts));
  }
  for (const auto& [cmd, opts] : other)
    EXPECT_TRUE(help.count(cmd)) << where << " documents '" << cmd
                                 << "', which --help does not know";
}

TEST_F(Docs, HelpFindsEveryCommand) {
  EXPECT_TRUE(help_.count(""));
  EXPECT_TRUE(help_.count("session check"));
  EXPECT_TRUE(help_.count("session decode"));
  EXPECT_TRUE(help_.at("session check").count("--category"));
}

TEST_F(Docs, ManPagesNameTheSameOptions) { expect_same(help_, from_man(), "man/"); }
TEST_F(Docs, BashCompletionNamesTheSameOptions) {
  expect_same(help_, from_bash(), "soundcheck.bash");
}
TEST_F(Docs, ZshCompletionNamesTheSameOptions) { expect_same(help_, from_zsh(), "_soundcheck"); }
TEST_F(Docs, FishCompletionNamesTheSameOptions) {
  expect_same(help_, from_fish(), "soundcheck.fish");
}

TEST_F(Docs, ManPagesAreCleanRoff) {
  for (const auto& page : man_pages()) {
    SCOPED_TRACE(page);
    auto r = run("/bin/sh", {"-c", "groff -t -man -ww -z " + source_dir() + "/" + page + " 2>&1"});
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out, "") << "groff warnings:\n" << r.out;
  }
}

}  // namespace
}  // namespace sc::test
