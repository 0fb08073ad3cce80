# shellcheck shell=bash disable=SC2034,SC2154
# Benchmark (a): CPU seconds per recorded minute of 48 kHz stereo s16 captured from the
# PulseAudio null-sink monitor into WAV, soundcheck against parecord, arecord (pulse ALSA
# plugin), sox and ffmpeg, in the same run. Sourced by bench/run.

readonly CPU_TOOLS=(soundcheck parecord arecord sox ffmpeg)

# cpu_command TOOL OUT SECONDS RUSAGE_FILE: the command line into CMD. bench/rusage.cpp runs the
# recorder itself and writes its CPU to the microsecond into RUSAGE_FILE; parecord, which stops
# only on a signal, gets SIGINT from it after SECONDS.
cpu_command() {
  local tool=$1 out=$2 s=$3 wrap=("$RUSAGE" "$4")
  case $tool in
    soundcheck)
      CMD=("${wrap[@]}" -- "$SC" record -q -D "pulse:$PULSE_SOURCE_NAME" -r "$RATE" -c 2 -e pcm16
        -d "${s}s" "$out") ;;
    parecord)
      CMD=("${wrap[@]}" -i "$s" -- parecord -d "$PULSE_SOURCE_NAME" --rate="$RATE"
        --channels=2 --format=s16le --file-format=wav "$out") ;;
    arecord)  # PULSE_SOURCE is exported by cpu_once for this one
      CMD=("${wrap[@]}" -- arecord -q -D pulse -f S16_LE -r "$RATE" -c 2 -d "$s" "$out") ;;
    sox)
      CMD=("${wrap[@]}" -- sox -q -t pulseaudio "$PULSE_SOURCE_NAME" -r "$RATE" -c 2 -b 16 "$out"
        trim 0 "$s") ;;
    ffmpeg)
      CMD=("${wrap[@]}" -- ffmpeg -nostdin -loglevel error -f pulse -i "$PULSE_SOURCE_NAME"
        -ar "$RATE" -ac 2 -c:a pcm_s16le -t "$s" "$out") ;;
  esac
}

# The helper, compiled into $work (one file, no dependencies) as RUSAGE.
cpu_build_rusage() {
  RUSAGE=$work/rusage
  c++ -std=c++20 -O2 -Wall -Wextra -Werror -o "$RUSAGE" "$bench/rusage.cpp"
}

# One player for the whole benchmark: a 30 s tone played into the sink again and again, so that
# the monitor carries a signal, not zeros.
cpu_player_start() {
  sox -q -n -r "$RATE" -c 2 -b 16 "$work/tone.wav" synth 30 sine 440 vol 0.5
  (
    trap 'kill "$c" 2>/dev/null; exit 0' TERM
    while :; do
      paplay -d "$PULSE_SINK" "$work/tone.wav" >/dev/null 2>&1 &
      c=$!
      wait "$c" || sleep 0.2
    done
  ) &
  PLAYER=$!
  sleep 1
  local state
  state=$(pactl list short sinks 2>/dev/null | awk -v s="$PULSE_SINK" '$2 == s { print $NF }')
  say "tone player: paplay -d $PULSE_SINK (pid $PLAYER), sink state ${state:-unknown}"
  [[ $state == RUNNING ]] || note "the sink is not RUNNING: the recordings may be silent"
}
cpu_player_stop() {
  if [[ -n ${PLAYER-} ]]; then
    kill "$PLAYER" 2>/dev/null || true
    wait "$PLAYER" 2>/dev/null || true
    PLAYER=""
  fi
}

# cpu_once TOOL RUN SECONDS: one recording; appends to the CPU_* arrays of TOOL.
# Sets R_* for the per-run line.
cpu_once() {
  local tool=$1 run=$2 s=$3 out="$work/cpu-$1-$2.wav" ru="$work/rusage.txt" log="$work/cpu-$1-$2.log"
  rm -f "$out" "$ru"
  cpu_command "$tool" "$out" "$s" "$ru"
  if [[ $tool == arecord ]]; then local -x PULSE_SOURCE=$PULSE_SOURCE_NAME; fi
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
  CPU_ROUND["$tool:$run"]=$R_PERMIN
  eval "CPU_PERMIN_$tool+=(\"\$R_PERMIN\"); CPU_S_$tool+=(\"\$R_CPU\");" \
    "CPU_AUDIO_$tool+=(\"\$R_AUDIO\"); CPU_RSS_$tool+=(\"\$R_RSS\"); CPU_PEAK_$tool+=(\"\$R_PEAK\")"
}

