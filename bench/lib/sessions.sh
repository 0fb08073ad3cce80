# shellcheck shell=bash disable=SC2034,SC2154
# Benchmark (d): the cross-process session registry, with the real binary and a private
# registry (SOUNDCHECK_RUNTIME_DIR, a fresh directory under $work):
#   1. activation latency: Participant::activate() of a 17th session while 16 `session
#      activate` processes hold mixable sessions, timed in bench/session_latency.cpp (no CLI
#      start-up in it);
#   2. notification latency: a recorder on the virtual device, interrupted K times by `session
#      interrupt --reason alarm --for 100ms`; its JSON summary's notify_latency_ms (from the
#      interrupter's send of `began` to the recorder's receipt);
#   3. resume latency: resume_latency_ms (from `ended` to the first frames of the device again),
#      the same on PulseAudio (soundcheck_loop.monitor, default fragment, a low-latency tone
#      playing into the sink) and on the virtual device for comparison.
# No peer: nothing else on Linux has sessions; the guards are absolute. Sourced by bench/run.

readonly SESSIONS_HOLDERS=16
readonly SESSIONS_ACT_TARGET_MS=5
readonly SESSIONS_NOTIFY_TARGET_MS=10
readonly SESSIONS_RESUME_TARGET_MS=100
readonly SESSIONS_GAP_S=0.2       # between one interrupter's exit and the next one's start
readonly SESSIONS_PLAYER_MS=20    # paplay --latency-msec of the tone (see bench/README.md)
readonly SESSIONS_NONE=999999     # a resume that delivered nothing before the next interruption

SESSIONS_PIDS=()  # holders and recorders still running, stopped by sessions_stop

# Stops what the benchmark started (also from bench/run's EXIT trap).
sessions_stop() {
  local p
  for p in "${SESSIONS_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${SESSIONS_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  SESSIONS_PIDS=()
}

# The helper, built against soundcheck_core in build-bench/ (CMake option SOUNDCHECK_BENCH),
# as LATENCY. With SOUNDCHECK=path it is still the tree's core that it times.
sessions_build_helper() {
  local dir="$root/build-bench"
  LATENCY=$dir/bench/session_latency
  cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DSOUNDCHECK_TESTS=OFF -DSOUNDCHECK_BENCH=ON &&
    cmake --build "$dir" --target session_latency -j"$(nproc)"
}

# sc_rt ARGS...: soundcheck with the benchmark's registry.
sc_rt() { SOUNDCHECK_RUNTIME_DIR=$SESSIONS_RT "$SC" "$@"; }

# sessions_stats VALUES...: "median p95 max" into STATS (values in ms).
sessions_stats() {
  STATS_MED=$(median "$@")
  STATS_P95=$(percentile 95 "$@")
  STATS_MAX=$(printf '%s\n' "$@" | sort -g | tail -n 1)
}

