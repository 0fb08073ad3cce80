# shellcheck shell=bash disable=SC2034,SC2154
# Benchmark (g): how long `soundcheck route test` takes, on the virtual loop in real time and on
# the real loopback (the null sink soundcheck_loop and its monitor). No peer: nothing else runs
# this test; the guards are absolute:
#   - the test's audio (duration_s of its JSON, default 2.5 s) is at most ROUTETEST_AUDIO_MAX_S;
#   - the overhead, wall time less that audio, is at most ROUTETEST_OVERHEAD_MAX_S (median of
#     the rounds), on the virtual loop and on the loopback while the sink renders in small
#     blocks (a silent low-latency paplay keeps it so). The idle null sink is timed too, without
#     a guard: it rendered 2 s of silence ahead, which the test waits out (bench/README.md).
# The measured latency, gain, noise, THD+N and dropouts are printed beside the times.
# Sourced by bench/run.

readonly ROUTETEST_AUDIO_MAX_S=3
readonly ROUTETEST_OVERHEAD_MAX_S=1.5
readonly ROUTETEST_KEEPER_MS=20  # paplay --latency-msec of the silent stream

ROUTETEST_CASES=(virtual busy idle)
declare -A ROUTETEST_LABEL=(
  [virtual]="virtual:signal=loop,latency=5ms"
  [busy]="loopback, sink kept rendering"
  [idle]="loopback, sink idle"
)

# routetest_args CASE: the device arguments into ARGS.
routetest_args() {
  case $1 in
    virtual) ARGS=(-D "virtual:signal=loop,latency=5ms") ;;
    busy | idle) ARGS=(--input "pulse:$PULSE_SOURCE_NAME" --output "pulse:$PULSE_SINK") ;;
  esac
}

# A silent stream into the sink at a low latency for the busy case (pure zeros: sox -D, no
# dither), as cpu_player_start's tone, with its own PID in KEEPER.
KEEPER=""
routetest_keeper_start() {
  sox -q -D -n -r "$RATE" -c 2 -b 16 "$work/silence.wav" trim 0 30
  (
    trap 'kill "$c" 2>/dev/null; exit 0' TERM
    while :; do
      paplay --latency-msec="$ROUTETEST_KEEPER_MS" -d "$PULSE_SINK" "$work/silence.wav" >/dev/null 2>&1 &
      c=$!
      wait "$c" || sleep 0.2
    done
  ) &
  KEEPER=$!
  sleep 1
}
routetest_keeper_stop() {
  if [[ -n ${KEEPER-} ]]; then
    kill "$KEEPER" 2>/dev/null || true
    wait "$KEEPER" 2>/dev/null || true
    KEEPER=""
  fi
}
# The sink's state (RUNNING, IDLE, SUSPENDED).
routetest_sink_state() { pactl list short sinks 2>/dev/null | awk -v s="$PULSE_SINK" '$2 == s { print $NF }'; }

# routetest_once CASE RUN: one test. Sets T_* for the row (T_WHY when it did not run) and
# appends the overhead to ROUTETEST_OVER[CASE].
routetest_once() {
  local c=$1 run=$2 out="$work/routetest-$1-$2.json" err="$work/routetest-$1-$2.err" ru="$work/rusage.txt"
  routetest_args "$c"
  rm -f "$ru"
  local rc=0
  "$RUSAGE" "$ru" -- "$SC" --json route test "${ARGS[@]}" >"$out" 2>"$err" || rc=$?
  T_WHY="" T_STATE=$(routetest_sink_state)
  local wall user sys rss
  if ! read -r user sys rss wall <"$ru"; then
    T_WHY="no measurement: $(tail -n 1 "$err")"
    return 1
  fi
  if ! T_AUDIO=$(jq -er '.duration_s' "$out" 2>/dev/null); then
    T_WHY="exit status $rc, no JSON: $(grep -v -e '^hint:' "$err" | tail -n 1)"
    return 1
  fi
  T_WALL=$wall
  T_OVER=$(calc 'w - a' w="$wall" a="$T_AUDIO")
  read -r T_OK T_LAT T_GAIN T_NOISE T_THDN T_DROP T_XRUNS < <(jq -r \
    '[.ok, .latency_ms, .gain_db, .noise_dbfs, .thdn_db, .dropouts, .xruns] | map(if . == null then "-" else tostring end) | join(" ")' "$out")
  ROUTETEST_OVER[$c]+=" $T_OVER"
  ROUTETEST_AUDIOS[$c]+=" $T_AUDIO"
  ROUTETEST_LATS[$c]+=" $T_LAT"
  [[ $T_OK == true ]] || ROUTETEST_BAD[$c]+=" $run"
  [[ $rc == 0 || $rc == 1 ]] || T_WHY="exit status $rc"
  return 0
}

