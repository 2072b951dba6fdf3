#!/usr/bin/env bash
# Regenerates the example song's stems from nothing but sox (with its FLAC support),
# espeak-ng and bc.
#
#   cd examples/song/stems && ./make_stems.sh
#
# The groove: 96 bpm in 4/4, eight bars (20 s), A minor, chords Am F C G twice.
# At 48 kHz a beat is exactly 30000 samples and a bar 120000, so every hit is
# placed on the sample grid and `bar N.B` positions in song.mix line up with it.
#
# Output (all 16-bit):
#   kick.flac   mono   48 kHz   beats 1 and 3, plus the "and" of 3 in every 2nd bar
#   snare.flac  mono   48 kHz   beats 2 and 4
#   hats.flac   mono   48 kHz   eighth notes, accented on the beat
#   bass.wav    mono   44.1 kHz an eighth-note root line (a 44.1 kHz WAV on purpose:
#                               mixdown resamples it to the session rate)
#   pad.flac    stereo 48 kHz   detuned saw chords, the two sides detuned apart
#   vox.flac    mono   48 kHz   espeak-ng speaking two lines, lowered in pitch
#
# Deterministic: `sox -R` seeds sox's noise generator with a fixed
# number and `-D` turns dither off, so running this twice gives the same files.
set -euo pipefail
cd "$(dirname "$0")"

for tool in sox espeak-ng bc; do
  command -v "$tool" >/dev/null || { echo "make_stems.sh: needs $tool (apt-get install sox espeak-ng bc)" >&2; exit 1; }
done

RATE=48000
BEAT=30000          # samples per beat at 96 bpm
BAR=$((BEAT * 4))   # samples per bar
BARS=8
EIGHTH=$((BEAT / 2))

SOX="sox -R -D -V1" # repeatable, no dither (digital silence between hits stays silent), quiet
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# mono 32-bit float working files at 48 kHz
mk() { $SOX -n -r $RATE -c 1 -e floating-point -b 32 "$@"; }

