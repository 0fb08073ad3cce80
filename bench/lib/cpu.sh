# shellcheck shell=bash disable=SC2034,SC2154
# Benchmark (a): CPU seconds per recorded minute of 48 kHz stereo s16 captured from the
# PulseAudio null-sink monitor into WAV, soundcheck against parecord at the same latency
# (50 ms fragments), in the same rounds. A guard, not a target: soundcheck may cost at most
# CPU_GUARD times what parecord does per minute recorded. Each round records a short
# (CPU_SHORT_S) and a long (BENCH_SECONDS) take with each tool, which splits a recording's CPU
# into what each run costs once (start-up: the dynamic loader, the connection; the exit) and
# what each minute recorded costs (the slope between the two). The guard is on the slope: the
# start-up of a program linked the ordinary way costs tens of milliseconds more than parecord's,
# which issue 18 accepted, and is printed beside it. Sourced by bench/run.

readonly CPU_TOOLS=(soundcheck parecord)
readonly CPU_LATENCY_MS=50
readonly CPU_GUARD=1.25
readonly CPU_SHORT_S=2

# cpu_command TOOL OUT SECONDS RUSAGE_FILE: the command line into CMD. bench/rusage.cpp runs the
# recorder itself and writes its CPU to the microsecond into RUSAGE_FILE; parecord, which stops
# only on a signal, gets SIGINT from it after SECONDS.
cpu_command() {
  local tool=$1 out=$2 s=$3 wrap=("$RUSAGE" "$4")
  case $tool in
    soundcheck)
      CMD=("${wrap[@]}" -- "$SC" record -q -D "pulse:$PULSE_SOURCE_NAME" -r "$RATE" -c 2 -e pcm16
        --io-buffer "${CPU_LATENCY_MS}ms" -d "${s}s" "$out") ;;
    parecord)
      CMD=("${wrap[@]}" -i "$s" -- parecord -d "$PULSE_SOURCE_NAME" --rate="$RATE" --channels=2
        --format=s16le --file-format=wav --latency-msec="$CPU_LATENCY_MS" "$out") ;;
  esac
}

# One player for the whole benchmark: a 30 s tone played into the sink again and again, so that
# the monitor carries a signal, not zeros. cpu_player_start [PAPLAY_OPTION...] (bench/run
# sessions asks for a low latency).
# shellcheck disable=SC2120
cpu_player_start() {
  local opts=("$@")
  sox -q -n -r "$RATE" -c 2 -b 16 "$work/tone.wav" synth 30 sine 440 vol 0.5
  (
    trap 'kill "$c" 2>/dev/null; exit 0' TERM
    while :; do
      paplay "${opts[@]}" -d "$PULSE_SINK" "$work/tone.wav" >/dev/null 2>&1 &
      c=$!
      wait "$c" || sleep 0.2
    done
  ) &
  PLAYER=$!
  sleep 1
  local state
  state=$(pactl list short sinks 2>/dev/null | awk -v s="$PULSE_SINK" '$2 == s { print $NF }')
  say "tone player: paplay${opts[*]:+ ${opts[*]}} -d $PULSE_SINK (pid $PLAYER), sink state ${state:-unknown}"
  [[ $state == RUNNING ]] || note "the sink is not RUNNING: the recordings may be silent"
}
cpu_player_stop() {
  if [[ -n ${PLAYER-} ]]; then
    kill "$PLAYER" 2>/dev/null || true
    wait "$PLAYER" 2>/dev/null || true
    PLAYER=""
  fi
}

# cpu_once TOOL RUN SECONDS: one recording. Sets R_* for the per-run line (R_WHY when it
# failed) and CPU_ROUND["TOOL:RUN"] to its CPU seconds per recorded minute.
cpu_once() {
  local tool=$1 run=$2 s=$3 out="$work/cpu-$1-$2.wav" ru="$work/rusage.txt" log="$work/cpu-$1-$2.log"
  rm -f "$out" "$ru"
  cpu_command "$tool" "$out" "$s" "$ru"
  local rc=0
  "${CMD[@]}" >"$log" 2>&1 || rc=$?
  local n
  n=$(frames "$out")
  R_WHY=""
  if [[ $rc != 0 ]]; then
    R_WHY="exit status $rc: $(grep -v -e '^hint:' "$log" | tail -n 1)"
  elif ((n == 0)); then
    R_WHY="wrote no audio"
  fi
  local user sys rss_kb wall
  if [[ -z $R_WHY ]] && ! read -r user sys rss_kb wall <"$ru"; then
    R_WHY="no measurement: $(tail -n 1 "$log")"
  fi
  if [[ -n $R_WHY ]]; then
    rm -f "$out"
    return 1
  fi
  R_AUDIO=$(calc 'n / r' n="$n" r="$RATE")
  R_CPU=$(calc 'u + s' u="$user" s="$sys")
  R_PERMIN=$(calc 'c / (a / 60)' c="$R_CPU" a="$R_AUDIO")
  R_RSS=$(calc 'k / 1024' k="$rss_kb")
  R_PEAK=$(peak "$out")
  rm -f "$out"
  CPU_ROUND["$tool:$run"]="$R_CPU $R_AUDIO"
}

