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

TEST(CliParse, InfoTakesFilesInOrderAndRepairOneFileAndOutput) {
  auto p = parse({"info", "b.wav", "a.caf", "--json"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.message;
  EXPECT_EQ(p.cli->info.files, (std::vector<std::string>{"b.wav", "a.caf"}));
  EXPECT_TRUE(p.cli->global.json);
  p = parse({"repair", "take.wav", "-o", "fixed.wav"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.message;
  EXPECT_EQ(p.cli->repair.file, "take.wav");
  EXPECT_EQ(p.cli->repair.output, "fixed.wav");
  EXPECT_EQ(parse({"info"}).outcome.exit, 64);
  EXPECT_EQ(parse({"repair", "a.wav", "b.wav"}).outcome.exit, 64);
  EXPECT_EQ(parse({"repair"}).outcome.exit, 64);
}

TEST(CliParse, DecodeTakesCodesInOrder) {
  auto p = parse({"session", "decode", "560557684", "0x21707269", "!rec", "-50"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.message;
  EXPECT_EQ(p.cli->session.decode.codes,
            (std::vector<std::string>{"560557684", "0x21707269", "!rec", "-50"}));
}

TEST(CliParse, SessionActivateBindsProfileFlagsAndFor) {
  auto p = parse({"session", "activate", "--category", "playAndRecord", "--options",
                  "mixWithOthers", "--background", "--no-notify", "--for", "1m30s"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.message;
  EXPECT_EQ(p.outcome.command, "session activate");
  const auto& a = p.cli->session.activate;
  EXPECT_EQ(a.profile.flags.category, "playAndRecord");
  EXPECT_EQ(a.profile.flags.options, "mixWithOthers");
  EXPECT_TRUE(a.profile.background);
  EXPECT_TRUE(a.profile.no_notify);
  EXPECT_EQ(a.for_, "1m30s");
}

TEST(CliParse, SessionActivateHoldsUntilASignalByDefault) {
  auto p = parse({"session", "activate"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.message;
  EXPECT_EQ(p.cli->session.activate.for_, "");
  EXPECT_FALSE(p.cli->session.activate.profile.flags.category);
}

TEST(CliParse, SessionInterruptDefaultsToACall) {
  auto p = parse({"session", "interrupt"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.message;
  const auto& i = p.cli->session.interrupt;
  EXPECT_EQ(i.reason, "call");
  EXPECT_EQ(i.for_, "");
  EXPECT_FALSE(i.no_notify);
}

TEST(CliParse, SessionInterruptBindsReasonForAndNoNotify) {
  for (const char* reason : {"call", "siri", "alarm"}) {
    SCOPED_TRACE(reason);
    auto p =
        parse({"--json", "session", "interrupt", "--reason", reason, "--for", "5s", "--no-notify"});
    ASSERT_TRUE(p.outcome.run) << p.outcome.message;
    const auto& i = p.cli->session.interrupt;
    EXPECT_EQ(i.reason, reason);
    EXPECT_EQ(i.for_, "5s");
    EXPECT_TRUE(i.no_notify);
    EXPECT_TRUE(p.cli->global.json);
  }
}

TEST(CliParse, SessionWatchAndList) {
  auto w = parse({"session", "watch", "--for", "10s", "--json"});
  ASSERT_TRUE(w.outcome.run) << w.outcome.message;
  EXPECT_EQ(w.cli->session.watch.for_, "10s");
  EXPECT_TRUE(w.cli->global.json);
  auto l = parse({"session", "list", "-v"});
  ASSERT_TRUE(l.outcome.run) << l.outcome.message;
  EXPECT_EQ(l.outcome.command, "session list");
  EXPECT_TRUE(l.cli->global.verbose);
}

TEST(CliParse, SessionRegistryCommandsRejectWhatTheyDoNotTake) {
  struct Case {
    std::vector<std::string> args;
    std::string message, hint, command;
  };
  for (const auto& c : std::vector<Case>{{{"session", "interrupt", "--reason", "meeting"},
                                          "--reason",
                                          "session interrupt --help",
                                          "session interrupt"},
                                         {{"session", "interrupt", "--category", "record"},
                                          "unknown option '--category'",
                                          "session interrupt --help",
                                          "session interrupt"},
                                         {{"session", "list", "extra"},
                                          "unexpected argument 'extra'",
                                          "session list --help",
                                          "session list"},
                                         {{"session", "watch", "--forr", "1s"},
                                          "unknown option '--forr'",
                                          "did you mean --for?",
                                          "session watch"},
                                         {{"session", "activate", "--for"},
                                          "--for",
                                          "session activate --help",
                                          "session activate"},
                                         {{"session", "activte"},
                                          "unknown command 'activte'",
                                          "did you mean activate?",
                                          "session"}}) {
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

}  // namespace
}  // namespace sc::cli
