// Preferred devices (core/session/route_prefs.h): the one precedence, the stored file (round
// trip, atomic replacement, errors), what `route set` stores for a SPEC, and the fallback of
// a stored device that is gone. No devices: a fake opener stands for audio::open_device.
#include "core/session/route_prefs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "core/route/port_type.h"
#include "tests/support/temp_dir.h"

namespace sc {
namespace {

namespace fs = std::filesystem;
using audio::DeviceInfo;
using audio::Direction;
using test::TempDir;

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A device that only has an info.
class FakeDevice final : public audio::Device {
 public:
  explicit FakeDevice(DeviceInfo info) : info_(std::move(info)) {}
  const DeviceInfo& info() const override { return info_; }
  Result<std::unique_ptr<audio::CaptureStream>> open_capture(const audio::StreamParams&,
                                                             audio::CaptureSink&) override {
    return make_error(Exit::unavailable, "fake");
  }
  Result<std::unique_ptr<audio::PlaybackStream>> open_playback(const audio::PlaybackParams&,
                                                               audio::PlaybackSource&) override {
    return make_error(Exit::unavailable, "fake");
  }

 private:
  DeviceInfo info_;
};

DeviceInfo info(std::string api, std::string name, std::string id) {
  DeviceInfo d;
  d.api = std::move(api);
  d.name = std::move(name);
  d.id = std::move(id);
  d.input_channels = d.output_channels = 2;
  return d;
}

// An opener over a table of SPEC -> device; anything else is not found (66). Records what
// was asked.
struct FakeOpener {
  std::map<std::string, DeviceInfo> devices;
  std::map<std::string, Error> errors;
  std::vector<std::string> asked;
  DeviceOpener fn() {
    return [this](std::string_view spec, Direction) -> Result<std::unique_ptr<audio::Device>> {
      asked.emplace_back(spec);
      if (auto e = errors.find(std::string(spec)); e != errors.end()) return e->second;
      auto it = devices.find(std::string(spec));
      if (it == devices.end())
        return make_error(Exit::no_input, "no input device matches '" + std::string(spec) + "'",
                          "soundcheck route list");
      return std::unique_ptr<audio::Device>(std::make_unique<FakeDevice>(it->second));
    };
  }
};

// Sets or removes an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// --- The precedence

TEST(RoutePrecedence, EachLevelWinsOverTheOnesBelow) {
  struct Case {
    DeviceCandidates c;
    std::string spec;
    DeviceSource source;
  };
  const Case cases[] = {
      {{"flag", "env", "prof", "stored", "legacy", "", ""}, "flag", DeviceSource::flag},
      {{"", "env", "prof", "stored", "legacy", "", ""}, "env", DeviceSource::environment},
      {{"", "", "prof", "stored", "legacy", "", ""}, "prof", DeviceSource::profile},
      {{"", "", "", "stored", "legacy", "", ""}, "stored", DeviceSource::route_set},
      {{"", "", "", "", "legacy", "", ""}, "legacy", DeviceSource::config_route},
      {{"", "", "", "", "", "", ""}, "default", DeviceSource::fallback},
      {{"  ", "", "", "stored", "", "", ""}, "stored", DeviceSource::route_set},  // blank: unset
      {{"", "", "", "default", "legacy", "", ""}, "default", DeviceSource::route_set},
  };
  for (const auto& k : cases) {
    const auto got = choose_device(k.c);
    EXPECT_EQ(got.spec, k.spec) << k.spec;
    EXPECT_EQ(got.source, k.source) << k.spec << " came from " << source_name(got.source);
  }
}

TEST(RoutePrecedence, TheProfilesOwnIsTheFlagsElseTheNamedProfiles) {
  Config config;
  config.profiles["studio"].input = "pulse:studio";
  config.profiles["studio"].output = "pulse:speakers";
  config.route.input = "pulse:legacy";
  ProfileRequest req;
  EXPECT_EQ(profile_device(config, req, Direction::input), "");  // [route] is not the profile
  req.profile_name = "studio";
  EXPECT_EQ(profile_device(config, req, Direction::input), "pulse:studio");
  EXPECT_EQ(profile_device(config, req, Direction::output), "pulse:speakers");
  req.flags.input = "virtual";
  EXPECT_EQ(profile_device(config, req, Direction::input), "virtual");
  req.profile_name = "absent";
  req.flags.input.reset();
  EXPECT_EQ(profile_device(config, req, Direction::input), "");
}

TEST(RoutePrecedence, GatherReadsTheEnvironmentOfItsDirection) {
  Config config;
  config.route.input = "legacy-in";
  config.route.output = "legacy-out";
  RoutePrefs prefs;
  prefs.input = StoredDevice{"pulse:in", "pulse", "in", "In"};
  ScopedEnv in("SOUNDCHECK_INPUT", "virtual:signal=noise");
  ScopedEnv out("SOUNDCHECK_OUTPUT", nullptr);
  auto c = gather_candidates("", config, {}, prefs, "/x/route.toml", Direction::input);
  EXPECT_EQ(c.environment, "virtual:signal=noise");
  EXPECT_EQ(c.stored, "pulse:in");
  EXPECT_EQ(c.config_route, "legacy-in");
  EXPECT_EQ(choose_device(c).source, DeviceSource::environment);
  c = gather_candidates("", config, {}, prefs, "/x/route.toml", Direction::output);
  EXPECT_EQ(c.environment, "");
  EXPECT_EQ(c.stored, "");
  EXPECT_EQ(choose_device(c).spec, "legacy-out");
  c = gather_candidates("-D", config, {}, prefs, "/x/route.toml", Direction::input);
  EXPECT_EQ(choose_device(c).spec, "-D");
}

TEST(RoutePrecedence, ReadCandidatesReadsTheRouteFileBesideTheConfig) {
  TempDir dir;
  const std::string config = dir.file("my.toml");
  std::ofstream(config) << "[route]\ninput = \"legacy\"\n";
  RoutePrefs prefs;
  prefs.input = StoredDevice{"virtual:signal=silence", "virtual", "virtual", ""};
  ASSERT_TRUE(save_route_prefs(dir.file("route.toml"), prefs, false).ok());
  ScopedEnv in("SOUNDCHECK_INPUT", nullptr);
  auto c = read_candidates("", config, true, {}, Direction::input);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->stored, "virtual:signal=silence");
  EXPECT_EQ(c->config_route, "legacy");
  EXPECT_EQ(choose_device(*c).source, DeviceSource::route_set);
  EXPECT_FALSE(read_candidates("", dir.file("none.toml"), true, {}, Direction::input).ok());
}

// --- Opening, and the fallback of a stored device that is gone

TEST(RouteOpen, AStoredDeviceThatIsGoneGivesTheDefaultWithANotice) {
  FakeOpener fake;
  fake.devices["default"] = info("pulse", "Built-in Audio", "alsa_input.pci");
  for (auto source : {DeviceSource::route_set, DeviceSource::config_route}) {
    DeviceCandidates c;
    (source == DeviceSource::route_set ? c.stored : c.config_route) = "pulse:gone.monitor";
    auto got = open_chosen_device(c, Direction::input, fake.fn());
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got->device->info().name, "Built-in Audio");
    EXPECT_EQ(got->choice.source, DeviceSource::fallback);
    EXPECT_EQ(got->wanted, "pulse:gone.monitor");
    EXPECT_NE(got->notice.find("preferred input 'pulse:gone.monitor'"), std::string::npos)
        << got->notice;
    EXPECT_NE(got->notice.find("using the default input"), std::string::npos) << got->notice;
    EXPECT_EQ(got->notice.find('\n'), std::string::npos);
  }
}

