// The loopback self-test's engine (DESIGN.md "route test"): plays the test signal
// (analysis.h) on an output device, captures an input device meanwhile, and analyses what came
// back. The input and the output may be one duplex device (-D: the same Device object, as the
// virtual device with signal=loop needs) or two.
//
// Alignment: how the capture is lined up with the moment playback started. Every captured
// chunk carries its time on the capture stream's clock (CaptureSink::on_frames' `at`); the
// signal's first frame is handed to the output at time T on that clock, and the capture that
// is analysed starts at the captured frame of time T (analysis.h: "starting when the first
// frame of the signal was handed to the output"). T is
//   C0 + A:  C0 = the capture stream's clock() read just before the playback stream's start(),
//                 which waits up to 100 ms for the capture's first frames (a record stream's
//                 clock stands at 0 until they come; the virtual pair's capture waits for its
//                 playback, and its clock starts with it)
//            A  = the playback stream's clock (on_need's `at`) at the first frame it pulled,
//                 which is the first frame of the signal
// so T is when the output asked for the signal's first frame, on the capture's clock. For the
// virtual loop (both streams count device positions from the pair's common start: C0 = 0) the
// frame pulled at A is captured at A + latency, and the latency measured is the loop's,
// exactly. For two real streams, it is everything between asking the output to start and the
// sound being in the capture: the output's start-up and buffer, the path, and the capture's
// fragment (its clock is the time of the next frame it delivers, which lags the device). The
// latency the analysis reports is always the round trip the samples show, never what a device
// reports of itself (StreamDescription::latency). It can be negative when the capture's first
// frame comes later than the output's start: measured on PulseAudio 16.1's null sink, whose
// monitor delivered nothing for 250 ms after its start and then began 40 ms into what was
// played (-40.0 ms; pipewire-pulse: +10.7 ms).
//
// Threads: run_loop_test runs on the caller's thread, which drains the capture ring. The
// playback source it gives the output runs on the output's thread and only copies from memory
// allocated beforehand (no allocation, lock or system call in on_need).
#pragma once

#include <atomic>
#include <cstdint>

#include "core/audio/device.h"
#include "core/common/error.h"
#include "core/route/analysis.h"

namespace sc::route {

struct LoopTestReport {
  TestPlan plan;  // as run: its rate is the streams'
  Measurement measurement;
  // What the devices reported, apart from the dropouts the analysis finds in the samples: the
  // capture's xrun events (overruns) and the playback's (underruns), and the frames the
  // capture ring could not take (the drain fell behind).
  uint64_t capture_xruns = 0;
  uint64_t playback_underruns = 0;
  uint64_t ring_lost_frames = 0;
  uint64_t xruns() const { return capture_xruns + playback_underruns; }
  size_t captured_frames = 0;  // analysed (frames_of(plan).total() unless the capture fell short)
  unsigned input_channels = 0, output_channels = 0;
  audio::StreamDescription input, output;
};

// Runs the test. `plan.rate` is the rate asked of both streams (0: the input's own); the
// output must run at the input's rate. `buffer_frames` is the period asked of both (0: the
// backends' defaults). `input` and `output` may be the same object. `stop`,
// when given, ends the test early (a signal): what was captured is analysed.
// Errors: a device that cannot capture or play, or refuses the parameters, is its open or
// start error (Exit::unavailable, SessionCode cannotStartRecording / cannotStartPlaying); an
// output that cannot run at the input's rate is Exit::unavailable. A capture that ends early
// (the device went away, the stream stalled for longer than the signal plus 5 s) is not an
// error: the analysis counts what is missing as a dropout.
Result<LoopTestReport> run_loop_test(audio::Device& output, audio::Device& input, TestPlan plan,
                                     const std::atomic<bool>* stop = nullptr,
                                     unsigned buffer_frames = 0);

}  // namespace sc::route