bench_cpu() {
  local s=${BENCH_SECONDS:-20} runs=${BENCH_RUNS:-3} tool run ORDER=() take
  heading "cpu: CPU seconds per recorded minute, ${RATE} Hz stereo s16 from $PULSE_SOURCE_NAME into WAV, ${CPU_LATENCY_MS} ms fragments"
  say "soundcheck record --io-buffer ${CPU_LATENCY_MS}ms -d S; parecord --latency-msec=${CPU_LATENCY_MS}, SIGINT after S;"
  say "S = ${CPU_SHORT_S} s and ${s} s in each of $runs rounds, one after another from the same monitor (soundcheck first"
  say "in odd rounds, parecord in even ones); CPU = user+sys of the recorder alone (wait4, to the microsecond);"
  say "per minute = the slope between the two takes (the audio actually in the files), start-up = the rest"
  if ! pactl list short sources 2>/dev/null | awk -v s="$PULSE_SOURCE_NAME" '$2 == s { f = 1 } END { exit !f }'; then
    result NOT-RUN "cpu: PulseAudio has no source $PULSE_SOURCE_NAME"
    return 1
  fi
  check_load "before the cpu benchmark"
  declare -gA CPU_ROUND=()  # "tool:round:take" -> "CPU_S AUDIO_S" of that recording
  if ! build_rusage >"$work/rusage-build.log" 2>&1; then
    cat "$work/rusage-build.log"
    result NOT-RUN "cpu: bench/rusage.cpp did not compile"
    return 1
  fi
  # shellcheck disable=SC2119
  cpu_player_start
  say ""
  take_row run tool audio_s cpu_s cpu_s/min rss_MiB peak note
  local ratios=() sc=() pa=() sc_fixed=() pa_fixed=() q
  for ((run = 1; run <= runs; run++)); do
    ((run == 1)) || check_load "before round $run"
    alternate_order "$run" "${CPU_TOOLS[@]}"
    for tool in "${ORDER[@]}"; do
      for take in "$CPU_SHORT_S" "$s"; do
        if cpu_once "$tool" "$run:$take" "$take"; then
          local silent=""
          lt "${R_PEAK:-0}" 0.01 && silent="silent: the tone did not reach the file"
          take_row "$run/$runs" "$tool" "$(fnum "$R_AUDIO" 2)" "$(fnum "$R_CPU" 4)" "$(fnum "$R_PERMIN" 4)" \
            "$(fnum "$R_RSS" 1)" "$(fnum "$R_PEAK" 2)" "$silent"
        else
          take_row "$run/$runs" "$tool" - - - - - "FAILED: $R_WHY"
        fi
        sleep 1
      done
    done
    local got_sc="" got_pa=""
    if [[ -n ${CPU_ROUND["soundcheck:$run:$CPU_SHORT_S"]-} && -n ${CPU_ROUND["soundcheck:$run:$s"]-} ]] &&
      split_takes "${CPU_ROUND["soundcheck:$run:$CPU_SHORT_S"]}" "${CPU_ROUND["soundcheck:$run:$s"]}"; then
      got_sc=$SPLIT_MIN
      sc+=("$SPLIT_MIN")
      sc_fixed+=("$SPLIT_FIXED")
    fi
    if [[ -n ${CPU_ROUND["parecord:$run:$CPU_SHORT_S"]-} && -n ${CPU_ROUND["parecord:$run:$s"]-} ]] &&
      split_takes "${CPU_ROUND["parecord:$run:$CPU_SHORT_S"]}" "${CPU_ROUND["parecord:$run:$s"]}"; then
      got_pa=$SPLIT_MIN
      pa+=("$SPLIT_MIN")
      pa_fixed+=("$SPLIT_FIXED")
    fi
    if [[ -n $got_sc && -n $got_pa ]]; then
      q=$(calc 'a / b' a="$got_sc" b="$got_pa")
      ratios+=("$q")
      say "round $run/$runs: per minute soundcheck $(fnum "$got_sc" 4), parecord $(fnum "$got_pa" 4): ratio $(fnum "$q" 2);" \
        "start-up soundcheck $(fnum "${sc_fixed[-1]}" 4) s, parecord $(fnum "${pa_fixed[-1]}" 4) s"
    fi
  done
  cpu_player_stop
  check_load "after the cpu benchmark"

  say ""
  say "medians of the rounds that worked (cpu_s/min: CPU seconds per recorded minute; start-up: CPU seconds of a run"
  say "that records nothing):"
  local med_sc="" med_pa=""
  ((${#sc[@]})) && med_sc=$(median "${sc[@]}")
  ((${#pa[@]})) && med_pa=$(median "${pa[@]}")
  printf '%-10s %6s %12s %10s\n' tool rounds cpu_s/min start-up
  if [[ -z $med_sc ]]; then
    result NOT-RUN "cpu: soundcheck did not record in any round"
    return 1
  fi
  if [[ -z $med_pa ]]; then
    result NOT-RUN "cpu: parecord did not record in any round, nothing to compare with"
    return 1
  fi
  printf '%-10s %6s %12s %10s\n' soundcheck "${#sc[@]}/$runs" "$(fnum "$med_sc" 4)" "$(fnum "$(median "${sc_fixed[@]}")" 4)"
  printf '%-10s %6s %12s %10s\n' parecord "${#pa[@]}/$runs" "$(fnum "$med_pa" 4)" "$(fnum "$(median "${pa_fixed[@]}")" 4)"
  if ((${#ratios[@]} == 0)); then
    result NOT-RUN "cpu: soundcheck and parecord never both recorded in the same round"
    return 1
  fi
  ratio_rounds soundcheck parecord "$CPU_GUARD" "${ratios[@]}"
  local r=$RATIO_MED
  local text
  text="cpu: soundcheck $(fnum "$med_sc" 4), parecord $(fnum "$med_pa" 4) CPU s/min at ${CPU_LATENCY_MS} ms;"
  text+=" median ratio $r over ${#ratios[@]} rounds (guard <= $CPU_GUARD);"
  text+=" start-up $(fnum "$(median "${sc_fixed[@]}")" 4) s against $(fnum "$(median "${pa_fixed[@]}")" 4) s"
  if le "$r" "$CPU_GUARD"; then result PASS "$text"; else result FAIL "$text"; fi
}