TEST(RouteOpen, AnAskedDeviceThatIsGoneIsAnError) {
  FakeOpener fake;
  fake.devices["default"] = info("pulse", "Built-in Audio", "alsa_input.pci");
  DeviceCandidates c;
  c.stored = "default";
  c.profile = "pulse:gone";
  auto got = open_chosen_device(c, Direction::input, fake.fn());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().exit, Exit::no_input);
  c.profile.clear();
  c.environment = "nothing";
  got = open_chosen_device(c, Direction::input, fake.fn());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().exit, Exit::no_input);
  EXPECT_EQ(got.error().message.rfind("SOUNDCHECK_INPUT='nothing': ", 0), 0u)
      << got.error().message;
  c.flag = "nothing-either";
  got = open_chosen_device(c, Direction::input, fake.fn());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(fake.asked.back(), "nothing-either");  // no fallback was tried
}

TEST(RouteOpen, AStoredDeviceThatIsAmbiguousIsAnErrorNamingTheFile) {
  FakeOpener fake;
  fake.devices["default"] = info("pulse", "Built-in Audio", "x");
  fake.errors["alsa:USB"] = make_error(Exit::usage, "'USB' matches 2 input devices", "...");
  DeviceCandidates c;
  c.stored = "alsa:USB";
  c.stored_path = "/home/u/.config/soundcheck/route.toml";
  auto got = open_chosen_device(c, Direction::input, fake.fn());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().exit, Exit::usage);
  EXPECT_NE(got.error().message.find("route.toml"), std::string::npos) << got.error().message;
}

