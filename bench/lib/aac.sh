# shellcheck shell=bash disable=SC2034,SC2154
# Benchmark (e): compressed capture. Sourced by bench/run.
#   1. AAC encoding throughput: soundcheck recording the virtual device at speed=max into M4A
#      (AAC 128 kb/s, 48 kHz stereo, 10 minutes; finalization included), against ffmpeg encoding
#      the same tone from lavfi with its native AAC encoder at the same bitrate. The encoder is
#      the same library, so the guard (>= 0.95 of ffmpeg's speed) checks that nothing else costs.
#   2. finalizing a one-hour M4A: FFmpeg's remux of a fragmented MP4 into a plain one (moov
#      first), timed through `soundcheck repair -o` on a one-hour fragmented AAC file made by
#      stream copy (what a recorder's close() runs on a one-hour take).
#   3. `repair` time per hour of audio: that M4A, a one-hour pcm16 WAV whose sizes are 0, and an
#      ALAC CAF left by a recorder killed with SIGKILL (its journal rebuilds the packet table),
#      scaled to one hour.

readonly AAC_AUDIO_S=600
readonly AAC_BITRATE=128k
readonly AAC_TARGET=0.95
readonly AAC_FINALIZE_GUARD_S=5   # a one-hour finalize; about 0.5 s here (STYLE.md)

# aac_command TOOL OUT: the command into CMD.
aac_command() {
  local out=$2
  case $1 in
    soundcheck) CMD=("$SC" record -q -D "virtual:signal=sine:1000,speed=max" -d "${AAC_AUDIO_S}s" \
      -b "$AAC_BITRATE" "$out") ;;
    ffmpeg) CMD=(ffmpeg -v error -nostdin -f lavfi -i "sine=frequency=1000:sample_rate=$RATE:duration=$AAC_AUDIO_S" \
      -ac 2 -c:a aac -b:a "$AAC_BITRATE" "$out") ;;
  esac
}

