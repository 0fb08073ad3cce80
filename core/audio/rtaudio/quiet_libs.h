// Keeps the audio libraries' own chatter off the user's terminal (registry.h: APIs that do
// not work here "print nothing"). ALSA prints "ALSA lib confmisc.c:855:(parse_card) cannot
// find card '0'" when there is no card, JACK's client library "Cannot connect to server
// socket" when there is no server; both go to stderr unless told otherwise.
#pragma once

namespace sc::audio::rt {

// Installs silent error handlers in libasound and (when it is loaded) libjack, and asks JACK
// never to start a server (JACK_NO_START_SERVER, unless the user set it). Idempotent and
// thread-safe; call before the first RtAudio object is made. Never fails.
void quiet_audio_libraries();

}  // namespace sc::audio::rt
