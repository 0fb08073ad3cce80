# shellcheck shell=bash disable=SC2034,SC2154
# Shared helpers of bench/run (sourced, not run). Bash; `set -euo pipefail` is the caller's.
#
# Globals the caller sets: SC (the soundcheck binary), work (a scratch directory for audio
# files, outside the repository), results (lines PASS/FAIL/... collected for the summary).

readonly RATE=48000
readonly PULSE_SINK=soundcheck_loop
readonly PULSE_SOURCE_NAME=soundcheck_loop.monitor
readonly LOAD_LIMIT=1.5
readonly GTIME=/usr/bin/time

say() { printf '%s\n' "$*"; }
note() { printf 'note: %s\n' "$*"; }
heading() { printf '\n== %s ==\n' "$*"; }

# Floating-point arithmetic: calc '<awk expression>' [name=value...], printed with %.6g;
# fails when a value is empty.
calc() {
  local expr=$1 a vars=()
  shift
  for a in "$@"; do
    [[ $a == *=?* ]] || { echo "calc: $a has no value" >&2; return 1; }
    vars+=(-v "$a")
  done
  awk "${vars[@]}" "BEGIN { printf \"%.6g\", ($expr) }"
}
# fnum VALUE DECIMALS: a number with fixed decimals, or "-" for an empty value.
fnum() { if [[ -z ${1-} || $1 == - ]]; then printf -- '-'; else awk -v v="$1" -v d="$2" 'BEGIN { printf "%.*f", d, v }'; fi; }
# Is A <= B (floats)?  le A B
le() { [[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
lt() { [[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# median VALUES...: the median (the mean of the two middle ones for an even count); fails
# when there are none.
median() {
  (($# > 0)) || return 1
  printf '%s\n' "$@" | sort -g |
    awk '{ a[NR] = $1 } END { if (NR % 2) printf "%.6g", a[(NR + 1) / 2]; else printf "%.6g", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# The 1-minute load average, and a warning when it is above LOAD_LIMIT: PulseAudio and the
# recorders then share 2 cores with other work and the numbers get noisy.
load1() { cut -d' ' -f1 /proc/loadavg; }
check_load() {
  local l
  l=$(load1)
  if lt "$LOAD_LIMIT" "$l"; then
    note "load average $l is above $LOAD_LIMIT on $(nproc) cores ($1): other work is running," \
      "PulseAudio may be starved and the numbers are noisy"
  else
    say "load average $l ($1)"
  fi
  LOAD_MAX=$(awk -v a="${LOAD_MAX:-0}" -v b="$l" 'BEGIN { print (b > a ? b : a) }')
}

# measure LOG CMD...: runs CMD with stdout and stderr into LOG and sets
#   M_RC    its exit status
#   M_USER M_SYS M_WALL   from bash's `time` (getrusage of the children, 1 ms resolution;
#           enough for speed; bench/run cpu measures with bench/rusage.cpp instead)
measure() {
  local log=$1
  shift
  local TIMEFORMAT='%3U %3S %3R' tfile="$work/.bashtime"
  M_RC=0
  { time "$@" >"$log" 2>&1; } 2>"$tfile" || M_RC=$?
  read -r M_USER M_SYS M_WALL <"$tfile"
}

# gtime_read FILE: the last line of a GNU time -o FILE written with -f '%U %S %M %e' (GNU time
# puts "Command exited with non-zero status N" before it) into G_USER G_SYS G_RSS_KB G_WALL.
gtime_read() {
  G_USER="" G_SYS="" G_RSS_KB="" G_WALL=""
  [[ -s $1 ]] || return 1
  read -r G_USER G_SYS G_RSS_KB G_WALL < <(tail -n 1 "$1")
  [[ $G_RSS_KB =~ ^[0-9]+$ ]]
}

# frames FILE: the frames in an audio file (soxi), 0 when it cannot be read.
frames() { soxi -s "$1" 2>/dev/null || echo 0; }

# peak FILE: the maximum absolute sample (0..1), to tell a tone from silence.
peak() { sox "$1" -n stat 2>&1 | awk '/^Maximum amplitude/ { print $3 }'; }

# Result lines for the summary: result STATUS TEXT (STATUS is PASS, FAIL or NOT-RUN).
result() { results+=("$(printf '%-7s %s' "$1" "$2")"); }

# percentile P VALUES...: the P-th percentile by nearest rank (the smallest value with at least
# P% of them at or below it); fails when there are none.
percentile() {
  local p=$1
  shift
  (($# > 0)) || return 1
  printf '%s\n' "$@" | sort -g |
    awk -v p="$p" '{ a[NR] = $1 } END { r = p / 100 * NR; i = int(r); if (i < r) i++; if (i < 1) i = 1; printf "%.6g", a[i] }'
}

# --- CPU per minute of audio, a short and a long take per tool (bench/run cpu and play) ---

# The helper bench/rusage.cpp, compiled into $work (one file, no dependencies) as RUSAGE; once
# per bench/run.
build_rusage() {
  RUSAGE=$work/rusage
  [[ -x $RUSAGE ]] && return 0
  c++ -std=c++20 -O2 -Wall -Wextra -Werror -o "$RUSAGE" "$bench/rusage.cpp"
}

# alternate_order RUN FIRST SECOND: the two tools in the order round RUN runs them, into ORDER:
# FIRST first in odd rounds, SECOND first in even ones. Whichever starts a round may pay for
# bringing back into the page cache the libraries paged out since the last round; alternating
# charges both alike.
alternate_order() {
  ORDER=("$2" "$3")
  if (($1 % 2 == 0)); then ORDER=("$3" "$2"); fi
}

# The per-run line: take_row RUN TOOL then either six values and a note, or FAILED.
take_row() { printf '%-5s %-10s %9s %8s %12s %8s %7s  %s\n' "$@"; }

# split_takes "CPU_S AUDIO_S" "CPU_S AUDIO_S": a short and a long take of one tool into
# SPLIT_MIN (CPU seconds per minute of audio, the slope) and SPLIT_FIXED (CPU seconds of a run
# with no audio, the intercept). False when the takes are not far enough apart.
split_takes() {
  local c1 a1 c2 a2
  read -r c1 a1 <<<"$1"
  read -r c2 a2 <<<"$2"
  lt "$(calc 'b - a' a="$a1" b="$a2")" 1 && return 1
  SPLIT_MIN=$(calc '(d - c) / (b - a) * 60' a="$a1" b="$a2" c="$c1" d="$c2")
  SPLIT_FIXED=$(calc 'c - m / 60 * a' c="$c1" m="$SPLIT_MIN" a="$a1")
}

# ratio_rounds A B GUARD RATIO...: prints the per-round ratios A / B, their min, median and
# max and in how many rounds A used less CPU per minute; RATIO_MED is the median as printed
# (two decimals), which the guard judges. The guard is on the median of the ratios of each
# round (takes a few seconds apart), not on the ratio of the medians: a change of load between
# rounds then hits both.
ratio_rounds() {
  local a=$1 b=$2 guard=$3 q shown=() sorted less=0
  shift 3
  for q in "$@"; do
    shown+=("$(fnum "$q" 2)")
    if lt "$q" 1.0; then less=$((less + 1)); fi
  done
  mapfile -t sorted < <(printf '%s\n' "$@" | sort -g)
  RATIO_MED=$(fnum "$(median "$@")" 2)
  say ""
  say "$a / $b, round by round: ${shown[*]}"
  say "  min $(fnum "${sorted[0]}" 2), median $RATIO_MED, max $(fnum "${sorted[-1]}" 2);" \
    "$a used less CPU per minute in $less of $# rounds (guard: median <= $guard)"
}
