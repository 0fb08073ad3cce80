// The libpulse functions soundcheck calls, from the library loaded when first needed (dlopen),
// not at start-up. Linked the usual way, libpulse brings 17 more shared libraries with it
// (D-Bus, systemd, X11/xcb, gcrypt, ...): ~2.5 ms of CPU in the dynamic loader at every start
// of every command, whether it touches PulseAudio or not, which is the margin of the CPU per
// recorded minute target (bench/run cpu). A recording over PulseAudio's native protocol does
// not need libpulse at all; only the listings and the fallback stream load it. (Those pay
// more than when it was linked: a dlopened library's symbols are looked up through the
// program's libraries first, and RTLD_NOW binds its 17 at once. callgrind: `record -D
// pulse:... -d 0.1s` 5.56 M -> 7.47 M instructions; `record --help` 5.29 M -> 1.71 M.)
//
// Each entry has the type of the function declared in libpulse's own headers, so a call
// through it is checked like a direct call. The headers stay for the types and for what they
// define inline (PA_CONTEXT_IS_GOOD, PA_STREAM_IS_GOOD), which calls nothing in the library.
// The soname is that of the library compiled against (libpulse.so.0, Debian 12's libpulse0).
//
// Threads: any; the first call loads, later ones return the same table.
#pragma once

#include <pulse/pulseaudio.h>

#include "core/common/error.h"

namespace sc::audio::pulse {

struct Lib {
  // pulse/mainloop.h
  decltype(&::pa_mainloop_new) mainloop_new;
  decltype(&::pa_mainloop_free) mainloop_free;
  decltype(&::pa_mainloop_get_api) mainloop_get_api;
  decltype(&::pa_mainloop_prepare) mainloop_prepare;
  decltype(&::pa_mainloop_poll) mainloop_poll;
  decltype(&::pa_mainloop_dispatch) mainloop_dispatch;
  // pulse/context.h, pulse/introspect.h, pulse/operation.h
  decltype(&::pa_context_new) context_new;
  decltype(&::pa_context_connect) context_connect;
  decltype(&::pa_context_disconnect) context_disconnect;
  decltype(&::pa_context_unref) context_unref;
  decltype(&::pa_context_get_state) context_get_state;
  decltype(&::pa_context_set_state_callback) context_set_state_callback;
  decltype(&::pa_context_errno) context_errno;
  decltype(&::pa_context_get_server_info) context_get_server_info;
  decltype(&::pa_context_get_source_info_list) context_get_source_info_list;
  decltype(&::pa_context_get_sink_info_list) context_get_sink_info_list;
  decltype(&::pa_operation_unref) operation_unref;
  // pulse/stream.h
  decltype(&::pa_stream_new) stream_new;
  decltype(&::pa_stream_unref) stream_unref;
  decltype(&::pa_stream_connect_record) stream_connect_record;
  decltype(&::pa_stream_disconnect) stream_disconnect;
  decltype(&::pa_stream_get_state) stream_get_state;
  decltype(&::pa_stream_get_sample_spec) stream_get_sample_spec;
  decltype(&::pa_stream_set_state_callback) stream_set_state_callback;
  decltype(&::pa_stream_set_read_callback) stream_set_read_callback;
  decltype(&::pa_stream_set_overflow_callback) stream_set_overflow_callback;
  decltype(&::pa_stream_set_buffer_attr) stream_set_buffer_attr;
  decltype(&::pa_stream_cork) stream_cork;
  decltype(&::pa_stream_peek) stream_peek;
  decltype(&::pa_stream_drop) stream_drop;
  decltype(&::pa_stream_update_timing_info) stream_update_timing_info;
  decltype(&::pa_stream_get_timing_info) stream_get_timing_info;
  // pulse/sample.h, pulse/channelmap.h, pulse/error.h, pulse/version.h
  decltype(&::pa_sample_spec_valid) sample_spec_valid;
  decltype(&::pa_frame_size) frame_size;
  decltype(&::pa_bytes_to_usec) bytes_to_usec;
  decltype(&::pa_channel_map_init_extend) channel_map_init_extend;
  decltype(&::pa_strerror) strerror;
  decltype(&::pa_get_library_version) get_library_version;
};

// The loaded library, or Exit::unavailable naming it, with dlerror()'s reason and a hint to
// install Debian's package.
Result<const Lib*> lib();

// The loaded library, for code that holds something libpulse made (a main loop, a context, a
// stream): having it proves that lib() succeeded.
inline const Lib& loaded() { return **lib(); }

}  // namespace sc::audio::pulse
