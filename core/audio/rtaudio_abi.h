// The interface between soundcheck and its RtAudio module, soundcheck-rtaudio.so
// (core/audio/rtaudio/), which holds every use of RtAudio and libasound.
//
// Why a module: a program loads every shared library it links at each start, whether it uses
// it or not. librtaudio brings libasound, libjack, libdb and libpulse-simple with it, and it
// needs the shared libstdc++; together ~0.8 ms of CPU at every start of every command, and
// the shared libstdc++ ~0.5 ms more. A recording from PulseAudio or the virtual device uses
// none of them (bench/run cpu: CPU per recorded minute against parecord, which loads none of
// them either). So RtAudio is loaded only when an ALSA or JACK device is listed or opened
// (rtaudio_module.h), and soundcheck itself links libstdc++ statically.
//
// Why a C interface: the module links the shared libstdc++ (librtaudio needs it), soundcheck
// a static copy of its own. Two C++ runtimes may live in one process as long as no C++
// object, exception or allocation crosses between them: only the C types below do. Every
// function is noexcept in effect: the module catches everything on its side.
//
// Threads: list and open may be called from any thread (the module serializes them). A
// stream's sink is called from RtAudio's callback thread, a real-time thread.
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// The symbol the module exports: a function returning its table. The number changes with
// any change to the types below, so a module of another build is refused, not misread.
#define SC_RTAUDIO_ENTRY "sc_rtaudio_module_v1"
#define SC_RTAUDIO_FILE "soundcheck-rtaudio.so"

// One device as RtAudio lists it. The pointers are valid during the callback only.
typedef struct sc_rt_device {
  unsigned index;    // RtAudio's device number within its API
  const char* name;  // RtAudio's name
  const char* id;    // ALSA: "hw:C,D" or "default" when known; otherwise ""
  unsigned input_channels;
  unsigned output_channels;
  const unsigned* rates;  // ascending, no duplicates
  size_t rate_count;
  unsigned preferred_rate;  // 0 when unknown
  int default_input;
  int default_output;
} sc_rt_device;

typedef void (*sc_rt_each_device)(void* ctx, const sc_rt_device* device);

// Why an open or a start failed: the cause ("pcm device (hw:1,0) won't open for input")
// and, when the module knows a better one than the caller's default, a hint. NUL-terminated,
// truncated to fit.
typedef struct sc_rt_error {
  char cause[512];
  char hint[256];
} sc_rt_error;

// Stream events (device.h DeviceEvent kinds).
enum { SC_RT_EVENT_XRUN = 1, SC_RT_EVENT_ENDED = 2 };

// Where a stream delivers, from RtAudio's real-time thread. `frames`: interleaved float
// frames at the stream's rate and channel count. `event`: one of SC_RT_EVENT_*, in order
// with the frames; after ENDED nothing more is called.
typedef struct sc_rt_sink {
  void* ctx;
  void (*frames)(void* ctx, const float* data, size_t frames);
  void (*event)(void* ctx, int kind);
} sc_rt_sink;

// What to open: the device as listed (api "alsa" or "jack", name and id as sc_rt_device
// gave them), and what the caller asks for (0: the device's own; rtaudio_device.h says how
// each is chosen).
typedef struct sc_rt_open_params {
  const char* api;
  const char* name;
  const char* id;
  unsigned rate;
  unsigned channels;
  unsigned buffer_frames;
} sc_rt_open_params;

typedef struct sc_rt_stream sc_rt_stream;

typedef struct sc_rt_module {
  // RtAudio's run-time version ("5.2.0").
  const char* (*version)(void);
  // RtAudio's compiled APIs by short name ("alsa", "pulse", "jack"), in its order: the count,
  // with up to `max` of them in `names` (static strings).
  size_t (*compiled_apis)(const char** names, size_t max);
  // Calls `each` for every device of `api` RtAudio lists, in its order (devices it cannot
  // name are left out). Nothing when the API is not compiled or has no devices. Prints
  // nothing; never starts a server.
  void (*list)(const char* api, sc_rt_each_device each, void* ctx);
  // Opens a capture stream (not started) into `sink`; its rate and channel count go to `rate`
  // and `channels`. NULL on failure, with `err` filled.
  sc_rt_stream* (*open)(const sc_rt_open_params* params, sc_rt_sink sink, unsigned* rate,
                        unsigned* channels, sc_rt_error* err);
  // Starts delivering: 0, or -1 with `err` filled.
  int (*start)(sc_rt_stream* stream, sc_rt_error* err);
  // Stops; idempotent. When it returns the sink is not called again.
  void (*stop)(sc_rt_stream* stream);
  // 1 once the device is gone (the server died, a read failed, JACK shut the client down).
  int (*finished)(const sc_rt_stream* stream);
  // Stops and frees the stream.
  void (*close)(sc_rt_stream* stream);
} sc_rt_module;

typedef const sc_rt_module* (*sc_rt_entry)(void);

#ifdef __cplusplus
}
#endif