# cpu_rounds PEER RUNS: the ratio soundcheck / PEER round by round (the two recorded in the
# same round, within two minutes), its spread, and in how many rounds soundcheck used less.
# On a shared 2-core machine one recording's CPU varies by +-20% from run to run (the
# player's restarts, the host): the spread says how far the median ratio can be trusted.
cpu_rounds() {
  local peer=$1 runs=$2 run q less=0 ratios=()
  for ((run = 1; run <= runs; run++)); do
    [[ -n ${CPU_ROUND["soundcheck:$run"]-} && -n ${CPU_ROUND["$peer:$run"]-} ]] || continue
    q=$(calc 'a / b' a="${CPU_ROUND["soundcheck:$run"]}" b="${CPU_ROUND["$peer:$run"]}")
    ratios+=("$q")
    if lt "$q" 1.0; then less=$((less + 1)); fi
  done
  ((${#ratios[@]} > 0)) || return 0
  local shown=() sorted
  for q in "${ratios[@]}"; do shown+=("$(fnum "$q" 2)"); done
  mapfile -t sorted < <(printf '%s\n' "${ratios[@]}" | sort -g)
  say "round by round, soundcheck / $peer: ${shown[*]}"
  say "  min $(fnum "${sorted[0]}" 2), median $(fnum "$(median "${ratios[@]}")" 2), max $(fnum "${sorted[-1]}" 2);" \
    "soundcheck used less CPU per minute in $less of ${#ratios[@]} rounds"
}

# cpu_order RUN: the tools in the order round RUN records them, into ORDER. Odd rounds:
# CPU_TOOLS' order; even rounds: parecord first, then soundcheck. The first of two tools that
# read the same libraries pays for bringing back into the page cache what was paged out since
# the last round (on the development VM, DAMON pages out what nobody touched for a minute);
# the second finds it there. Measured with 6 s recordings 75 s apart, three pairs each way:
# soundcheck 9.25 ms first, 8.04 ms second; parecord 7.91 ms first, 6.66 ms second. With
# soundcheck always first, every round charged it those ~1.2 ms.
cpu_order() {
  ORDER=("${CPU_TOOLS[@]}")
  if (($1 % 2 == 0)); then ORDER[0]=${CPU_TOOLS[1]} ORDER[1]=${CPU_TOOLS[0]}; fi
}

bench_cpu() {
  local s=${BENCH_SECONDS:-20} runs=${BENCH_RUNS:-3} tool run ORDER=()
  heading "cpu: CPU seconds per recorded minute, ${RATE} Hz stereo s16 from $PULSE_SOURCE_NAME into WAV"
  say "each tool records ${s} s (wall) from the same monitor, one after another, $runs rounds"
  say "(soundcheck first in odd rounds, parecord first in even ones);"
  say "CPU = user+sys of the recorder alone (wait4, to the microsecond), per minute of audio actually in the file"
  if ! pactl list short sources 2>/dev/null | awk -v s="$PULSE_SOURCE_NAME" '$2 == s { f = 1 } END { exit !f }'; then
    result NOT-RUN "cpu: PulseAudio has no source $PULSE_SOURCE_NAME"
    return 1
  fi
  check_load "before the cpu benchmark"
  for tool in "${CPU_TOOLS[@]}"; do
    eval "CPU_PERMIN_$tool=(); CPU_S_$tool=(); CPU_AUDIO_$tool=(); CPU_RSS_$tool=(); CPU_PEAK_$tool=()"
  done
  declare -gA CPU_ROUND=()  # "tool:round" -> CPU s/min of that recording
  if ! cpu_build_rusage >"$work/rusage-build.log" 2>&1; then
    cat "$work/rusage-build.log"
    result NOT-RUN "cpu: bench/rusage.cpp did not compile"
    return 1
  fi
  cpu_player_start
  say ""
  printf '%-5s %-10s %9s %8s %12s %8s %7s  %s\n' run tool audio_s cpu_s cpu_s/min rss_MiB peak note
  for ((run = 1; run <= runs; run++)); do
    ((run == 1)) || check_load "before round $run"
    cpu_order "$run"
    for tool in "${ORDER[@]}"; do
      if cpu_once "$tool" "$run" "$s"; then
        local silent=""
        lt "${R_PEAK:-0}" 0.01 && silent="silent: the tone did not reach the file"
        printf '%-5s %-10s %9s %8s %12s %8s %7s  %s\n' "$run/$runs" "$tool" "$(fnum "$R_AUDIO" 2)" \
          "$(fnum "$R_CPU" 4)" "$(fnum "$R_PERMIN" 4)" "$(fnum "$R_RSS" 1)" "$(fnum "$R_PEAK" 2)" "$silent"
      else
        printf '%-5s %-10s %9s %8s %12s %8s %7s  %s\n' "$run/$runs" "$tool" - - - - - "FAILED: $R_WHY"
      fi
      sleep 1
    done
  done
  cpu_player_stop
  check_load "after the cpu benchmark"

  # The table of medians and the ratios.
  local sc_permin="" best="" best_tool="" med
  declare -A MED
  for tool in "${CPU_TOOLS[@]}"; do
    local -n pm="CPU_PERMIN_$tool"
    if ((${#pm[@]} > 0)); then
      med=$(median "${pm[@]}")
      MED[$tool]=$med
      if [[ $tool == soundcheck ]]; then
        sc_permin=$med
      elif [[ -z $best ]] || lt "$med" "$best"; then
        best=$med best_tool=$tool
      fi
    fi
    unset -n pm
  done
  say ""
  say "medians of the runs that worked (s/min = CPU seconds per recorded minute; ratio = soundcheck / tool):"
  printf '%-10s %6s %9s %8s %12s %8s %9s\n' tool runs audio_s cpu_s cpu_s/min rss_MiB ratio
  for tool in "${CPU_TOOLS[@]}"; do
    local -n pm="CPU_PERMIN_$tool" cs="CPU_S_$tool" au="CPU_AUDIO_$tool" rs="CPU_RSS_$tool"
    if ((${#pm[@]} > 0)); then
      local ratio=-
      [[ -n $sc_permin ]] && ratio=$(fnum "$(calc 'a / b' a="$sc_permin" b="${MED[$tool]}")" 2)
      printf '%-10s %6s %9s %8s %12s %8s %9s\n' "$tool" "${#pm[@]}/$runs" "$(fnum "$(median "${au[@]}")" 2)" \
        "$(fnum "$(median "${cs[@]}")" 4)" "$(fnum "${MED[$tool]}" 4)" "$(fnum "$(median "${rs[@]}")" 1)" "$ratio"
    else
      printf '%-10s %6s %9s %8s %12s %8s %9s\n' "$tool" "0/$runs" - - - - -
    fi
    unset -n pm cs au rs
  done
  if [[ -z $sc_permin ]]; then
    result NOT-RUN "cpu: soundcheck did not record in any run"
    return 1
  fi
  if [[ -z $best ]]; then
    result NOT-RUN "cpu: no peer recorded in any run, nothing to compare with"
    return 1
  fi
  local r
  r=$(calc 'a / b' a="$sc_permin" b="$best")
  say ""
  say "soundcheck / best peer ($best_tool): $(fnum "$r" 2)  (target <= 1.00)"
  cpu_rounds "$best_tool" "$runs"
  local text
  text="cpu: soundcheck $(fnum "$sc_permin" 4) CPU s/min, best peer $best_tool $(fnum "$best" 4): ratio $(fnum "$r" 2) (target <= 1.00)"
  if le "$r" 1.0; then result PASS "$text"; else result FAIL "$text"; fi
}
