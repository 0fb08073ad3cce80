# shellcheck shell=bash disable=SC2034,SC2154
# Benchmark (b): speed=max throughput into WAV, in audio seconds per wall second, 48 kHz stereo
# pcm16, soundcheck's virtual device against sox generating and writing the same file.
# Sourced by bench/run.

readonly SPEED_TOOLS=(soundcheck sox)
readonly SPEED_AUDIO_S=600  # 10 minutes
readonly SPEED_TARGET=500

speed_command() {
  local out=$2
  case $1 in
    soundcheck) CMD=("$SC" record -q -D virtual:speed=max -d 10m -e pcm16 "$out") ;;
    # -q only hides sox's "dither clipped" warning; sox dithers its 16-bit output by default.
    sox) CMD=(sox -q -n -r "$RATE" -c 2 -b 16 "$out" synth 10:00 sine 1000) ;;
  esac
}

bench_speed() {
  local runs=${BENCH_RUNS:-3} tool run
  heading "speed: speed=max throughput, 10 min of ${RATE} Hz stereo pcm16 into WAV"
  say "audio seconds written per wall second (x real time), $runs rounds, files in $work (page cache, no fsync)"
  check_load "before the speed benchmark"
  for tool in "${SPEED_TOOLS[@]}"; do eval "SPEED_X_$tool=(); SPEED_WALL_$tool=(); SPEED_CPU_$tool=()"; done
  local expect=$((SPEED_AUDIO_S * RATE))
  say ""
  printf '%-5s %-10s %8s %8s %10s  %s\n' run tool wall_s cpu_s x_realtime note
  for ((run = 1; run <= runs; run++)); do
    for tool in "${SPEED_TOOLS[@]}"; do
      local out="$work/speed-$tool-$run.wav" log="$work/speed-$tool-$run.log" why="" n
      rm -f "$out"
      sync  # start each run without the previous run's dirty pages being written back
      speed_command "$tool" "$out"
      measure "$log" "${CMD[@]}"
      n=$(frames "$out")
      rm -f "$out"
      if [[ $M_RC != 0 ]]; then
        why="exit status $M_RC: $(grep -v '^hint:' "$log" | tail -n 1)"
      elif [[ $n != "$expect" ]]; then
        why="wrote $n frames, not $expect"
      fi
      if [[ -n $why ]]; then
        printf '%-5s %-10s %8s %8s %10s  %s\n' "$run/$runs" "$tool" - - - "FAILED: $why"
        continue
      fi
      local x cpu
      x=$(calc 'a / w' a="$SPEED_AUDIO_S" w="$M_WALL")
      cpu=$(calc 'u + s' u="$M_USER" s="$M_SYS")
      eval "SPEED_X_$tool+=(\"\$x\"); SPEED_WALL_$tool+=(\"\$M_WALL\"); SPEED_CPU_$tool+=(\"\$cpu\")"
      printf '%-5s %-10s %8s %8s %10s\n' "$run/$runs" "$tool" "$(fnum "$M_WALL" 3)" "$(fnum "$cpu" 3)" "$(fnum "$x" 0)"
    done
  done

  say ""
  say "medians (ratio = soundcheck's speed / tool's speed):"
  printf '%-10s %6s %8s %8s %10s %7s\n' tool runs wall_s cpu_s x_realtime ratio
  local sc_x=""
  [[ -n ${SPEED_X_soundcheck[*]-} ]] && sc_x=$(median "${SPEED_X_soundcheck[@]}")
  for tool in "${SPEED_TOOLS[@]}"; do
    local -n xs="SPEED_X_$tool" ws="SPEED_WALL_$tool" cs="SPEED_CPU_$tool"
    if ((${#xs[@]} > 0)); then
      local mx ratio=-
      mx=$(median "${xs[@]}")
      [[ -n $sc_x ]] && ratio=$(fnum "$(calc 'a / b' a="$sc_x" b="$mx")" 2)
      printf '%-10s %6s %8s %8s %10s %7s\n' "$tool" "${#xs[@]}/$runs" "$(fnum "$(median "${ws[@]}")" 3)" \
        "$(fnum "$(median "${cs[@]}")" 3)" "$(fnum "$mx" 0)" "$ratio"
    else
      printf '%-10s %6s %8s %8s %10s %7s\n' "$tool" "0/$runs" - - - -
    fi
    unset -n xs ws cs
  done
  if [[ -z $sc_x ]]; then
    result NOT-RUN "speed: soundcheck did not complete any run"
    return 1
  fi
  local text
  text="speed: soundcheck $(fnum "$sc_x" 0)x real time"
  if [[ -n ${SPEED_X_sox[*]-} ]]; then
    text+=", sox $(fnum "$(median "${SPEED_X_sox[@]}")" 0)x"
  else
    text+=", sox failed"
  fi
  text+=" (target >= ${SPEED_TARGET}x)"
  if le "$SPEED_TARGET" "$sc_x"; then result PASS "$text"; else result FAIL "$text"; fi
}