# place FILE at sample OFFSET inside a silent bar-long (or N-sample) canvas:
# place OUT LENGTH OFFSET IN [OFFSET IN]...
place() {
  local out=$1 len=$2; shift 2
  local inputs=()
  local i=0
  while [ $# -gt 0 ]; do
    local off=$1 in=$2; shift 2
    $SOX "$in" "$TMP/p$i.wav" pad "${off}s" 0 trim 0 "${len}s" pad 0 "${len}s" trim 0 "${len}s"
    inputs+=("$TMP/p$i.wav"); i=$((i + 1))
  done
  if [ ${#inputs[@]} -eq 1 ]; then cp "${inputs[0]}" "$out"
  else $SOX -m "${inputs[@]}" "$out"; fi
}

# ---- one-shot sounds -------------------------------------------------------
# kick: a sine sweeping 140 Hz -> 42 Hz with a fast decay, plus a 3 ms click
mk "$TMP/kick_body.wav" synth 0.40 sine 140:42 fade q 0.002 0.40 0.36 gain -1
mk "$TMP/kick_click.wav" synth 0.004 square 2000 gain -18 fade 0 0.004 0.003
$SOX -m "$TMP/kick_body.wav" "$TMP/kick_click.wav" "$TMP/kick.wav" gain -2

# snare: a 185 Hz body and a band-passed noise burst
mk "$TMP/sn_tone.wav" synth 0.12 sine 185:160 fade q 0.001 0.12 0.11 gain -8
mk "$TMP/sn_noise.wav" synth 0.22 whitenoise highpass 1200 lowpass 9000 fade q 0.001 0.22 0.21 gain -6
$SOX -m "$TMP/sn_tone.wav" "$TMP/sn_noise.wav" "$TMP/snare.wav" gain -3

# hats: very short high-passed noise; an accented and a soft one
mk "$TMP/hat_hi.wav" synth 0.05 whitenoise highpass 7000 fade q 0.001 0.05 0.045 gain -14
mk "$TMP/hat_lo.wav" synth 0.04 whitenoise highpass 8000 fade q 0.001 0.04 0.035 gain -20

# ---- drums: build one or two bars, then repeat them -------------------------
place "$TMP/kick_a.wav" $BAR 0 "$TMP/kick.wav" $((2 * BEAT)) "$TMP/kick.wav"
place "$TMP/kick_b.wav" $BAR 0 "$TMP/kick.wav" $((2 * BEAT)) "$TMP/kick.wav" $((2 * BEAT + EIGHTH)) "$TMP/kick.wav"
$SOX "$TMP/kick_a.wav" "$TMP/kick_b.wav" "$TMP/kick_2bars.wav"
$SOX "$TMP/kick_2bars.wav" -b 16 kick.flac repeat $((BARS / 2 - 1)) gain -n -3

place "$TMP/snare_bar.wav" $BAR $BEAT "$TMP/snare.wav" $((3 * BEAT)) "$TMP/snare.wav"
$SOX "$TMP/snare_bar.wav" -b 16 snare.flac repeat $((BARS - 1)) gain -n -4

hat_args=()
for e in 0 1 2 3 4 5 6 7; do
  if [ $((e % 2)) -eq 0 ]; then hat_args+=($((e * EIGHTH)) "$TMP/hat_hi.wav")
  else hat_args+=($((e * EIGHTH)) "$TMP/hat_lo.wav"); fi
done
place "$TMP/hats_bar.wav" $BAR "${hat_args[@]}"
$SOX "$TMP/hats_bar.wav" -b 16 hats.flac repeat $((BARS - 1)) gain -n -8

# ---- harmony: Am F C G, one chord per bar ----------------------------------
ROOTS=(55.00 43.65 65.41 49.00)                       # A1 F1 C2 G1
CHORDS=("220.00 261.63 329.63" "174.61 220.00 261.63" "196.00 261.63 329.63" "196.00 246.94 293.66")

# bass: eighth-note roots, the last eighth of each bar an octave up
bass_bars=()
for c in 0 1 2 3; do
  r=${ROOTS[$c]}
  mk "$TMP/bn_$c.wav" synth 0.28 sawtooth "$r" lowpass 700 lowpass 700 fade q 0.004 0.28 0.06
  up=$(echo "$r * 2" | bc -l)
  mk "$TMP/bu_$c.wav" synth 0.28 sawtooth "$up" lowpass 900 lowpass 900 fade q 0.004 0.28 0.06
  args=()
  for e in 0 1 2 3 4 5 6; do args+=($((e * EIGHTH)) "$TMP/bn_$c.wav"); done
  args+=($((7 * EIGHTH)) "$TMP/bu_$c.wav")
  place "$TMP/bass_$c.wav" $BAR "${args[@]}"
  bass_bars+=("$TMP/bass_$c.wav")
done
$SOX "${bass_bars[@]}" "${bass_bars[@]}" "$TMP/bass48.wav"
# rendered on the 48 kHz grid, delivered at 44.1 kHz (a bar is 110250 samples there)
$SOX "$TMP/bass48.wav" -r 44100 -b 16 -c 1 bass.wav gain -n -3 rate -v 44100

# pad: three detuned saws per chord, low-passed, left detuned down, right up
for side in L R; do
  if [ $side = L ]; then det=0.997; else det=1.003; fi
  pad_bars=()
  for c in 0 1 2 3; do
    set -- ${CHORDS[$c]}
    f1=$(echo "$1 * $det" | bc -l); f2=$(echo "$2 * $det" | bc -l); f3=$(echo "$3 * $det" | bc -l)
    $SOX -n -r $RATE -c 3 -e floating-point -b 32 "$TMP/pc3.wav" \
      synth 2.5 sawtooth "$f1" sawtooth "$f2" sawtooth "$f3"
    $SOX "$TMP/pc3.wav" "$TMP/pad_${side}_$c.wav" remix 1-3 lowpass 1400 lowpass 2200 \
      fade h 0.25 2.5 0.35 trim 0 "${BAR}s"
    pad_bars+=("$TMP/pad_${side}_$c.wav")
  done
  $SOX "${pad_bars[@]}" "${pad_bars[@]}" "$TMP/pad_$side.wav"
done
$SOX -M "$TMP/pad_L.wav" "$TMP/pad_R.wav" -b 16 pad.flac gain -n -6

# ---- vox: two spoken lines, lowered four semitones ---------------------------
espeak-ng -v en-us -s 130 -p 45 -w "$TMP/v1.wav" "Every fader is a line of code."
espeak-ng -v en-us -s 130 -p 45 -w "$TMP/v2.wav" "Render me the night."
# each line starts on a downbeat: line 1 at 0 s, line 2 two bars later (5 s)
$SOX "$TMP/v1.wav" -r $RATE -c 1 -e floating-point -b 32 "$TMP/v1r.wav" pitch -400 rate -v $RATE
$SOX "$TMP/v2.wav" -r $RATE -c 1 -e floating-point -b 32 "$TMP/v2r.wav" pitch -400 rate -v $RATE
place "$TMP/vox.wav" $((3 * BAR)) 0 "$TMP/v1r.wav" $((2 * BAR)) "$TMP/v2r.wav"
$SOX "$TMP/vox.wav" -b 16 vox.flac gain -n -3

ls -l kick.flac snare.flac hats.flac bass.wav pad.flac vox.flac

# A 0.6 s stereo impulse response for the convolution reverb: seeded white noise with
# a logarithmic fade (about an exponential decay). The right side starts 0.1 s further
# into the same seeded noise, so the two sides are decorrelated.
$SOX -n -r $RATE -c 1 -b 16 "$TMP/ir-l.wav" synth 0.6 whitenoise gain -12 fade l 0 0.6 0.6
$SOX -n -r $RATE -c 1 -b 16 "$TMP/ir-r.wav" synth 0.7 whitenoise trim 0.1 gain -12 fade l 0 0.6 0.6
$SOX -M "$TMP/ir-l.wav" "$TMP/ir-r.wav" -b 16 room-ir.flac
