#include "core/audio/pulse/admin.h"

#include <fmt/format.h>

namespace sc::audio::pulse {
namespace {

std::string text(const char* s) { return s ? std::string(s) : std::string(); }

std::map<std::string, std::string> properties_of(const pa_proplist* p) {
  std::map<std::string, std::string> out;
  if (!p) return out;
  void* state = nullptr;
  while (const char* key = pa_proplist_iterate(p, &state))
    if (const char* value = pa_proplist_gets(p, key)) out.emplace(key, value);
  return out;
}

template <typename Info>
DeviceEntry entry_of(const Info& i) {
  DeviceEntry e;
  e.index = i.index;
  e.name = text(i.name);
  e.description = text(i.description);
  e.owner_module = i.owner_module;
  if (i.active_port) e.active_port = text(i.active_port->name);
  e.properties = properties_of(i.proplist);
  return e;
}

// What a list request collects: its entries, and how it ended (eol 1: done, -1: failed).
template <typename T>
struct Listing {
  std::vector<T> items;
  int eol = 0;
  Context* context = nullptr;
};

template <typename Info, typename T>
void collect(pa_context*, const Info* i, int eol, void* p) {
  auto* l = static_cast<Listing<T>*>(p);
  if (eol != 0 || !i) {
    l->eol = eol != 0 ? eol : -1;
    l->context->signal();
    return;
  }
  if constexpr (std::is_same_v<T, ModuleEntry>)
    l->items.push_back(ModuleEntry{i->index, text(i->name), text(i->argument)});
  else
    l->items.push_back(entry_of(*i));
}

struct Answer {
  bool done = false;
  int success = 0;
  uint32_t index = PA_INVALID_INDEX;
  ServerInfo info;
  Context* context = nullptr;
};

void on_success(pa_context*, int success, void* p) {
  auto* a = static_cast<Answer*>(p);
  a->success = success;
  a->done = true;
  a->context->signal();
}

void on_index(pa_context*, uint32_t index, void* p) {
  auto* a = static_cast<Answer*>(p);
  a->index = index;
  a->success = index != PA_INVALID_INDEX;
  a->done = true;
  a->context->signal();
}

// pipewire-pulse names no default as "@DEFAULT_SINK@" / "@DEFAULT_SOURCE@": none.
std::string default_name(const char* s) {
  std::string name = text(s);
  return name == "@DEFAULT_SINK@" || name == "@DEFAULT_SOURCE@" ? std::string() : name;
}

void on_server_info(pa_context*, const pa_server_info* i, void* p) {
  auto* a = static_cast<Answer*>(p);
  if (i) {
    a->info.name = text(i->server_name);
    a->info.version = text(i->server_version);
    a->info.default_sink = default_name(i->default_sink_name);
    a->info.default_source = default_name(i->default_source_name);
    a->success = 1;
  }
  a->done = true;
  a->context->signal();
}

}  // namespace

template <typename Done>
Status Admin::wait(pa_operation* op, const char* what, Done done) {
  Operation hold(op);
  if (!op)
    return make_error(Exit::unavailable,
                      fmt::format("the PulseAudio server refused to {}: {}", what, c_.error()),
                      server_hint());
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  if (c_.wait_until(deadline, done)) return ok_status();
  // Its callback must not run after the caller's answer has gone out of scope.
  pa_operation_cancel(op);
  if (!c_.good())
    return make_error(
        Exit::unavailable,
        fmt::format("the PulseAudio server went away while asked to {}: {}", what, c_.error()),
        server_hint());
  return make_error(Exit::unavailable,
                    fmt::format("the PulseAudio server did not {} in {} s", what,
                                std::chrono::duration<double>(timeout_).count()),
                    server_hint());
}

Result<ServerInfo> Admin::server_info() {
  Context::Lock lock(c_);
  Answer a;
  a.context = &c_;
  auto st = wait(pa_context_get_server_info(c_.get(), &on_server_info, &a), "describe itself",
                 [&] { return a.done; });
  if (!st) return st.error();
  if (!a.success)
    return make_error(Exit::unavailable,
                      fmt::format("the PulseAudio server did not describe itself: {}", c_.error()),
                      server_hint());
  std::string address = text(pa_context_get_server(c_.get()));
  if (!address.empty() && address.front() == '/') address = "unix:" + address;
  a.info.address = address;
  return a.info;
}

Result<std::vector<DeviceEntry>> Admin::sinks() {
  Context::Lock lock(c_);
  Listing<DeviceEntry> l;
  l.context = &c_;
  auto st = wait(pa_context_get_sink_info_list(c_.get(), &collect<pa_sink_info, DeviceEntry>, &l),
                 "list its sinks", [&] { return l.eol != 0; });
  if (!st) return st.error();
  if (l.eol < 0)
    return make_error(Exit::unavailable,
                      fmt::format("the PulseAudio server did not list its sinks: {}", c_.error()));
  return std::move(l.items);
}

Result<std::vector<DeviceEntry>> Admin::sources() {
  Context::Lock lock(c_);
  Listing<DeviceEntry> l;
  l.context = &c_;
  auto st =
      wait(pa_context_get_source_info_list(c_.get(), &collect<pa_source_info, DeviceEntry>, &l),
           "list its sources", [&] { return l.eol != 0; });
  if (!st) return st.error();
  if (l.eol < 0)
    return make_error(Exit::unavailable, fmt::format("the PulseAudio server did not list its "
                                                     "sources: {}",
                                                     c_.error()));
  return std::move(l.items);
}

Result<std::vector<ModuleEntry>> Admin::modules() {
  Context::Lock lock(c_);
  Listing<ModuleEntry> l;
  l.context = &c_;
  auto st =
      wait(pa_context_get_module_info_list(c_.get(), &collect<pa_module_info, ModuleEntry>, &l),
           "list its modules", [&] { return l.eol != 0; });
  if (!st) return st.error();
  if (l.eol < 0)
    return make_error(Exit::unavailable, fmt::format("the PulseAudio server did not list its "
                                                     "modules: {}",
                                                     c_.error()));
  return std::move(l.items);
}

Result<uint32_t> Admin::load_module(const std::string& name, const std::string& argument) {
  Context::Lock lock(c_);
  Answer a;
  a.context = &c_;
  const std::string what = "load " + name;
  auto st = wait(pa_context_load_module(c_.get(), name.c_str(), argument.c_str(), &on_index, &a),
                 what.c_str(), [&] { return a.done; });
  if (!st) return st.error();
  if (!a.success)
    return make_error(
        Exit::unavailable,
        fmt::format("the PulseAudio server could not load {} {}: {}", name, argument, c_.error()));
  return a.index;
}

Status Admin::unload_module(uint32_t index) {
  Context::Lock lock(c_);
  Answer a;
  a.context = &c_;
  auto st = wait(pa_context_unload_module(c_.get(), index, &on_success, &a), "unload a module",
                 [&] { return a.done; });
  if (!st) return st;
  if (!a.success)
    return make_error(
        Exit::unavailable,
        fmt::format("the PulseAudio server could not unload module #{}: {}", index, c_.error()));
  return ok_status();
}

Status Admin::set_default_sink(const std::string& name) {
  Context::Lock lock(c_);
  Answer a;
  a.context = &c_;
  auto st = wait(pa_context_set_default_sink(c_.get(), name.c_str(), &on_success, &a),
                 "set its default sink", [&] { return a.done; });
  if (!st) return st;
  if (!a.success)
    return make_error(Exit::unavailable,
                      fmt::format("the PulseAudio server could not make {} the default sink: {}",
                                  name, c_.error()));
  return ok_status();
}

Status Admin::set_default_source(const std::string& name) {
  Context::Lock lock(c_);
  Answer a;
  a.context = &c_;
  auto st = wait(pa_context_set_default_source(c_.get(), name.c_str(), &on_success, &a),
                 "set its default source", [&] { return a.done; });
  if (!st) return st;
  if (!a.success)
    return make_error(Exit::unavailable,
                      fmt::format("the PulseAudio server could not make {} the default source: {}",
                                  name, c_.error()));
  return ok_status();
}

}  // namespace sc::audio::pulse
