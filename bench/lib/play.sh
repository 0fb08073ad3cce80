# shellcheck shell=bash disable=SC2034,SC2154
# Benchmark (f): CPU seconds per played minute of a 48 kHz stereo s16 WAV file played into the
# PulseAudio null sink soundcheck_loop, soundcheck play against paplay with the same buffering,
# in the same rounds. A guard, not a target: soundcheck may cost at most PLAY_GUARD times what
# paplay does per minute played. As in cpu.sh, each round plays a short (PLAY_SHORT_S) and a
# long (BENCH_SECONDS) file with each tool; the guard is on the slope between the two (CPU per
# minute played), the start-up (the intercept) is printed beside it. Sourced by bench/run.
#
# The buffering: soundcheck play --io-buffer 50ms asks for minreq = one 50 ms fragment and
# tlength = four (core/audio/pulse/playback.cpp), with PA_STREAM_ADJUST_LATENCY; the server
# grants tlength 150 ms (it keeps the rest for its sink) and minreq 50 ms. paplay
# --latency-msec=50 would ask for tlength 50 ms and get 37.5 ms with minreq 12.5 ms: four times
# as many refills. paplay --latency-msec=200 --process-time-msec=50 asks for what soundcheck
# asks for and gets the same 150 ms / 50 ms; both are checked before the rounds.

readonly PLAY_TOOLS=(soundcheck paplay)
readonly PLAY_IO_BUFFER_MS=50  # soundcheck --io-buffer: the fragment (minreq)
readonly PLAY_FRAGMENTS=4      # tlength in fragments (core/audio/pulse/playback.cpp)
readonly PLAY_GUARD=1.25
readonly PLAY_SHORT_S=2

# play_command TOOL FILE RUSAGE_FILE: the command line into CMD, under bench/rusage.cpp.
play_command() {
  local tool=$1 file=$2 wrap=("$RUSAGE" "$3")
  case $tool in
    soundcheck)
      CMD=("${wrap[@]}" -- "$SC" play -q -D "pulse:$PULSE_SINK" --io-buffer "${PLAY_IO_BUFFER_MS}ms" "$file") ;;
    paplay)
      CMD=("${wrap[@]}" -- paplay -d "$PULSE_SINK" --latency-msec=$((PLAY_FRAGMENTS * PLAY_IO_BUFFER_MS))
        --process-time-msec="$PLAY_IO_BUFFER_MS" "$file") ;;
  esac
}

# The files: PLAY_FILE[SECONDS], a 440 Hz tone at half scale, 48 kHz stereo s16, made by sox.
play_make_files() {
  declare -gA PLAY_FILE=()
  local s
  for s in "$@"; do
    PLAY_FILE[$s]=$work/play-$s.wav
    sox -q -n -r "$RATE" -c 2 -b 16 "${PLAY_FILE[$s]}" synth "$s" sine 440 vol 0.5 || return 1
  done
}

# What the server granted each tool, from one short play of each (not measured): soundcheck's
# JSON (fragment_frames = minreq, latency_ms = tlength until it is measured) and paplay -v's
# "Buffer metrics" line (bytes of s16 stereo: 4 a frame).
play_buffers() {
  local file=$1 sc pa fr lat tl mr
  sc=$("$SC" --json play -D "pulse:$PULSE_SINK" --io-buffer "${PLAY_IO_BUFFER_MS}ms" "$file" 2>/dev/null |
    jq -r '.outputs[0] | "\(.fragment_frames) \(.latency_ms)"' 2>/dev/null) || sc=""
  if [[ $sc =~ ^[0-9]+\ [0-9.]+$ ]]; then
    read -r fr lat <<<"$sc"
    say "granted: soundcheck latency_ms $(fnum "$lat" 1) (its JSON), minreq $(fnum "$(calc 'f / r * 1000' f="$fr" r="$RATE")" 1) ms ($fr frames)"
  else
    say "granted: soundcheck unknown (its JSON was not read)"
  fi
  pa=$(paplay -v -d "$PULSE_SINK" --latency-msec=$((PLAY_FRAGMENTS * PLAY_IO_BUFFER_MS)) \
    --process-time-msec="$PLAY_IO_BUFFER_MS" "$file" 2>&1 | tr '\r' '\n' |
    sed -n 's/^Buffer metrics: .*tlength=\([0-9]*\), prebuf=[0-9]*, minreq=\([0-9]*\).*/\1 \2/p' | head -n 1)
  if [[ -n $pa ]]; then
    read -r tl mr <<<"$pa"
    say "granted: paplay tlength $(fnum "$(calc 'b / 4 / r * 1000' b="$tl" r="$RATE")" 1) ms," \
      "minreq $(fnum "$(calc 'b / 4 / r * 1000' b="$mr" r="$RATE")" 1) ms ($((mr / 4)) frames)"
  else
    say "granted: paplay unknown (no Buffer metrics line from paplay -v)"
  fi
}

