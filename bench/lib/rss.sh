# shellcheck shell=bash disable=SC2034,SC2154
# Benchmark (c): peak RSS of a 4h20m pcm24 stereo recording at speed=max (about 4.5 GB on
# disk), against a 1-minute one (RSS must not grow with the duration) and against sox writing
# the same 4h20m file. Sourced by bench/run.

readonly RSS_LONG=4h20m RSS_LONG_S=15600 RSS_SHORT=1m RSS_SHORT_S=60
readonly RSS_TARGET_MIB=32
readonly RSS_BYTES=$((RSS_LONG_S * RATE * 2 * 3))  # 4,492,800,000 bytes of samples

# rss_once LABEL EXPECT_S OUT CMD...: runs CMD under GNU time, sampling the recorder's
# /proc/PID/status every 0.1 s for its anonymous (heap and stacks) part; checks OUT with
# ffprobe; deletes it. Prints one row; sets R_RSS and R_STATUS: ok, invalid (the command
# succeeded, the file is not right) or failed (the command failed).
rss_once() {
  local label=$1 expect=$2 out=$3 gt="$work/gtime" log="$work/rss.log"
  shift 3
  rm -f "$out" "$gt"
  "$GTIME" -o "$gt" -f '%U %S %M %e' "$@" >"$log" 2>&1 &
  local tpid=$! child="" anon=0 k v rc=0
  while kill -0 "$tpid" 2>/dev/null; do
    if [[ -z $child ]]; then
      child=$(pgrep -P "$tpid" | head -n 1) || child=""
    fi
    if [[ -n $child ]]; then
      while read -r k v _; do
        [[ $k == RssAnon: ]] && ((v > anon)) && anon=$v
      done 2>/dev/null <"/proc/$child/status" || true
    fi
    sleep 0.1
  done
  wait "$tpid" || rc=$?
  local why="" dur="" magic=""
  R_STATUS=ok
  if [[ $rc != 0 ]]; then
    why="exit status $rc: $(grep -v -e '^Command exited' -e '^hint:' "$log" | tail -n 1)" R_STATUS=failed
  elif [[ ! -s $out ]]; then
    why="no file" R_STATUS=failed
  else
    magic=$(head -c 4 "$out" | tr -dc 'A-Za-z0-9')
    [[ $magic == riff ]] && magic=W64  # Sony Wave64 starts with the GUID "riff..."
    if ! dur=$(ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$out" 2>"$work/ffprobe.err"); then
      why="ffprobe failed: $(tail -n 1 "$work/ffprobe.err")" R_STATUS=invalid
    elif ! awk -v d="$dur" -v e="$expect" 'BEGIN { exit !(d - e < 0.001 && e - d < 0.001) }'; then
      why="ffprobe says ${dur} s, not $expect s" R_STATUS=invalid
    fi
  fi
  rm -f "$out"
  gtime_read "$gt" || true
  local rss=- anon_mib=- wall=- x=-
  if [[ -n $G_RSS_KB ]]; then
    rss=$(calc 'k / 1024' k="$G_RSS_KB")
    wall=$G_WALL
    [[ $R_STATUS != failed ]] && lt 0 "$G_WALL" && x=$(calc 'e / w' e="$expect" w="$G_WALL")
  fi
  ((anon > 0)) && anon_mib=$(calc 'k / 1024' k="$anon")
  printf '%-26s %9s %10s %9s %8s %-5s %12s %s\n' "$label" "$(fnum "$rss" 1)" "$(fnum "$anon_mib" 1)" \
    "$(fnum "$wall" 2)" "$(fnum "$x" 0)" "${magic:--}" "${dur:--}" "${why:+FAILED: $why}"
  R_RSS=$rss
}

bench_rss() {
  heading "rss: peak RSS, ${RATE} Hz stereo pcm24 at speed=max, $RSS_LONG ($RSS_LONG_S s, $((RSS_BYTES / 1000000)) MB) and $RSS_SHORT"
  local avail need=$((RSS_BYTES + RSS_BYTES / 10))
  avail=$(df --output=avail -B1 "$work" | tail -n 1 | tr -d ' ')
  say "free space in $work: $((avail / 1000000)) MB (need $((need / 1000000)) MB; every file is deleted after its run)"
  if ((avail < need)); then
    result NOT-RUN "rss: not enough space in $work ($((avail / 1000000)) MB free, $((need / 1000000)) MB needed; set BENCH_DIR)"
    return 1
  fi
  check_load "before the rss benchmark"
  say ""
  say "peak RSS from GNU time (%M); anon = the largest RssAnon (heap, stacks) sampled every 0.1 s;"
  say "file checked with ffprobe (exit 0, duration); header = the file's first four bytes"
  printf '%-26s %9s %10s %9s %8s %-5s %12s %s\n' run peak_MiB anon_MiB wall_s x_rt header ffprobe_s note
  local sc_short="" sc_long="" failed=0 invalid=0
  # One soundcheck recording of $1 ($2 seconds) into $3; its peak RSS in R_RSS ("" if none).
  sc_rss() {
    rss_once "soundcheck $1" "$2" "$3" "$SC" record -q -D virtual:speed=max -d "$1" -e pcm24 "$3"
    [[ $R_STATUS == failed ]] && failed=1
    [[ $R_STATUS == invalid ]] && invalid=1
    [[ $R_RSS == - ]] && R_RSS=""
    sync
  }
  sc_rss "$RSS_SHORT" "$RSS_SHORT_S" "$work/rss-short.wav"
  sc_short=$R_RSS
  sc_rss "$RSS_LONG" "$RSS_LONG_S" "$work/rss-long.wav"
  sc_long=$R_RSS
  # sox writes a WAV over 4 GiB without complaint but with wrapped sizes (it then reads as
  # 686.9 s): the peer writes Sony Wave64 instead, sox's format for files that big.
  rss_once "sox $RSS_LONG (w64)" "$RSS_LONG_S" "$work/rss-sox.w64" \
    sox -q -n -r "$RATE" -c 2 -b 24 "$work/rss-sox.w64" synth 4:20:00 sine 1000
  sync
  if [[ -n $sc_short && -n $sc_long ]]; then
    say ""
    say "growth from $RSS_SHORT to $RSS_LONG: $(fnum "$(calc 'b - a' a="$sc_short" b="$sc_long")" 1) MiB"
  fi
  if ((failed)); then
    result NOT-RUN "rss: a soundcheck recording failed (see the table)"
    return 1
  fi
  local worst
  worst=$(calc 'a > b ? a : b' a="$sc_short" b="$sc_long")
  local text
  text="rss: soundcheck peak $(fnum "$sc_long" 1) MiB at $RSS_LONG, $(fnum "$sc_short" 1) MiB at $RSS_SHORT (target < $RSS_TARGET_MIB MiB)"
  if ((invalid)); then
    result FAIL "$text; but a file it wrote is not valid (see the table)"
  elif lt "$worst" "$RSS_TARGET_MIB"; then
    result PASS "$text"
  else
    result FAIL "$text"
  fi
}
