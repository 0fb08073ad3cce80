// Converts captured frames from the device's rate and channel count to the file's, with
// libswresample (never by hand). Channels: fewer out than in takes the first ones (one out
// is the average of all in); more out than in duplicates a mono input to every channel, and
// otherwise leaves the extra channels silent.
#pragma once

#include <memory>
#include <vector>

#include "core/common/error.h"

struct SwrContext;

namespace sc::record {

class Converter {
 public:
  // Exit::internal when libswresample refuses the parameters.
  static Result<std::unique_ptr<Converter>> create(unsigned in_rate, unsigned in_channels,
                                                   unsigned out_rate, unsigned out_channels);
  ~Converter();
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;

  // Converts `frames` interleaved input frames; the output frames are appended to `out`.
  // Identity conversions copy.
  void convert(const float* in, size_t frames, std::vector<float>& out);
  // Appends what the resampler still holds (end of stream, or before the input changes).
  void flush(std::vector<float>& out);

  // True when convert() only copies: the caller may use its input as it is.
  bool identity() const { return !swr_; }
  unsigned in_rate() const { return in_rate_; }
  unsigned in_channels() const { return in_channels_; }
  unsigned out_rate() const { return out_rate_; }
  unsigned out_channels() const { return out_channels_; }

 private:
  Converter(unsigned in_rate, unsigned in_channels, unsigned out_rate, unsigned out_channels);
  struct SwrDeleter {
    void operator()(SwrContext* s) const;
  };
  std::unique_ptr<SwrContext, SwrDeleter> swr_;  // null for identity
  unsigned in_rate_, in_channels_, out_rate_, out_channels_;
};

}  // namespace sc::record