// --- What route set stores

TEST(RouteStore, DevicesAreStoredByNameNeverByIndex) {
  FakeOpener fake;
  const auto monitor = info("pulse", "Monitor of soundcheck loopback", "soundcheck_loop.monitor");
  const auto card = info("alsa", "hw:HDA Intel PCH,0", "hw:0,0");
  fake.devices["3"] = monitor;
  fake.devices["loop"] = monitor;
  fake.devices["pulse:soundcheck_loop.monitor"] = monitor;
  fake.devices["HDA"] = card;
  fake.devices["alsa:hw:HDA Intel PCH,0"] = card;
  fake.devices["virtual:signal=loop"] = info("virtual", "soundcheck virtual device", "virtual");
  fake.devices["virt"] = info("virtual", "soundcheck virtual device", "virtual");
  struct Case {
    std::string spec, stored;
  } cases[] = {{"3", "pulse:soundcheck_loop.monitor"},
               {"loop", "pulse:soundcheck_loop.monitor"},
               {"HDA", "alsa:hw:HDA Intel PCH,0"},
               {" virtual:signal=loop ", "virtual:signal=loop"},
               {"virt", "virtual"},
               {"DEFAULT", "default"}};
  for (const auto& k : cases) {
    auto d = resolve_for_storage(k.spec, Direction::input, fake.fn());
    ASSERT_TRUE(d.ok()) << k.spec << ": " << d.error().message;
    EXPECT_EQ(d->spec, k.stored) << k.spec;
  }
  auto d = resolve_for_storage("3", Direction::input, fake.fn());
  EXPECT_EQ(d->name, "Monitor of soundcheck loopback");
  EXPECT_EQ(d->id, "soundcheck_loop.monitor");
  EXPECT_EQ(d->api, "pulse");
}

TEST(RouteStore, RefusesWhatDoesNotResolveOrIsNotUnique) {
  FakeOpener fake;
  auto d = resolve_for_storage("42", Direction::input, fake.fn());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().exit, Exit::no_input);
  fake.errors["USB"] = make_error(Exit::usage, "'USB' matches 2 devices", "give more of the name");
  d = resolve_for_storage("USB", Direction::input, fake.fn());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().exit, Exit::usage);
  d = resolve_for_storage("  ", Direction::output, fake.fn());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().exit, Exit::usage);
  EXPECT_NE(d.error().message.find("--output"), std::string::npos);
  // A name two devices share cannot bring back the one chosen.
  fake.devices["system"] = info("jack", "system", "");
  fake.devices["jack:system"] = info("jack", "system", "other");
  d = resolve_for_storage("system", Direction::input, fake.fn());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().exit, Exit::usage);
}

// --- The file