bench_aac() {
  local runs=${BENCH_RUNS:-3} tool run
  heading "aac: AAC ${AAC_BITRATE} encoding throughput, $((AAC_AUDIO_S / 60)) min of ${RATE} Hz stereo into M4A"
  check_load "before the aac benchmark"
  AAC_X_soundcheck=() AAC_X_ffmpeg=()
  printf '%-5s %-10s %8s %10s  %s\n' run tool wall_s x_realtime note
  for ((run = 1; run <= runs; run++)); do
    for tool in soundcheck ffmpeg; do
      local out="$work/aac-$tool-$run.m4a" log="$work/aac-$tool-$run.log"
      rm -f "$out"
      aac_command "$tool" "$out"
      measure "$log" "${CMD[@]}"
      if [[ $M_RC != 0 ]]; then
        printf '%-5s %-10s %8s %10s  %s\n' "$run/$runs" "$tool" - - "FAILED: exit $M_RC: $(tail -n 1 "$log")"
        continue
      fi
      local x
      x=$(calc 'a / w' a="$AAC_AUDIO_S" w="$M_WALL")
      eval "AAC_X_$tool+=(\"\$x\")"
      printf '%-5s %-10s %8s %10s\n' "$run/$runs" "$tool" "$(fnum "$M_WALL" 3)" "$(fnum "$x" 1)"
      rm -f "$out"
    done
  done
  if ((${#AAC_X_soundcheck[@]} == 0 || ${#AAC_X_ffmpeg[@]} == 0)); then
    result NOT-RUN "aac: a tool did not complete any run"
    return 1
  fi
  local sc ff ratio
  sc=$(median "${AAC_X_soundcheck[@]}")
  ff=$(median "${AAC_X_ffmpeg[@]}")
  ratio=$(calc 'a / b' a="$sc" b="$ff")
  local text
  text="aac: soundcheck $(fnum "$sc" 1)x real time, ffmpeg $(fnum "$ff" 1)x, ratio $(fnum "$ratio" 3) (target >= $AAC_TARGET)"
  if le "$AAC_TARGET" "$ratio"; then result PASS "$text"; else result FAIL "$text"; fi

  aac_finalize_and_repair
}

aac_finalize_and_repair() {
  heading "aac: finalizing a one-hour M4A, and repair per hour of audio"
  local seed="$work/seed.m4a" hour="$work/hour.m4a" log="$work/repair.log"
  # A one-hour fragmented AAC file by stream copy of a 10 s take, 1 s fragments.
  ffmpeg -v error -nostdin -f lavfi -i "sine=frequency=1000:sample_rate=$RATE:duration=10" -ac 2 \
    -c:a aac -b:a "$AAC_BITRATE" "$seed"
  ffmpeg -v error -nostdin -stream_loop 359 -i "$seed" -c copy \
    -movflags empty_moov+default_base_moof -frag_duration 1000000 "$hour"
  say "one-hour fragmented M4A: $(du -h "$hour" | cut -f1)"
  rm -f "$work/plain.m4a"
  measure "$log" "$SC" repair -q "$hour" -o "$work/plain.m4a"
  if [[ $M_RC != 0 ]]; then
    result NOT-RUN "aac finalize: repair failed: $(tail -n 1 "$log")"
    return 1
  fi
  local fin=$M_WALL
  say "finalize (remux, moov first) of one hour: $(fnum "$fin" 3) s wall"
  local text
  text="aac finalize: one hour of ${AAC_BITRATE} AAC made plain in $(fnum "$fin" 2) s (guard <= ${AAC_FINALIZE_GUARD_S} s)"
  if le "$fin" "$AAC_FINALIZE_GUARD_S"; then result PASS "$text"; else result FAIL "$text"; fi
  rm -f "$work/plain.m4a" "$seed"

  # A one-hour pcm16 WAV whose sizes are 0 (as a killed tool may leave it).
  local wav="$work/hour.wav"
  "$SC" record -q -D virtual:speed=max -d 1h "$wav"
  printf '\0\0\0\0' | dd of="$wav" bs=1 seek=4 conv=notrunc status=none
  local data
  data=$(grep -abo 'data' "$wav" | head -n 1 | cut -d: -f1)
  printf '\0\0\0\0' | dd of="$wav" bs=1 seek=$((data + 4)) conv=notrunc status=none
  measure "$log" "$SC" repair -q "$wav" -o "$work/fixed.wav"
  local wav_s=$M_WALL wav_rc=$M_RC
  rm -f "$wav" "$work/fixed.wav"

  # An ALAC CAF killed part way (its journal beside it), scaled to one hour.
  local caf="$work/killed.caf"
  "$SC" record -q -D virtual:speed=max -d 10h -e alac "$caf" &
  local pid=$!
  sleep 8
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
  local caf_frames caf_hours
  measure "$log" "$SC" repair -q "$caf" -o "$work/fixed.caf"
  local caf_s=$M_WALL caf_rc=$M_RC
  caf_frames=$("$SC" --json info "$work/fixed.caf" 2>/dev/null | jq '.files[0].frames // 0')
  caf_hours=$(calc 'f / (r * 3600)' f="${caf_frames:-0}" r="$RATE")
  rm -f "$caf" "$caf.journal" "$work/fixed.caf"

  say ""
  printf '%-26s %10s %10s %12s\n' file audio_h repair_s s_per_hour
  printf '%-26s %10s %10s %12s\n' "m4a fragmented (aac)" 1 "$(fnum "$fin" 3)" "$(fnum "$fin" 3)"
  if [[ $wav_rc == 0 ]]; then
    printf '%-26s %10s %10s %12s\n' "wav sizes 0 (pcm16)" 1 "$(fnum "$wav_s" 3)" "$(fnum "$wav_s" 3)"
  else
    say "wav repair failed: $(tail -n 1 "$log")"
  fi
  if [[ $caf_rc == 0 ]] && lt 0 "$caf_hours"; then
    printf '%-26s %10s %10s %12s\n' "caf killed (alac)" "$(fnum "$caf_hours" 3)" "$(fnum "$caf_s" 3)" \
      "$(fnum "$(calc 's / h' s="$caf_s" h="$caf_hours")" 3)"
  else
    say "caf repair failed: $(tail -n 1 "$log")"
  fi
  result INFO "repair per hour: m4a $(fnum "$fin" 2) s, wav $(fnum "$wav_s" 2) s, caf (alac) $(fnum "$(calc 's / h' s="$caf_s" h="${caf_hours:-1}")" 2) s"
}
