// The loopback self-test's engine (DESIGN.md "route test"): plays the test signal
// (analysis.h) on an output device, captures an input device meanwhile, and analyses what came
// back. The input and the output may be one duplex device (-D: the same Device object, as the
// virtual device with signal=loop needs) or two.
//
// Alignment: where in the capture the signal's first frame belongs, so that the latency the
// analysis finds is the round trip. Two ways:
//
// One timeline (Device::streams_share_clock: the virtual device with signal=loop, -D): every
// captured chunk carries its time on the capture stream's clock (CaptureSink::on_frames'
// `at`), and the playback stream's clock counts from the same start. The signal's first
// frame was pulled at A on the playback clock; C0 is the capture clock read just before the
// playback started (0 for the virtual pair, whose capture waits for its playback); the
// analysis starts at the captured frame of time C0 + A. The frame pulled at A is captured at
// A + latency, so the latency measured is the loop's, exactly.
//
// Two streams (a server, a sound card: each stream counts its own frames, and a PulseAudio
// null sink's monitor starts delivering late and some way into what was played, which no
// stream clock shows): the wall clock relates them. The capture's sink logs when each block
// arrives; the lower envelope of (arrival - frames so far / rate) is when captured frame 0
// came, since a block never arrives before its frames were captured. The source logs when
// each block was pulled; the median of (pull - first frame / rate) over the pulls after the
// first (which fills the output's buffer at once) is when the signal's first frame would have
// been handed over at the pace the output asks. Their difference places the signal in the
// capture, to a fraction of a frame. The latency is then the time from handing a frame to
// the output to receiving it from the input: the output's buffer, the path, the input's
// fragment, all of what an application sees. It cannot be below zero but by the jitter of
// the estimates: no frame is captured before it was handed over. Measured through a null
// sink and its monitor: PulseAudio 16.1 39.8 ms idle, 34.6 to 34.9 ms with another stream
// keeping the sink running; pipewire-pulse 49.2 ms (aligning by the streams' own clocks
// had said -40, -10 to +0.4 and +11 ms).
//
// The latency the analysis reports is always the round trip the samples show, never what a
// device reports of itself (StreamDescription::latency).
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
