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
  // Frames a reader gets (priming trimmed where the file signals it); 0 when unknown (or
  // the file is empty). The container's count: FFmpeg 5.1 drops an MP4's priming but not the
  // padding of the last codec frame, so read() may give up to one codec frame (1024 for AAC)
  // more. A length FFmpeg only estimates from the bitrate is not taken (libsndfile's, where
  // it reads the file).
  uint64_t frames = 0;
  double duration_s = 0;  // 0 when unknown
};

// Opens `path`, finds its audio stream and decodes its first frames, so that a file that
// cannot be played is known before any device is opened. Errors name the file:
// Exit::no_input (66) when it does not exist or cannot be read ("cannot open 'x.wav': No
// such file or directory"), or is a directory; Exit::data (65) when neither FFmpeg nor
// libsndfile reads it (garbage, an empty file), it has no audio stream, or its first packet
// does not decode, with the hint "see `soundcheck info x.wav`" (the path quoted for the shell
// where it needs it). A file with a header and no audio (an empty WAV) is not an error: it
// has 0 frames and plays nothing.
Result<AudioSource> probe_audio(const std::string& path);

struct DecodeSpec {
  unsigned rate = 0;      // output rate; 0: the file's
  unsigned channels = 0;  // output channels; 0: the file's. Mono to stereo copies the channel,
                          // more to fewer downmixes (libswresample's default matrix: stereo
                          // to mono is (L + R) * 0.707, not normalized, so it may pass 1.0);
                          // the same count keeps the file's layout
  Duration start{0};      // the first frame out is the file's frame at round(start * file
                          // rate), exactly, as decoding from the beginning gives it (a seek
                          // some 8192 frames before it, then decoded frames dropped by their
                          // timestamps; where timestamps are coarser than a frame, as
                          // Matroska's, or a seek overshoots, frames are counted from the
                          // beginning). Rate conversion comes after.
  std::optional<Duration> duration;  // at most round(duration * rate) frames out; none: to
                                     // the end
};

class Decoder {
 public:
  virtual ~Decoder() = default;

  // Writes up to `frames` interleaved float frames at the spec's rate and channels into
  // `out` and returns how many: exactly `frames` until the end (or the spec's duration),
  // then what is left, then 0. Blocking (file I/O, decoding). A packet that fails to decode
  // mid-file is skipped and counted (errors()); a demuxer that cannot go on (a cut or damaged
  // end) ends the audio there; an I/O error is Exit::io (74) naming the file. FFmpeg gives
  // up on one packet that keeps it busy 30 s (65).
  virtual Result<size_t> read(float* out, size_t frames) = 0;

  virtual const AudioSource& source() const = 0;
  virtual unsigned rate() const = 0;      // of the frames read() gives
  virtual unsigned channels() const = 0;  // of the frames read() gives
  virtual uint64_t errors() const = 0;    // packets skipped because they did not decode
};

// Opens `path` for decoding per `spec`: FFmpeg first, libsndfile for what FFmpeg cannot play
// (as `soundcheck info` reads files). The same errors as probe_audio; a `start` other than 0
// at or past the end is Exit::usage (64) naming the file's duration.
Result<std::unique_ptr<Decoder>> open_decoder(const std::string& path, const DecodeSpec& spec);

}  // namespace sc::formats