routetest_row() { printf '%-5s %-31s %7s %7s %8s %9s %8s %10s %8s %5s %5s  %s\n' "$@"; }

bench_routetest() {
  local runs=${BENCH_RUNS:-3} run c pulse_ok=1
  heading "routetest: wall time of soundcheck route test (default signal), virtual loop and real loopback"
  say "soundcheck --json route test -D virtual:signal=loop,latency=5ms (real time);"
  say "soundcheck --json route test --input pulse:$PULSE_SOURCE_NAME --output pulse:$PULSE_SINK, once while"
  say "paplay --latency-msec=$ROUTETEST_KEEPER_MS plays silence into the sink (it renders in small blocks), once with the sink idle;"
  say "$runs rounds, one test of each case per round; wall = the process's start to its exit (bench/rusage.cpp);"
  say "audio = duration_s of its JSON; overhead = wall - audio; no peer, the guards are absolute"
  check_load "before the routetest benchmark"
  if ! build_rusage >"$work/rusage-build.log" 2>&1; then
    cat "$work/rusage-build.log"
    result NOT-RUN "routetest: bench/rusage.cpp did not compile"
    return 1
  fi
  if ! pactl list short sources 2>/dev/null | awk -v s="$PULSE_SOURCE_NAME" '$2 == s { f = 1 } END { exit !f }'; then
    note "PulseAudio has no source $PULSE_SOURCE_NAME: only the virtual loop is timed"
    pulse_ok=0
    ROUTETEST_CASES=(virtual)
  fi
  declare -gA ROUTETEST_OVER=() ROUTETEST_AUDIOS=() ROUTETEST_LATS=() ROUTETEST_BAD=()
  say ""
  routetest_row run case audio_s wall_s overhead latency_ms gain_db noise_dbfs thdn_db drop xruns "sink / note"
  for ((run = 1; run <= runs; run++)); do
    ((run == 1)) || check_load "before round $run"
    for c in "${ROUTETEST_CASES[@]}"; do
      [[ $c == busy ]] && routetest_keeper_start
      if [[ $c == idle ]]; then
        # Until the sink has nothing to play (the keeper's last block rendered) and goes idle.
        local i
        for ((i = 0; i < 30; i++)); do [[ $(routetest_sink_state) != RUNNING ]] && break; sleep 0.1; done
        sleep 1
      fi
      if routetest_once "$c" "$run"; then
        local what=${T_STATE:-}
        [[ $c == virtual ]] && what=""
        [[ $T_OK == true ]] || what+=" test FAILED"
        [[ -z $T_WHY ]] || what+=" $T_WHY"
        routetest_row "$run/$runs" "${ROUTETEST_LABEL[$c]}" "$(fnum "$T_AUDIO" 2)" "$(fnum "$T_WALL" 3)" \
          "$(fnum "$T_OVER" 3)" "$(fnum "$T_LAT" 2)" "$(fnum "$T_GAIN" 2)" "$(fnum "$T_NOISE" 1)" \
          "$(fnum "$T_THDN" 1)" "$T_DROP" "$T_XRUNS" "${what# }"
      else
        routetest_row "$run/$runs" "${ROUTETEST_LABEL[$c]}" - - - - - - - - - "FAILED: $T_WHY"
      fi
      [[ $c == busy ]] && routetest_keeper_stop
      sleep 0.5
    done
  done
  check_load "after the routetest benchmark"

  say ""
  say "medians of the rounds (the audio is the test's own; the overhead is what it takes beyond playing it):"
  printf '%-31s %6s %8s %10s %11s  %s\n' case rounds audio_s overhead latency_ms "results not ok"
  local v n a o l audio_max=0 text
  declare -A med_over=()
  for c in "${ROUTETEST_CASES[@]}"; do
    if [[ -z ${ROUTETEST_OVER[$c]-} ]]; then
      printf '%-31s %6s\n' "${ROUTETEST_LABEL[$c]}" "0/$runs"
      continue
    fi
    read -ra v <<<"${ROUTETEST_OVER[$c]}"
    n=${#v[@]}
    o=$(median "${v[@]}")
    med_over[$c]=$o
    read -ra v <<<"${ROUTETEST_AUDIOS[$c]}"
    a=$(printf '%s\n' "${v[@]}" | sort -g | tail -n 1)
    lt "$audio_max" "$a" && audio_max=$a
    mapfile -t v < <(tr ' ' '\n' <<<"${ROUTETEST_LATS[$c]}" | grep -v -x -e - -e '')  # "-": no signal
    l=$(median "${v[@]}") || l=-
    printf '%-31s %6s %8s %10s %11s  %s\n' "${ROUTETEST_LABEL[$c]}" "$n/$runs" "$(fnum "$a" 2)" "$(fnum "$o" 3)" \
      "$(fnum "$l" 2)" "${ROUTETEST_BAD[$c]:-none}"
  done
  if [[ -z ${med_over[virtual]-} ]]; then
    result NOT-RUN "routetest: the test did not run on the virtual loop"
    return 1
  fi

  text="routetest: the test plays $(fnum "$audio_max" 2) s of audio (guard <= $ROUTETEST_AUDIO_MAX_S s)"
  if le "$audio_max" "$ROUTETEST_AUDIO_MAX_S"; then result PASS "$text"; else result FAIL "$text"; fi
  local guarded=(virtual) ok=1 parts=()
  ((pulse_ok)) && guarded+=(busy)
  for c in "${guarded[@]}"; do
    if [[ -z ${med_over[$c]-} ]]; then
      parts+=("${ROUTETEST_LABEL[$c]} did not run")
      ok=0
      continue
    fi
    parts+=("${ROUTETEST_LABEL[$c]} $(fnum "${med_over[$c]}" 3) s")
    le "$(fnum "${med_over[$c]}" 3)" "$ROUTETEST_OVERHEAD_MAX_S" || ok=0
  done
  local joined
  joined=$(printf '; %s' "${parts[@]}")
  text="routetest overhead (wall - audio, median of $runs rounds): ${joined#; } (guard <= $ROUTETEST_OVERHEAD_MAX_S s)"
  if ((ok)); then result PASS "$text"; else result FAIL "$text"; fi
  if ((pulse_ok)); then
    if [[ -n ${med_over[idle]-} ]]; then
      result INFO "routetest overhead on the idle null sink (its 2 s render-ahead, no guard): $(fnum "${med_over[idle]}" 3) s"
    fi
  else
    result NOT-RUN "routetest: the real loopback (PulseAudio has no $PULSE_SOURCE_NAME)"
    return 1
  fi
  local bad=""
  for c in "${ROUTETEST_CASES[@]}"; do [[ -z ${ROUTETEST_BAD[$c]-} ]] || bad+=" ${ROUTETEST_LABEL[$c]} (rounds${ROUTETEST_BAD[$c]})"; done
  [[ -z $bad ]] || note "route test's own checks failed in:$bad (see the rows)"
}
