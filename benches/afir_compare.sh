#!/usr/bin/env bash
# Convolution reverb speed, mixdown against ffmpeg's `afir`, side by side (issue 3).
#
#   benches/afir_compare.sh [RUNS]      run from the project's root (builds target/release/mixdown)
#
# Input: 60 s of seeded stereo white noise and a 3 s stereo impulse response (seeded pink noise
# under a 60 dB/3 s exponential decay), 48 kHz, both synthesised by ffmpeg's lavfi.
# What is timed (user + system CPU seconds of the whole process, minimum over RUNS runs, the runs
# alternating so machine drift hits every command alike):
#   ffmpeg   copy:   decode, write a float WAV           afir:   the same plus `afir`
#   mixdown  plain:  render the track to a float WAV     reverb: the same plus `reverb "ir.wav"`
# The convolution's own cost is the difference of each pair; both tools write 32-bit float.
# afir runs with its defaults (partitions of 8192) and, as a second reference, with its largest
# partitions (minp=maxp=32768, like mixdown's for this IR), which is its fastest offline setting.
# ffmpeg is pinned to one thread (its afir threads over channels), mixdown to `--jobs 1`, so
# CPU time is the honest measure of work; wall times are printed too.
set -euo pipefail
RUNS=${1:-5}
PROJECT=$PWD
WORK=${AFIR_DIR:-/tmp/mixdown-afir}
mkdir -p "$WORK"
command -v ffmpeg >/dev/null || { apt-get update -qq && apt-get install -y -qq ffmpeg >/dev/null; }
cd "$WORK"
lavfi() { ffmpeg -hide_banner -loglevel error -y "$@"; }
if [[ ! -f noise.wav ]]; then
  lavfi -f lavfi -i "anoisesrc=r=48000:c=white:a=0.3:seed=7:d=60" \
    -f lavfi -i "anoisesrc=r=48000:c=white:a=0.3:seed=8:d=60" \
    -filter_complex "[0][1]join=inputs=2:channel_layout=stereo" -c:a pcm_s24le noise.wav
fi
if [[ ! -f ir.wav ]]; then
  lavfi -f lavfi -i "anoisesrc=r=48000:c=pink:a=0.5:seed=3:d=3" \
    -f lavfi -i "anoisesrc=r=48000:c=pink:a=0.5:seed=4:d=3" \
    -filter_complex "[0][1]join=inputs=2:channel_layout=stereo,aeval=val(0)*exp(-t*2.3)|val(1)*exp(-t*2.3)" \
    -c:a pcm_f32le ir.wav
fi
cat > plain.mix <<'EOF'
session { rate 48kHz; tail 0s }
track t "noise.wav"
export "out-plain.wav" { bits 32float }
EOF
cat > reverb.mix <<'EOF'
session { rate 48kHz; tail 0s }
track t "noise.wav" { reverb "ir.wav" { mix 100% } }
export "out-reverb.wav" { bits 32float }
EOF
(cd "$PROJECT" && cargo build --release --quiet)
BIN=$PROJECT/target/release/mixdown
measure() { # measure NAME CMD... -> appends "cpu wall" (seconds, ms resolution) to NAME.times
  local name=$1; shift
  local TIMEFORMAT='%3U %3S %3R' t
  if ! t=$( { time "$@" >/dev/null 2>"$name.log"; } 2>&1 ); then
    echo "$name failed: see $WORK/$name.log" >&2
    exit 1
  fi
  awk '{printf "%.3f %.3f\n", $1 + $2, $3}' <<<"$t" >> "$name.times"
}
rm -f ./*.times
for _ in $(seq "$RUNS"); do
  measure ff-copy ffmpeg -hide_banner -y -threads 1 -filter_threads 1 -i noise.wav -c:a pcm_f32le ff-copy.wav
  measure ff-afir ffmpeg -hide_banner -y -threads 1 -filter_threads 1 -i noise.wav -i ir.wav \
    -filter_complex "[0][1]afir" -c:a pcm_f32le ff-afir.wav
  measure ff-afir32k ffmpeg -hide_banner -y -threads 1 -filter_threads 1 -i noise.wav -i ir.wav \
    -filter_complex "[0][1]afir=minp=32768:maxp=32768" -c:a pcm_f32le ff-afir32k.wav
  measure md-plain "$BIN" render plain.mix --quiet --jobs 1
  measure md-reverb "$BIN" render reverb.mix --quiet --jobs 1
done
lo() { sort -n -k"$2" "$1.times" | head -1 | awk -v k="$2" '{print $k}'; }
printf '%-10s %8s %8s   (minimum of %s runs)\n' run cpu_s wall_s "$RUNS"
for t in ff-copy ff-afir ff-afir32k md-plain md-reverb; do printf '%-10s %8s %8s\n' $t "$(lo $t 1)" "$(lo $t 2)"; done
awk -v a="$(lo ff-afir 1)" -v e="$(lo ff-afir32k 1)" -v b="$(lo ff-copy 1)" \
  -v c="$(lo md-reverb 1)" -v d="$(lo md-plain 1)" 'BEGIN{
    printf "convolution alone (cpu s): afir %.3f, afir 32k partitions %.3f, mixdown %.3f\n", a-b, e-b, c-d
    printf "mixdown takes %.2fx the time of afir (%.2fx of afir with 32k partitions)\n", (c-d)/(a-b), (c-d)/(e-b)}'
