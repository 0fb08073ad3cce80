// What command lines mean, without running anything (CLI11's app_helper pattern): argv in,
// bound structs and parse errors out.
#include <gtest/gtest.h>

#include "cli/common.h"

namespace sc::cli {
namespace {

struct Parsed {
  std::unique_ptr<Cli> cli = std::make_unique<Cli>();
  ParseOutcome outcome;
};

Parsed parse(std::vector<std::string> args) {
  Parsed p;
  p.outcome = parse_args(*p.cli, std::move(args));
  return p;
}

TEST(CliParse, SessionCheckBindsProfileFlags) {
  auto p = parse({"--json", "session", "check", "--category", "play-and-record", "--mode",
                  "voiceChat", "--options", "default-to-speaker,allowBluetooth", "--options",
                  "mixWithOthers", "--preferred-rate", "48k", "--io-buffer", "5ms", "--background",
                  "--no-notify", "--profile", "talk"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.message;
  const auto& req = p.cli->session.check.profile;
  EXPECT_TRUE(p.cli->global.json);
  EXPECT_EQ(req.flags.category, "play-and-record");
  EXPECT_EQ(req.flags.mode, "voiceChat");
  EXPECT_EQ(req.flags.options, "default-to-speaker,allowBluetooth,mixWithOthers");
  EXPECT_EQ(req.flags.preferred_rate, "48k");
  EXPECT_EQ(req.flags.io_buffer, "5ms");
  EXPECT_EQ(req.profile_name, "talk");
  EXPECT_TRUE(req.background);
  EXPECT_TRUE(req.no_notify);
}

TEST(CliParse, GlobalOptionsAfterTheCommand) {
  auto p = parse({"session", "check", "--json", "-q", "--config", "/tmp/x.toml"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.message;
  EXPECT_TRUE(p.cli->global.json);
  EXPECT_TRUE(p.cli->global.quiet);
  EXPECT_EQ(p.cli->global.config, "/tmp/x.toml");
}

TEST(CliParse, DecodeTakesCodesInOrder) {
  auto p = parse({"session", "decode", "560557684", "0x21707269", "!rec", "-50"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.message;
  EXPECT_EQ(p.cli->session.decode.codes,
            (std::vector<std::string>{"560557684", "0x21707269", "!rec", "-50"}));
}

TEST(CliParse, UsageErrorsAreOneLineWithAHint) {
  struct Case {
    std::vector<std::string> args;
    std::string message, hint, command;
  };
  for (const auto& c : std::vector<Case>{
           {{"session", "check", "--bogus"},
            "unknown option '--bogus'",
            "session check --help",
            "session check"},
           {{"session", "check", "--categry", "record"},
            "unknown option '--categry'",
            "did you mean --category?",
            "session check"},
           {{"session", "check", "--jsn"},
            "unknown option '--jsn'",
            "did you mean --json?",
            "session check"},
           {{"sesion", "check"}, "unknown command 'sesion'", "did you mean session?", ""},
           {{"session", "chek"}, "unknown command 'chek'", "did you mean check?", "session"},
           {{"session"}, "missing command", "check, decode", "session"},
           {{}, "missing command", "session", ""},
           {{"session", "check", "--category"},
            "--category",
            "session check --help",
            "session check"},
           {{"session", "check", "extra"},
            "unexpected argument 'extra'",
            "--help",
            "session check"}}) {
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    SCOPED_TRACE(joined);
    auto p = parse(c.args);
    EXPECT_FALSE(p.outcome.run);
    EXPECT_EQ(p.outcome.exit, 64);
    EXPECT_NE(p.outcome.message.find(c.message), std::string::npos) << p.outcome.message;
    EXPECT_EQ(p.outcome.message.find('\n'), std::string::npos);
    EXPECT_NE(p.outcome.hint.find(c.hint), std::string::npos) << p.outcome.hint;
    EXPECT_EQ(p.outcome.command, c.command);
  }
}

TEST(CliParse, CommandNamedSkipsGlobalOptions) {
  using V = std::vector<std::string>;
  EXPECT_EQ(command_named(V{"record", "-d", "1s"}), "record");
  EXPECT_EQ(command_named(V{"--json", "-qv", "--config", "route", "route", "list"}), "route");
  EXPECT_EQ(command_named(V{"--config=x.toml", "session", "check"}), "session");
  EXPECT_EQ(command_named(V{"--config", "record"}), "");  // record is the config file
  EXPECT_EQ(command_named(V{"recrd"}), "");
  EXPECT_EQ(command_named(V{"--", "record"}), "");
  EXPECT_EQ(command_named(V{"--help"}), "");
  EXPECT_EQ(command_named(V{}), "");
}

// A Cli with only the command named binds the same values as one with every command.
TEST(CliParse, OnlyTheNamedCommandParsesTheSame) {
  const std::vector<std::string> args = {
      "--json", "record", "-D",         "virtual",       "-d", "2s",
      "-e",     "pcm24",  "--category", "playAndRecord", "-q", "take.caf"};
  ASSERT_EQ(command_named(args), "record");
  Cli only(command_named(args));
  EXPECT_EQ(only.app.get_subcommands({}).size(), 1u);
  const ParseOutcome got = parse_args(only, args);
  auto full = parse(args);
  ASSERT_TRUE(got.run) << got.message;
  ASSERT_TRUE(full.outcome.run) << full.outcome.message;
  for (const Cli* c : {&only, full.cli.get()}) {
    EXPECT_TRUE(c->global.json);
    EXPECT_TRUE(c->global.quiet);
    EXPECT_EQ(c->record.device, "virtual");
    EXPECT_EQ(c->record.duration, "2s");
    EXPECT_EQ(c->record.codec, "pcm24");
    EXPECT_EQ(c->record.file, "take.caf");
    EXPECT_EQ(c->record.profile.flags.category, "playAndRecord");
  }
  // The options, and so the help, of the command are the same.
  const auto names = [](const CLI::App* a) {
    std::vector<std::string> out;
    for (const auto* o : a->get_options()) out.push_back(o->get_name());
    return out;
  };
  EXPECT_EQ(names(only.app.get_subcommand("record")),
            names(full.cli->app.get_subcommand("record")));
  EXPECT_EQ(only.app.get_subcommand("record")->help(),
            full.cli->app.get_subcommand("record")->help());
}

}  // namespace
}  // namespace sc::cli