# play_once TOOL RUN SECONDS: one play of the SECONDS file. Sets R_* for the per-run line (R_WHY
# when it failed) and PLAY_ROUND["TOOL:RUN"] to "CPU_S AUDIO_S".
play_once() {
  local tool=$1 run=$2 s=$3 file=${PLAY_FILE[$3]} ru="$work/rusage.txt" log="$work/play-$1-${2//:/-}.log"
  rm -f "$ru"
  play_command "$tool" "$file" "$ru"
  local rc=0
  "${CMD[@]}" >"$log" 2>&1 || rc=$?
  R_WHY=""
  if [[ $rc != 0 ]]; then
    R_WHY="exit status $rc: $(grep -v -e '^hint:' "$log" | tail -n 1)"
    return 1
  fi
  local user sys rss_kb wall
  if ! read -r user sys rss_kb wall <"$ru"; then
    R_WHY="no measurement: $(tail -n 1 "$log")"
    return 1
  fi
  R_AUDIO=$(calc 'n / r' n="$(frames "$file")" r="$RATE")
  R_CPU=$(calc 'u + s' u="$user" s="$sys")
  R_PERMIN=$(calc 'c / (a / 60)' c="$R_CPU" a="$R_AUDIO")
  R_RSS=$(calc 'k / 1024' k="$rss_kb")
  R_WALL=$wall
  PLAY_ROUND["$tool:$run"]="$R_CPU $R_AUDIO"
}

