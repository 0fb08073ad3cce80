#include "core/audio/pulse_native_query.h"

namespace sc::audio {
namespace {

using namespace pulse::wire;

// One entry of a source or sink list, in the order of libpulse's introspect.c (the two have
// the same shape: `peer` is the sink a source monitors, or a sink's monitor source).
bool read_entry(Reader& r, uint32_t version, bool is_sink, PulseObject& o) {
  r.u32();  // index
  o.name = r.str().value_or("");
  o.description = r.str().value_or("");
  const auto spec = r.sample_spec();
  o.channels = spec.channels;
  o.rate = spec.rate;
  r.skip_channel_map();
  r.u32();  // owner module
  r.skip_cvolume();
  r.boolean();  // mute
  const uint32_t peer = r.u32();
  const std::string peer_name = r.str().value_or("");
  if (is_sink)
    o.monitor = peer_name;
  else if (peer != kInvalid)
    o.monitor_of = peer_name;
  r.usec();  // latency
  r.str();   // driver
  r.u32();   // flags
  r.skip_proplist();
  r.usec();         // configured latency
  r.skip_volume();  // base volume
  r.u32();          // state
  r.u32();          // volume steps
  r.u32();          // card
  const uint32_t ports = r.u32();
  for (uint32_t i = 0; i < ports && r.ok(); ++i) {
    r.str(), r.str(), r.u32();            // name, description, priority
    if (version >= 24) r.u32();           // available
    if (version >= 34) r.str(), r.u32();  // availability group, type
  }
  r.str();  // active port
  const uint8_t formats = r.u8();
  for (uint8_t i = 0; i < formats && r.ok(); ++i) r.skip_format_info();
  return r.ok();
}

bool read_list(const pulse::Client::Reply& reply, uint32_t version, bool is_sink,
               std::vector<PulseObject>& out) {
  if (reply.error != 0) return false;
  auto r = reply.reader();
  while (!r.at_end()) {
    PulseObject o;
    if (!read_entry(r, version, is_sink, o)) return false;
    out.push_back(std::move(o));
  }
  return true;
}

}  // namespace

std::optional<PulseSnapshot> query_native(pulse::Client& client, pulse::Client::Deadline deadline) {
  PulseSnapshot snap;
  uint32_t tag = client.next_tag();
  const auto server = client.call(Tags(kGetServerInfo, tag), tag, deadline);
  if (!server || server->error != 0) return std::nullopt;
  auto r = server->reader();
  r.str(), r.str(), r.str(), r.str();  // user, host, server version, server name
  r.sample_spec();
  snap.default_sink = r.str().value_or("");
  snap.default_source = r.str().value_or("");
  if (!r.ok()) return std::nullopt;

  tag = client.next_tag();
  const auto sources = client.call(Tags(kGetSourceInfoList, tag), tag, deadline);
  if (!sources || !read_list(*sources, client.version(), false, snap.sources)) return std::nullopt;
  tag = client.next_tag();
  const auto sinks = client.call(Tags(kGetSinkInfoList, tag), tag, deadline);
  if (!sinks || !read_list(*sinks, client.version(), true, snap.sinks)) return std::nullopt;
  return snap;
}

}  // namespace sc::audio