TEST(RouteFile, RoundTripKeepsEveryField) {
  TempDir dir;
  const std::string path = dir.file("route.toml");
  RoutePrefs prefs;
  prefs.input = StoredDevice{"pulse:a \"quoted\" \\ name.monitor", "pulse",
                             "a \"quoted\" \\ name.monitor", "Monitor of “Ünïcode” sink"};
  prefs.output = StoredDevice{"default", "", "", ""};
  ASSERT_TRUE(save_route_prefs(path, prefs, false).ok());
  auto back = load_route_prefs(path);
  ASSERT_TRUE(back.ok()) << back.error().message << "\n" << read(path);
  ASSERT_TRUE(back->input && back->output);
  EXPECT_EQ(back->input->spec, prefs.input->spec);
  EXPECT_EQ(back->input->id, prefs.input->id);
  EXPECT_EQ(back->input->name, prefs.input->name);
  EXPECT_EQ(back->input->api, "pulse");
  EXPECT_EQ(back->output->spec, "default");
  EXPECT_EQ(back->output->name, "");
  EXPECT_EQ(read(path).rfind("# ", 0), 0u);  // it says what it is
  EXPECT_EQ(dir.entries(), 1u);              // no temporary left
}

TEST(RouteFile, AReplacedFileKeepsItsMode) {
  TempDir dir;
  const std::string path = dir.file("route.toml");
  RoutePrefs prefs;
  prefs.input = StoredDevice{"virtual", "virtual", "virtual", ""};
  ASSERT_TRUE(save_route_prefs(path, prefs, false).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  prefs.output = StoredDevice{"default", "", "", ""};
  ASSERT_TRUE(save_route_prefs(path, prefs, false).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST(RouteFile, ASymbolicLinkStaysAndItsTargetIsReplaced) {
  TempDir dir;
  fs::create_directories(dir.path() / "dotfiles");
  const std::string target = (dir.path() / "dotfiles" / "route.toml").string();
  std::ofstream(target) << "[input]\nspec = \"virtual\"\n";
  const std::string path = dir.file("route.toml");
  fs::create_symlink("dotfiles/route.toml", path);
  RoutePrefs prefs;
  prefs.output = StoredDevice{"default", "", "", ""};
  ASSERT_TRUE(save_route_prefs(path, prefs, false).ok());
  EXPECT_TRUE(fs::is_symlink(path));
  auto back = load_route_prefs(path);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->input);
  EXPECT_EQ(back->output->spec, "default");
  ASSERT_TRUE(save_route_prefs(path, RoutePrefs{}, false).ok());  // cleared: the link stays
  EXPECT_TRUE(fs::is_symlink(path));
  EXPECT_TRUE(load_route_prefs(path)->empty());
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path() / "dotfiles"), {}), 1);
}

TEST(RouteFile, MissingIsEmptyAndClearingRemovesIt) {
  TempDir dir;
  const std::string path = dir.file("route.toml");
  auto none = load_route_prefs(path);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  RoutePrefs prefs;
  prefs.output = StoredDevice{"virtual", "virtual", "virtual", ""};
  ASSERT_TRUE(save_route_prefs(path, prefs, false).ok());
  EXPECT_TRUE(fs::exists(path));
  ASSERT_TRUE(save_route_prefs(path, RoutePrefs{}, false).ok());
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(save_route_prefs(path, RoutePrefs{}, false).ok());  // nothing to remove: fine
}

TEST(RouteFile, TheConfigFileBesideItIsNeverTouched) {
  TempDir dir;
  const std::string config = dir.file("config.toml");
  const std::string text =
      "# my settings, hand-written\n[route]   # legacy\ninput = \"pulse:x\"  # keep me\n\n"
      "[profiles.talk]\ncategory = \"playAndRecord\" # trailing comment\n";
  std::ofstream(config) << text;
  const std::string path = route_prefs_path(config);
  EXPECT_EQ(path, dir.file("route.toml"));
  for (int i = 0; i < 3; ++i) {
    auto saved = update_route_prefs(path, false, [&](RoutePrefs& p) {
      p.input = StoredDevice{"virtual:signal=loop", "virtual", "virtual", ""};
      if (i == 2) p.output = StoredDevice{"default", "", "", ""};
    });
    ASSERT_TRUE(saved.ok()) << saved.error().message;
  }
  EXPECT_EQ(read(config), text);
  auto back = load_route_prefs(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->input->spec, "virtual:signal=loop");
  EXPECT_EQ(back->output->spec, "default");
}

