// Reading any audio file for `play` (DESIGN.md "formats/": FFmpeg decodes anything for play):
// FFmpeg's demuxers and decoders, libsndfile for what FFmpeg does not open, and libswresample
// to the caller's rate, channel count and layout, as interleaved float.
//
// Threads: a Decoder belongs to one thread at a time (the player's decoding thread); probe_audio
// and open_decoder may be called from any thread. No state is shared between decoders.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/common/duration.h"
#include "core/common/error.h"

namespace sc::formats {

// What a file holds, as probe_audio finds it.
struct AudioSource {
  std::string path;
  std::string container;  // "wav", "mov,mp4,m4a,3gp,3g2,mj2", "flac", ... (the demuxer's name)
  std::string codec;      // "pcm_s16le", "aac", "flac", ...
  unsigned rate = 0;
  unsigned channels = 0;
  // Frames a reader gets (priming trimmed where the file signals it); 0 when unknown.
  uint64_t frames = 0;
  double duration_s = 0;  // 0 when unknown
};

// Opens `path`, finds its audio stream and decodes its first frames, so that a file that
// cannot be played is known before any device is opened. Errors name the file:
// Exit::no_input (66) when it does not exist or cannot be read ("cannot open 'x.wav': No
// such file or directory"); Exit::data (65) when no reader understands it, it has no audio
// stream, or its first packet does not decode, with a hint (`soundcheck info FILE`).
Result<AudioSource> probe_audio(const std::string& path);

struct DecodeSpec {
  unsigned rate = 0;       // output rate; 0: the file's
  unsigned channels = 0;   // output channels; 0: the file's. Mono to stereo copies the channel,
                           // more to fewer downmixes (libswresample's default matrix)
  Duration start{0};       // the first frame out is the file's frame at `start`, exactly
                           // (sample-accurate: a seek before it, then decoded frames dropped)
  std::optional<Duration> duration;  // at most this much audio out; none: to the end
};

class Decoder {
 public:
  virtual ~Decoder() = default;

  // Writes up to `frames` interleaved float frames at the spec's rate and channels into
  // `out` and returns how many; 0 only at the end. Blocking (file I/O, decoding). A packet
  // that fails to decode mid-file is skipped and counted (errors()); an I/O error is
  // Exit::io (74) naming the file.
  virtual Result<size_t> read(float* out, size_t frames) = 0;

  virtual const AudioSource& source() const = 0;
  virtual unsigned rate() const = 0;      // of the frames read() gives
  virtual unsigned channels() const = 0;  // of the frames read() gives
  virtual uint64_t errors() const = 0;    // packets skipped because they did not decode
};

// Opens `path` for decoding per `spec`. The same errors as probe_audio; a `start` at or past
// the end is Exit::usage (64) naming the file's duration.
Result<std::unique_ptr<Decoder>> open_decoder(const std::string& path, const DecodeSpec& spec);

}  // namespace sc::formats
