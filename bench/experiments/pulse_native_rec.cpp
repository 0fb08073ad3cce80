// An experiment, not part of soundcheck and not built by CMake: what a PulseAudio recording
// costs when the program does not load libpulse (bench/README.md, "where a recording's CPU
// goes"). It records SECONDS of 48 kHz stereo s16 from SOURCE over PulseAudio's native
// protocol, without shared memory (the server sends the audio over the socket), into a WAV
// file through libsndfile, and does nothing else: no server lookup (SOCKET is given), no
// device lookup, no signals, no header updates, no error recovery.
//
//   c++ -std=c++20 -O2 -Wall -Wextra -Werror -static-libstdc++ -static-libgcc
//       -o pulse_native_rec bench/experiments/pulse_native_rec.cpp -lsndfile
//   ./pulse_native_rec "$(pactl info | sed -n 's/^Server String: //p')"
//       ~/.config/pulse/cookie soundcheck_loop.monitor 20 out.wav
//   (each command on one line)
//
// The protocol, as libpulse speaks it (src/pulse/stream.c create_stream(), pulsecore/
// tagstruct.h, pstream.c) and Debian 12's PulseAudio 16.1 accepts it: every packet is a 20-byte
// descriptor (length, channel, offset high and low, flags; big-endian) and a payload. Commands
// travel on channel 0xffffffff as a tagstruct: each value a type byte ('L' u32, 'B' u8, 't' string,
// 'x' bytes, '0'/'1' boolean, 'a' sample spec, 'm' channel map, 'v' volumes, 'P' property list
// ended by 'N') and the value, big-endian. Audio for a record stream comes on the stream's channel.
#include <fcntl.h>
#include <sndfile.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <vector>