TEST(RouteFile, UpdateKeepsWhatItDoesNotChange) {
  TempDir dir;
  const std::string path = dir.file("route.toml");
  ASSERT_TRUE(update_route_prefs(path, false, [](RoutePrefs& p) {
                p.input = StoredDevice{"pulse:in", "pulse", "in", "In"};
              }).ok());
  auto both = update_route_prefs(path, false, [](RoutePrefs& p) {
    p.output = StoredDevice{"pulse:out", "pulse", "out", "Out"};
  });
  ASSERT_TRUE(both.ok());
  auto back = load_route_prefs(path);
  ASSERT_TRUE(back->input && back->output);
  EXPECT_EQ(back->input->spec, "pulse:in");
  EXPECT_EQ(back->output->spec, "pulse:out");
}

TEST(RouteFile, AFailedReplaceLeavesNoTemporaryAndTheOldTargetAlone) {
  TempDir dir;
  // route.toml is a directory with something in it: the rename over it fails.
  const std::string path = dir.file("route.toml");
  fs::create_directories(fs::path(path) / "keep");
  RoutePrefs prefs;
  prefs.input = StoredDevice{"virtual", "virtual", "virtual", ""};
  auto s = save_route_prefs(path, prefs, false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().exit, Exit::cannot_create) << s.error().message;
  EXPECT_NE(s.error().message.find(path), std::string::npos) << s.error().message;
  EXPECT_FALSE(s.error().hint.empty());
  EXPECT_EQ(dir.entries(), 1u) << "a temporary file was left behind";
  EXPECT_TRUE(fs::is_directory(fs::path(path) / "keep"));
}

TEST(RouteFile, AnUnwritableDirectoryIsCannotCreateWithAHint) {
  TempDir dir;
  std::string path;
  if (::geteuid() == 0) {
    path = "/sys/soundcheck-route-test.toml";  // root writes anywhere a mode forbids; not here
  } else {
    fs::create_directories(dir.path() / "ro");
    ::chmod((dir.path() / "ro").c_str(), 0500);
    path = (dir.path() / "ro" / "route.toml").string();
  }
  RoutePrefs prefs;
  prefs.input = StoredDevice{"virtual", "virtual", "virtual", ""};
  auto s = save_route_prefs(path, prefs, false);
  ::chmod((dir.path() / "ro").c_str(), 0700);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().exit, Exit::cannot_create) << s.error().message;
  EXPECT_NE(s.error().message.find(path), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().hint.find("--config"), std::string::npos) << s.error().hint;
  EXPECT_FALSE(fs::exists(path));
}

TEST(RouteFile, AMissingDirectoryIsCreatedOnlyWhenAsked) {
  TempDir dir;
  const std::string path = (dir.path() / "a" / "b" / "route.toml").string();
  RoutePrefs prefs;
  prefs.input = StoredDevice{"virtual", "virtual", "virtual", ""};
  auto s = save_route_prefs(path, prefs, false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().exit, Exit::cannot_create);
  EXPECT_TRUE(save_route_prefs(path, prefs, true).ok());
  EXPECT_TRUE(fs::exists(path));
}

TEST(RouteFile, ABrokenFileIsBadDataNamingThePlace) {
  TempDir dir;
  const std::string path = dir.file("route.toml");
  for (const char* text :
       {"[input\nspec = 1\n", "[input]\nname = \"x\"\n", "input = 3\n", "[output]\nspec = 3\n"}) {
    std::ofstream(path) << text;
    auto p = load_route_prefs(path);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_EQ(p.error().exit, Exit::data) << text;
    EXPECT_EQ(p.error().message.rfind(path + ":", 0), 0u) << p.error().message;
    EXPECT_NE(p.error().hint.find("route set"), std::string::npos);
  }
  std::ofstream(path) << "[input]\nspec = \"virtual\"\nfuture_key = 1\n[later]\nx = 2\n";
  auto p = load_route_prefs(path);
  ASSERT_TRUE(p.ok()) << p.error().message;  // unknown keys: a later version's
  EXPECT_EQ(p->input->spec, "virtual");
}

