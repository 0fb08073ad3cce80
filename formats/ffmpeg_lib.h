// The FFmpeg functions soundcheck calls, from libraries loaded when first needed (dlopen), not
// at start-up. Linked the usual way, libavutil brings VA-API, VDPAU, X11 and OpenCL with it
// (about 25 shared libraries): 1.5 ms of CPU at every start of every command, whether it
// converts anything or not, which showed in the CPU per recorded minute (bench/run cpu). Each
// entry has the type of the function declared in FFmpeg's own headers, so a call through it
// is checked like a direct call. The sonames are those of the headers compiled against
// (libavutil.so.57, libswresample.so.4 on Debian 12).
//
// Threads: any; the first call loads, later ones return the same table.
#pragma once

#include <cstdint>  // before FFmpeg's headers, which need UINT64_C in C++

extern "C" {
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libswresample/swresample.h>
}

#include "core/common/error.h"

namespace sc::formats::ffmpeg {

struct Avutil {
  decltype(&::avutil_version) version;
  decltype(&::av_strerror) strerror;
  decltype(&::av_channel_layout_default) channel_layout_default;
  decltype(&::av_channel_layout_uninit) channel_layout_uninit;
};

struct Swresample {
  decltype(&::swresample_version) version;
  decltype(&::swr_alloc_set_opts2) alloc_set_opts2;
  decltype(&::swr_set_matrix) set_matrix;
  decltype(&::swr_init) init;
  decltype(&::swr_free) free;
  decltype(&::swr_get_out_samples) get_out_samples;
  decltype(&::swr_convert) convert;
};

// The loaded library, or Exit::unavailable naming it, with dlerror()'s reason and a hint
// to install Debian's package.
Result<const Avutil*> avutil();
Result<const Swresample*> swresample();

}  // namespace sc::formats::ffmpeg