namespace {

constexpr uint32_t kControl = 0xffffffff;  // the channel of commands and replies
constexpr uint32_t kInvalid = 0xffffffff;  // PA_INVALID_INDEX
constexpr uint32_t kError = 0, kReply = 2, kCreateRecordStream = 5, kAuth = 8, kSetClientName = 9;

struct Tags {
  std::vector<uint8_t> b;
  void raw32(uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
  }
  void u32(uint32_t v) {
    b.push_back('L');
    raw32(v);
  }
  void u8(uint8_t v) { b.insert(b.end(), {'B', v}); }
  void boolean(bool v) { b.push_back(v ? '1' : '0'); }
  void str(const char* s) {
    b.push_back('t');
    b.insert(b.end(), s, s + strlen(s) + 1);
  }
  void bytes(const void* p, uint32_t n) {
    b.push_back('x');
    raw32(n);
    const auto* q = static_cast<const uint8_t*>(p);
    b.insert(b.end(), q, q + n);
  }
  // A property list of one string property.
  void props(const char* key, const char* value) {
    const auto n = static_cast<uint32_t>(strlen(value) + 1);
    b.push_back('P');
    str(key);
    u32(n);
    bytes(value, n);
    b.push_back('N');
  }
};

uint32_t be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}

  void send(const Tags& t) {
    const auto n = static_cast<uint32_t>(t.b.size());
    uint8_t d[20] = {uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)};
    memset(d + 4, 0xff, 4);
    if (write(fd_, d, sizeof d) != sizeof d || write(fd_, t.b.data(), n) != ssize_t(n)) exit(74);
  }

  // The next packet: its channel, and its payload (valid until the next call). Reads as much
  // as the socket has, so that most packets cost no read of their own.
  bool next(uint32_t& channel, const uint8_t*& payload, uint32_t& n) {
    if (used_ > 0) {
      memmove(buf_.data(), buf_.data() + used_, have_ - used_);
      have_ -= used_;
      used_ = 0;
    }
    for (;;) {
      if (have_ >= 20 && have_ >= 20 + (n = be32(buf_.data()))) {
        channel = be32(buf_.data() + 4);
        payload = buf_.data() + 20;
        used_ = 20 + n;
        return true;
      }
      if (have_ == buf_.size()) buf_.resize(buf_.size() * 2);
      const ssize_t r = read(fd_, buf_.data() + have_, buf_.size() - have_);
      if (r <= 0) return false;
      have_ += static_cast<size_t>(r);
    }
  }

  // Waits for the reply to the last command; exits on an error reply. Its payload: 'L' REPLY,
  // 'L' tag, then the values.
  const uint8_t* reply() {
    uint32_t channel, n;
    const uint8_t* p;
    while (next(channel, p, n)) {
      if (channel != kControl || n < 10) continue;
      if (be32(p + 1) == kError) {
        fprintf(stderr, "the server refused: error %u\n", n >= 15 ? be32(p + 11) : 0);
        exit(69);
      }
      if (be32(p + 1) == kReply) return p;
    }
    exit(69);
  }

 private:
  int fd_;
  std::vector<uint8_t> buf_ = std::vector<uint8_t>(256 * 1024);
  size_t have_ = 0, used_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: pulse_native_rec SOCKET COOKIE SOURCE SECONDS OUT.wav\n");
    return 64;
  }
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) return 69;
  uint8_t cookie[256];
  const int cf = open(argv[2], O_RDONLY | O_CLOEXEC);
  if (cf < 0 || read(cf, cookie, sizeof cookie) != sizeof cookie) return 66;
  close(cf);
  Connection c(fd);
  uint32_t tag = 0;

  Tags t;  // protocol version 35 without the SHM and memfd flags: the audio comes inline
  t.u32(kAuth), t.u32(tag++), t.u32(35), t.bytes(cookie, sizeof cookie);
  c.send(t);
  c.reply();

  t = {};
  t.u32(kSetClientName), t.u32(tag++), t.props("application.name", "pulse_native_rec");
  c.send(t);
  c.reply();

  // The fields of stream.c's create_stream() for a record stream at version >= 22.
  t = {};
  t.u32(kCreateRecordStream), t.u32(tag++);
  t.b.insert(t.b.end(), {'a', 3 /* PA_SAMPLE_S16LE */, 2}), t.raw32(48000);
  t.b.insert(t.b.end(), {'m', 2, 1 /* front-left */, 2 /* front-right */});
  t.u32(kInvalid), t.str(argv[3]);  // the source by name
  t.u32(kInvalid);                  // maxlength: the server's
  t.boolean(false);                 // corked
  t.u32(2 * 48000 * 4);             // fragsize: 2 s, as soundcheck asks
  // no_remap, no_remix, fix_format, fix_rate, fix_channels, dont_move, variable_rate
  for (bool f : {false, false, false, false, false, true, false}) t.boolean(f);
  t.boolean(false);  // peak_detect
  t.boolean(true);   // adjust_latency
  t.props("media.name", "pulse_native_rec");
  t.u32(kInvalid);                     // direct_on_input
  t.boolean(false);                    // early_requests
  t.boolean(false), t.boolean(false);  // dont_inhibit_auto_suspend, fail_on_suspend
  t.u8(0);                             // no formats: the sample spec above
  t.b.insert(t.b.end(), {'v', 2}), t.raw32(0x10000), t.raw32(0x10000);  // volume: norm
  // start_muted, volume_set, muted_set, relative_volume, passthrough
  for (int i = 0; i < 5; ++i) t.boolean(false);
  c.send(t);
  const uint32_t stream_channel = be32(c.reply() + 11);  // 'L' REPLY, 'L' tag, 'L' channel

  SF_INFO info{};
  info.samplerate = 48000;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(argv[5], SFM_WRITE, &info);
  if (!f) return 73;
  const auto want = static_cast<uint64_t>(atof(argv[4]) * 48000) * 4;
  uint64_t got = 0;
  uint32_t channel, n;
  const uint8_t* p;
  while (got < want && c.next(channel, p, n)) {
    if (channel != stream_channel) continue;  // commands: ignored here
    const auto take = static_cast<sf_count_t>(std::min<uint64_t>(n, want - got));
    if (sf_write_raw(f, p, take) != take) return 74;
    got += static_cast<uint64_t>(take);
  }
  sf_close(f);
  close(fd);
  return got == want ? 0 : 75;
}