# 1. Activation latency with SESSIONS_HOLDERS sessions active.
sessions_activation() {
  local runs=$1 i
  say ""
  say "1. activation: $SESSIONS_HOLDERS holders \`soundcheck --json session activate --category playback --options mixWithOthers\`"
  say "   (separate processes, each waits for SIGTERM), then $runs activations of a 17th session of the same profile"
  say "   in bench/session_latency (joined once; each run times Participant::activate(), then deactivate(), 10 ms apart)"
  for ((i = 1; i <= SESSIONS_HOLDERS; i++)); do
    # The binary itself in the background (not sc_rt, a function: $! would be a subshell that
    # SIGTERM ends without its child).
    SOUNDCHECK_RUNTIME_DIR=$SESSIONS_RT "$SC" --json session activate --category playback \
      --options mixWithOthers >"$work/holder-$i.out" 2>"$work/holder-$i.err" &
    SESSIONS_PIDS+=($!)
  done
  local up=0 tries
  for ((tries = 0; tries < 100; tries++)); do
    up=0
    for ((i = 1; i <= SESSIONS_HOLDERS; i++)); do
      grep -q '"activated_at"' "$work/holder-$i.out" 2>/dev/null && up=$((up + 1))
    done
    ((up == SESSIONS_HOLDERS)) && break
    sleep 0.1
  done
  if ((up != SESSIONS_HOLDERS)); then
    say "   only $up of $SESSIONS_HOLDERS holders activated in 10 s: $(cat "$work"/holder-*.err | tail -n 1)"
    sessions_stop
    result NOT-RUN "sessions: only $up of $SESSIONS_HOLDERS holders activated"
    return 1
  fi
  local rc=0
  SOUNDCHECK_RUNTIME_DIR=$SESSIONS_RT "$LATENCY" "$runs" 10 >"$work/latency.out" 2>"$work/latency.err" || rc=$?
  sessions_stop
  if ((rc != 0)); then
    say "   bench/session_latency failed (exit status $rc): $(tail -n 1 "$work/latency.err")"
    result NOT-RUN "sessions: the activation helper failed (exit status $rc)"
    return 1
  fi
  local before after
  before=$(head -n 1 "$work/latency.out" | sed 's/^others //')
  after=$(tail -n 1 "$work/latency.out" | sed 's/^others //')
  say "   registry before the first activation: ${before% *} sessions, ${before#* } active; after the last: ${after% *}, ${after#* } active"
  say ""
  printf '%-5s %12s %14s\n' run activate_ms deactivate_ms
  local act=() deact=() n a d
  while read -r n a d; do
    [[ $n =~ ^[0-9]+$ ]] || continue
    printf '%-5s %12s %14s\n' "$n/$runs" "$(fnum "$a" 3)" "$(fnum "$d" 3)"
    act+=("$a")
    deact+=("$d")
  done <"$work/latency.out"
  if ((${#act[@]} == 0)); then
    result NOT-RUN "sessions: no activation was timed"
    return 1
  fi
  sessions_stats "${deact[@]}"
  local deact_text
  deact_text="median $(fnum "$STATS_MED" 3), p95 $(fnum "$STATS_P95" 3), max $(fnum "$STATS_MAX" 3) ms"
  sessions_stats "${act[@]}"
  say ""
  say "activate():   median $(fnum "$STATS_MED" 3), p95 $(fnum "$STATS_P95" 3), max $(fnum "$STATS_MAX" 3) ms over ${#act[@]} (guard: median < $SESSIONS_ACT_TARGET_MS ms)"
  say "deactivate(): $deact_text"
  local text
  text="sessions: activation with $SESSIONS_HOLDERS others active: median $(fnum "$STATS_MED" 3) ms, p95 $(fnum "$STATS_P95" 3), max $(fnum "$STATS_MAX" 3) over ${#act[@]} (guard: median < $SESSIONS_ACT_TARGET_MS ms)"
  if [[ $before != "$SESSIONS_HOLDERS $SESSIONS_HOLDERS" || $after != "$SESSIONS_HOLDERS $SESSIONS_HOLDERS" ]]; then
    result FAIL "$text; but the registry did not hold $SESSIONS_HOLDERS active sessions throughout (before: $before, after: $after)"
  elif lt "$(fnum "$STATS_MED" 3)" "$SESSIONS_ACT_TARGET_MS"; then
    result PASS "$text"
  else
    result FAIL "$text"
  fi
}

# sessions_interrupts LABEL DEVICE K: a recorder on DEVICE interrupted K times. Prints a row per
# interruption; sets NOTIFY=() and RESUME=() (ms; SESSIONS_NONE for a resume that delivered no
# frames before the next interruption), RESUMED (how many), I_WHY (why it could not run), FRAG.
sessions_interrupts() {
  local label=$1 dev=$2 k=$3 out="$work/sessions-$1.wav" js="$work/sessions-$1.json" err="$work/sessions-$1.err"
  NOTIFY=() RESUME=() RESUMED=0 I_WHY="" FRAG=""
  rm -f "$out"
  SOUNDCHECK_RUNTIME_DIR=$SESSIONS_RT "$SC" --json record -D "$dev" -d 60s "$out" >"$js" 2>"$err" &
  local rec=$! tries
  SESSIONS_PIDS+=("$rec")
  # Until the recorder's session is active (it activates before the device opens).
  for ((tries = 0; tries < 100; tries++)); do
    sc_rt --json session list 2>/dev/null |
      jq -e '[.sessions[] | select(.command == "record" and .state == "active")] | length == 1' >/dev/null 2>&1 && break
    kill -0 "$rec" 2>/dev/null || break
    sleep 0.1
  done
  sleep 1  # and its device delivers
  local i fails=0
  for ((i = 1; i <= k; i++)); do
    sc_rt --json session interrupt --reason alarm --for 100ms >>"$work/sessions-$label-interrupts.log" 2>&1 ||
      fails=$((fails + 1))
    sleep "$SESSIONS_GAP_S"
  done
  sleep 0.3
  kill -INT "$rec" 2>/dev/null || true  # soundcheck handles SIGINT, though bash starts it ignored
  local rc=0
  wait "$rec" || rc=$?
  SESSIONS_PIDS=()
  rm -f "$out"
  if ! jq -e '.interruptions' "$js" >/dev/null 2>&1; then
    I_WHY="the recorder failed (exit status $rc): $(grep -v '^hint:' "$err" | tail -n 1)"
    return 1
  fi
  FRAG=$(jq -r '"\(.stream.fragment_frames) frames (\(.stream.fragment_frames / .rate * 1000) ms)"' "$js")
  ((fails == 0)) || say "   $fails of $k interrupters failed: $(tail -n 1 "$work/sessions-$label-interrupts.log")"
  printf '%-7s %-6s %10s %10s  %s\n' device "#" notify_ms resume_ms outcome
  local n r o shown
  i=0
  while read -r n r o; do
    i=$((i + 1))
    shown=none
    [[ $r == null ]] || shown=$(fnum "$r" 3)
    printf '%-7s %-6s %10s %10s  %s\n' "$label" "$i/$k" "$(fnum "$n" 3)" "$shown" "$o"
    [[ $n != null ]] && NOTIFY+=("$n")
    if [[ $r == null ]]; then RESUME+=("$SESSIONS_NONE"); else RESUME+=("$r"); fi
    [[ $o == resumed ]] && RESUMED=$((RESUMED + 1))
  done < <(jq -r '.interruptions[] | "\(.notify_latency_ms) \(.resume_latency_ms) \(.outcome)"' "$js")
  say "   $i interruptions in the summary, $RESUMED resumed; stopped by $(jq -r .stopped_by "$js");" \
    "stream: $(jq -r .stream.client "$js"), fragment $FRAG"
  ((i > 0)) || { I_WHY="the recorder's summary has no interruption"; return 1; }
}

# "median M, max X ms" of RESUME (none when a resume delivered nothing in time) into R_TEXT, R_MED.
sessions_resume_text() {
  local none=0 v
  for v in "$@"; do [[ $v == "$SESSIONS_NONE" ]] && none=$((none + 1)); done
  sessions_stats "$@"
  R_MED=$STATS_MED
  local med max
  med=$(fnum "$STATS_MED" 2) max=$(fnum "$STATS_MAX" 2)
  le "$SESSIONS_NONE" "$STATS_MED" && med=none R_MED=""
  le "$SESSIONS_NONE" "$STATS_MAX" && max=none
  R_TEXT="median $med, max $max ms over $#"
  ((none == 0)) || R_TEXT+=" ($none delivered nothing before the next interruption)"
}

bench_sessions() {
  local runs=${BENCH_ACTIVATIONS:-30} k=${BENCH_INTERRUPTIONS:-20}
  heading "sessions: the registry across processes (activation, notification and resume latency)"
  say "no peer: nothing else on Linux has sessions, the guards are absolute; registry: $work/sessions-runtime (private)"
  SESSIONS_RT=$work/sessions-runtime  # must not exist: soundcheck creates it 0700
  check_load "before the sessions benchmark"
  if ! sessions_build_helper >"$work/session-latency-build.log" 2>&1; then
    tail -n 20 "$work/session-latency-build.log"
    result NOT-RUN "sessions: bench/session_latency.cpp did not build"
    return 1
  fi
  local failed=0
  sessions_activation "$runs" || failed=1

  say ""
  say "2. notification: \`soundcheck --json record -D virtual -d 60s OUT.wav\` (record category, not mixable),"
  say "   interrupted $k times by \`soundcheck --json session interrupt --reason alarm --for 100ms\`, ${SESSIONS_GAP_S} s apart,"
  say "   then SIGINT; per interruption from its JSON summary: notify_ms (the interrupter's \`at\` of began"
  say "   to the recorder's receipt), resume_ms (ended's receipt to the first frames of the device again)"
  local v_notify=() v_resume=()
  if sessions_interrupts virtual virtual "$k"; then
    v_notify=("${NOTIFY[@]}") v_resume=("${RESUME[@]}")
    sessions_stats "${v_notify[@]}"
    local text
    text="sessions: notification latency (began to the recorder): median $(fnum "$STATS_MED" 2) ms, max $(fnum "$STATS_MAX" 2) over ${#v_notify[@]} (guard: median < $SESSIONS_NOTIFY_TARGET_MS ms)"
    say "notify_latency_ms: median $(fnum "$STATS_MED" 3), p95 $(fnum "$STATS_P95" 3), max $(fnum "$STATS_MAX" 3)"
    if lt "$(fnum "$STATS_MED" 2)" "$SESSIONS_NOTIFY_TARGET_MS"; then result PASS "$text"; else result FAIL "$text"; fi
    sessions_resume_text "${v_resume[@]}"
    say "resume_latency_ms on the virtual device (comparison, no guard): $R_TEXT"
    V_RESUME_TEXT=$R_TEXT
  else
    say "   $I_WHY"
    result NOT-RUN "sessions: notification latency: $I_WHY"
    failed=1
  fi

  say ""
  say "3. resume on PulseAudio: the same with \`-D pulse:$PULSE_SOURCE_NAME\` (default fragment), while"
  say "   paplay --latency-msec=$SESSIONS_PLAYER_MS plays a tone into $PULSE_SINK (an idle null sink, or a player at"
  say "   paplay's default latency, renders in blocks of up to 2 s: that would time the sink, not the resume)"
  if ! pactl list short sources 2>/dev/null | awk -v s="$PULSE_SOURCE_NAME" '$2 == s { f = 1 } END { exit !f }'; then
    result NOT-RUN "sessions: resume latency: PulseAudio has no source $PULSE_SOURCE_NAME"
    return 1
  fi
  cpu_player_start "--latency-msec=$SESSIONS_PLAYER_MS"
  if sessions_interrupts pulse "pulse:$PULSE_SOURCE_NAME" "$k"; then
    cpu_player_stop
    sessions_stats "${NOTIFY[@]}"
    say "notify_latency_ms: median $(fnum "$STATS_MED" 3), max $(fnum "$STATS_MAX" 3)"
    sessions_resume_text "${RESUME[@]}"
    say "resume_latency_ms on PulseAudio: $R_TEXT"
    local text="sessions: resume latency on PulseAudio (ended to the first frames, fragment $FRAG): $R_TEXT (guard: median < $SESSIONS_RESUME_TARGET_MS ms); virtual device: ${V_RESUME_TEXT:-not measured}"
    if [[ -n $R_MED ]] && lt "$(fnum "$R_MED" 2)" "$SESSIONS_RESUME_TARGET_MS"; then
      result PASS "$text"
    else
      result FAIL "$text"
    fi
  else
    cpu_player_stop
    say "   $I_WHY"
    result NOT-RUN "sessions: resume latency on PulseAudio: $I_WHY"
    failed=1
  fi
  check_load "after the sessions benchmark"
  return "$failed"
}