// --- Port types (core/route/port_type.h), table-driven

TEST(PortType, GuessesFromWhatTheSystemSays) {
  using route::PortFacts;
  auto pulse = [](std::map<std::string, std::string> props, std::string port_name = "",
                  std::string port_type = "") {
    PortFacts f;
    f.api = "pulse";
    f.hardware = true;
    f.properties = std::move(props);
    f.port_name = std::move(port_name);
    f.port_type = std::move(port_type);
    return f;
  };
  PortFacts monitor = pulse({});
  monitor.monitor = true;
  PortFacts null_sink = pulse({{"device.class", "abstract"}});
  null_sink.driver = "module-null-sink.c";
  PortFacts soft = pulse({});
  soft.hardware = false;
  PortFacts virt;
  virt.api = "virtual";
  PortFacts jack_system;
  jack_system.api = "jack";
  jack_system.name = "system";
  PortFacts jack_other = jack_system;
  jack_other.name = "PulseAudio JACK Sink";
  PortFacts alsa_usb;
  alsa_usb.api = "alsa";
  alsa_usb.name = "hw:USB Audio Device,0";
  PortFacts plain;
  plain.api = "alsa";
  plain.name = "hw:HDA Intel PCH,0";
  struct Case {
    const char* label;
    PortFacts f;
    Direction dir;
    const char* type;
  } cases[] = {
      {"virtual device", virt, Direction::input, "Virtual"},
      {"monitor", monitor, Direction::input, "Virtual"},
      {"null sink", null_sink, Direction::output, "Virtual"},
      {"no hardware flag", soft, Direction::output, "Virtual"},
      {"bt a2dp", pulse({{"device.bus", "bluetooth"}, {"bluetooth.protocol", "a2dp_sink"}}),
       Direction::output, "BluetoothA2DPOutput"},
      {"bt hfp", pulse({{"device.api", "bluez5"}, {"bluetooth.protocol", "handsfree_head_unit"}}),
       Direction::input, "BluetoothHFP"},
      {"bt bare input", pulse({{"device.bus", "bluetooth"}}), Direction::input, "BluetoothHFP"},
      {"usb", pulse({{"device.bus", "usb"}, {"device.form_factor", "headset"}}), Direction::input,
       "USBAudio"},
      {"hdmi port", pulse({{"device.bus", "pci"}}, "hdmi-output-0", "hdmi"), Direction::output,
       "HDMI"},
      {"internal mic", pulse({{"device.bus", "pci"}}, "analog-input-internal-mic", "mic"),
       Direction::input, "BuiltInMic"},
      {"headset mic", pulse({{"device.bus", "pci"}}, "analog-input-headset-mic", "mic"),
       Direction::input, "HeadsetMic"},
      {"speaker", pulse({}, "analog-output-speaker", "speaker"), Direction::output,
       "BuiltInSpeaker"},
      {"headphones by name", pulse({}, "analog-output-headphones", ""), Direction::output,
       "Headphones"},
      {"line in", pulse({}, "analog-input-linein", "line"), Direction::input, "LineIn"},
      {"form factor internal", pulse({{"device.form_factor", "internal"}}), Direction::output,
       "BuiltInSpeaker"},
      {"form factor webcam", pulse({{"device.form_factor", "webcam"}}), Direction::input,
       "USBAudio"},
      {"jack system", jack_system, Direction::output, "LineOut"},
      {"jack client", jack_other, Direction::input, "Virtual"},
      {"alsa usb", alsa_usb, Direction::input, "USBAudio"},
      {"alsa plain", plain, Direction::input, "LineIn"},
  };
  for (const auto& k : cases) {
    const auto t = route::guess_port_type(k.f, k.dir);
    EXPECT_EQ(t.type, k.type) << k.label << " (" << t.reason << ")";
    EXPECT_FALSE(t.reason.empty()) << k.label;
  }
}

}  // namespace
}  // namespace sc
