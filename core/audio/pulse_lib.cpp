#include "core/audio/pulse_lib.h"

#include "core/common/shared_library.h"

namespace sc::audio::pulse {

Result<const Lib*> lib() {
  static SharedLibrary so("libpulse.so.0");
  static const Lib table = [] {
    Lib t{};
    so.bind(t.mainloop_new, "pa_mainloop_new");
    so.bind(t.mainloop_free, "pa_mainloop_free");
    so.bind(t.mainloop_get_api, "pa_mainloop_get_api");
    so.bind(t.mainloop_prepare, "pa_mainloop_prepare");
    so.bind(t.mainloop_poll, "pa_mainloop_poll");
    so.bind(t.mainloop_dispatch, "pa_mainloop_dispatch");
    so.bind(t.context_new, "pa_context_new");
    so.bind(t.context_connect, "pa_context_connect");
    so.bind(t.context_disconnect, "pa_context_disconnect");
    so.bind(t.context_unref, "pa_context_unref");
    so.bind(t.context_get_state, "pa_context_get_state");
    so.bind(t.context_set_state_callback, "pa_context_set_state_callback");
    so.bind(t.context_errno, "pa_context_errno");
    so.bind(t.context_get_server_info, "pa_context_get_server_info");
    so.bind(t.context_get_source_info_list, "pa_context_get_source_info_list");
    so.bind(t.context_get_sink_info_list, "pa_context_get_sink_info_list");
    so.bind(t.operation_unref, "pa_operation_unref");
    so.bind(t.stream_new, "pa_stream_new");
    so.bind(t.stream_unref, "pa_stream_unref");
    so.bind(t.stream_connect_record, "pa_stream_connect_record");
    so.bind(t.stream_disconnect, "pa_stream_disconnect");
    so.bind(t.stream_get_state, "pa_stream_get_state");
    so.bind(t.stream_get_sample_spec, "pa_stream_get_sample_spec");
    so.bind(t.stream_set_state_callback, "pa_stream_set_state_callback");
    so.bind(t.stream_set_read_callback, "pa_stream_set_read_callback");
    so.bind(t.stream_set_overflow_callback, "pa_stream_set_overflow_callback");
    so.bind(t.stream_set_buffer_attr, "pa_stream_set_buffer_attr");
    so.bind(t.stream_cork, "pa_stream_cork");
    so.bind(t.stream_peek, "pa_stream_peek");
    so.bind(t.stream_drop, "pa_stream_drop");
    so.bind(t.stream_update_timing_info, "pa_stream_update_timing_info");
    so.bind(t.stream_get_timing_info, "pa_stream_get_timing_info");
    so.bind(t.sample_spec_valid, "pa_sample_spec_valid");
    so.bind(t.frame_size, "pa_frame_size");
    so.bind(t.bytes_to_usec, "pa_bytes_to_usec");
    so.bind(t.channel_map_init_extend, "pa_channel_map_init_extend");
    so.bind(t.strerror, "pa_strerror");
    so.bind(t.get_library_version, "pa_get_library_version");
    return t;
  }();
  if (!so.ok()) return so.error("libpulse0");
  return &table;
}

}  // namespace sc::audio::pulse