bench_play() {
  local s=${BENCH_SECONDS:-20} runs=${BENCH_RUNS:-3} tool run ORDER=() take tl=$((PLAY_FRAGMENTS * PLAY_IO_BUFFER_MS))
  heading "play: CPU seconds per played minute, ${RATE} Hz stereo s16 WAV into $PULSE_SINK, ${PLAY_IO_BUFFER_MS} ms fragments"
  say "soundcheck play -q -D pulse:$PULSE_SINK --io-buffer ${PLAY_IO_BUFFER_MS}ms F;"
  say "paplay -d $PULSE_SINK --latency-msec=$tl --process-time-msec=$PLAY_IO_BUFFER_MS F (the buffer soundcheck asks for:"
  say "minreq one fragment, tlength $PLAY_FRAGMENTS); F = ${PLAY_SHORT_S} s and ${s} s files in each of $runs rounds, one after another"
  say "(soundcheck first in odd rounds, paplay in even ones); CPU = user+sys of the player alone (wait4, to the"
  say "microsecond); per minute = the slope between the two files (their length), start-up = the rest"
  if ! pactl list short sinks 2>/dev/null | awk -v s="$PULSE_SINK" '$2 == s { f = 1 } END { exit !f }'; then
    result NOT-RUN "play: PulseAudio has no sink $PULSE_SINK"
    return 1
  fi
  check_load "before the play benchmark"
  declare -gA PLAY_ROUND=()  # "tool:round:take" -> "CPU_S AUDIO_S" of that play
  if ! build_rusage >"$work/rusage-build.log" 2>&1; then
    cat "$work/rusage-build.log"
    result NOT-RUN "play: bench/rusage.cpp did not compile"
    return 1
  fi
  if ! play_make_files "$PLAY_SHORT_S" "$s"; then
    result NOT-RUN "play: sox could not make the files"
    return 1
  fi
  local others sink
  sink=$(pactl list short sinks 2>/dev/null | awk -v s="$PULSE_SINK" '$2 == s { print $1 }')
  others=$(pactl list short sink-inputs 2>/dev/null | awk -v k="$sink" '$2 == k' | wc -l)
  ((others == 0)) || note "$others other stream(s) play into $PULSE_SINK: the sink is shared"
  play_buffers "${PLAY_FILE[$PLAY_SHORT_S]}"
  say ""
  take_row run tool audio_s cpu_s cpu_s/min rss_MiB wall_s note
  local ratios=() q
  declare -A per=() fixed=()  # tool -> the slopes and intercepts of the rounds, space-separated
  for ((run = 1; run <= runs; run++)); do
    ((run == 1)) || check_load "before round $run"
    alternate_order "$run" "${PLAY_TOOLS[@]}"
    for tool in "${ORDER[@]}"; do
      for take in "$PLAY_SHORT_S" "$s"; do
        if play_once "$tool" "$run:$take" "$take"; then
          take_row "$run/$runs" "$tool" "$(fnum "$R_AUDIO" 2)" "$(fnum "$R_CPU" 4)" "$(fnum "$R_PERMIN" 4)" \
            "$(fnum "$R_RSS" 1)" "$(fnum "$R_WALL" 2)" ""
        else
          take_row "$run/$runs" "$tool" - - - - - "FAILED: $R_WHY"
        fi
        sleep 1
      done
    done
    local -A got=()
    for tool in "${PLAY_TOOLS[@]}"; do
      if [[ -n ${PLAY_ROUND["$tool:$run:$PLAY_SHORT_S"]-} && -n ${PLAY_ROUND["$tool:$run:$s"]-} ]] &&
        split_takes "${PLAY_ROUND["$tool:$run:$PLAY_SHORT_S"]}" "${PLAY_ROUND["$tool:$run:$s"]}"; then
        got[$tool]=$SPLIT_MIN
        per[$tool]+=" $SPLIT_MIN"
        fixed[$tool]+=" $SPLIT_FIXED"
      fi
    done
    if [[ -n ${got[soundcheck]-} && -n ${got[paplay]-} ]]; then
      q=$(calc 'a / b' a="${got[soundcheck]}" b="${got[paplay]}")
      ratios+=("$q")
      local fs fp
      read -ra fs <<<"${fixed[soundcheck]}"
      read -ra fp <<<"${fixed[paplay]}"
      say "round $run/$runs: per minute soundcheck $(fnum "${got[soundcheck]}" 4), paplay $(fnum "${got[paplay]}" 4): ratio $(fnum "$q" 2);" \
        "start-up soundcheck $(fnum "${fs[-1]}" 4) s, paplay $(fnum "${fp[-1]}" 4) s"
    fi
  done
  check_load "after the play benchmark"

  say ""
  say "medians of the rounds that worked (cpu_s/min: CPU seconds per played minute; start-up: CPU seconds of a run"
  say "that plays nothing):"
  printf '%-10s %6s %12s %10s\n' tool rounds cpu_s/min start-up
  local -A med=() med_fixed=()
  local v
  for tool in "${PLAY_TOOLS[@]}"; do
    if [[ -z ${per[$tool]-} ]]; then
      result NOT-RUN "play: $tool did not play in any round$([[ $tool == soundcheck ]] || echo ', nothing to compare with')"
      return 1
    fi
    read -ra v <<<"${per[$tool]}"
    med[$tool]=$(median "${v[@]}")
    local n=${#v[@]}
    read -ra v <<<"${fixed[$tool]}"
    med_fixed[$tool]=$(median "${v[@]}")
    printf '%-10s %6s %12s %10s\n' "$tool" "$n/$runs" "$(fnum "${med[$tool]}" 4)" "$(fnum "${med_fixed[$tool]}" 4)"
  done
  if ((${#ratios[@]} == 0)); then
    result NOT-RUN "play: soundcheck and paplay never both played in the same round"
    return 1
  fi
  ratio_rounds soundcheck paplay "$PLAY_GUARD" "${ratios[@]}"
  local r=$RATIO_MED text
  text="play: soundcheck $(fnum "${med[soundcheck]}" 4), paplay $(fnum "${med[paplay]}" 4) CPU s/min at minreq ${PLAY_IO_BUFFER_MS} ms, tlength ${tl} ms asked;"
  text+=" median ratio $r over ${#ratios[@]} rounds (guard <= $PLAY_GUARD);"
  text+=" start-up $(fnum "${med_fixed[soundcheck]}" 4) s against $(fnum "${med_fixed[paplay]}" 4) s"
  if le "$r" "$PLAY_GUARD"; then result PASS "$text"; else result FAIL "$text"; fi
}
