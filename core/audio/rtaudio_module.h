// Loads the RtAudio module (rtaudio_abi.h says why RtAudio lives in one) when an ALSA or JACK
// device is first listed or opened, or RtAudio's version is asked for.
//
// Where it is looked for, first found wins:
//   1. $SOUNDCHECK_MODULE_DIR/soundcheck-rtaudio.so when that variable is set (only there);
//   2. next to the running program (a build tree: build/soundcheck and
//      build/soundcheck-rtaudio.so);
//   3. where `cmake --install` puts it: <bindir>/../<libdir>/soundcheck/.
//
// Threads: any; the first call loads, later ones return the same answer.
#pragma once

#include "core/audio/rtaudio_abi.h"
#include "core/common/error.h"

namespace sc::audio {

// The module's table, loaded for good (never unloaded: its streams and threads may live until
// exit). Exit::unavailable when no module is found or the one found cannot be loaded: the
// message says which paths were tried and why each failed, the hint how to fix it.
Result<const sc_rt_module*> rtaudio_module();

}  // namespace sc::audio
