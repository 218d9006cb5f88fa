#!/usr/bin/env bash
# ops/media/make-imx30.sh - make an IMX30 (SMPTE D-10 MXF) test clip with ffmpeg.
#
# Video: mpeg2video 4:2:2 intra-only, 720x608 (576 picture lines + 32 black VBI lines on
# top), 25 fps interlaced top field first, CBR 30 Mb/s. Audio: one pcm_s24le stream,
# 48 kHz, 4 or 8 channels, a distinct tone per channel (full 24-bit samples).
# The result is checked with ffprobe; the script fails when the check does not pass.
set -euo pipefail

prog=${0##*/}
usage() {
  cat <<EOF
Usage: $prog [-d SECONDS] [-c 4|8] [-t easy|hard] [-a 4:3|16:9] [--timecode HH:MM:SS:FF] -o OUT.mxf

Make an IMX30 (SMPTE D-10, mpeg2video 4:2:2 I-frame 30 Mb/s, 720x608 25i TFF) MXF test clip.

  -d SECONDS             duration in seconds, whole or decimal (default 5)
  -c CHANNELS            audio channels, 4 or 8 (default 4); 48 kHz pcm_s24le, one tone per channel
  -t easy|hard           picture content (default easy):
                           easy = testsrc2 pattern (moving, clean)
                           hard = testsrc2 + strong temporal/uniform noise (stresses encoders),
                                  audio tones with a little noise in the low bits
  -a 4:3|16:9            display aspect ratio flagged in the file (default 4:3)
  --timecode HH:MM:SS:FF start timecode written into the file (default 10:00:00:00)
  -o OUT.mxf             output file (required; overwritten)
  -h, --help             show this help

Needs ffmpeg and ffprobe on PATH (Debian: apt-get install ffmpeg).
EOF
}

die() { echo "$prog: $*" >&2; exit 1; }

dur=5 ch=4 type=easy aspect=4:3 tc=10:00:00:00 out=
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    -d) [ $# -ge 2 ] || die "-d needs a value"; dur=$2; shift 2 ;;
    -c) [ $# -ge 2 ] || die "-c needs a value"; ch=$2; shift 2 ;;
    -t) [ $# -ge 2 ] || die "-t needs a value"; type=$2; shift 2 ;;
    -a) [ $# -ge 2 ] || die "-a needs a value"; aspect=$2; shift 2 ;;
    -o) [ $# -ge 2 ] || die "-o needs a value"; out=$2; shift 2 ;;
    --timecode) [ $# -ge 2 ] || die "--timecode needs a value"; tc=$2; shift 2 ;;
    --timecode=*) tc=${1#*=}; shift ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

[ -n "$out" ] || { usage >&2; die "missing -o OUT.mxf"; }
[[ $dur =~ ^[0-9]+([.][0-9]+)?$ ]] && [[ $dur =~ [1-9] ]] || die "bad duration '$dur' (seconds > 0)"
[[ $ch == 4 || $ch == 8 ]] || die "bad channel count '$ch' (4 or 8)"
[[ $type == easy || $type == hard ]] || die "bad type '$type' (easy or hard)"
[[ $aspect == 4:3 || $aspect == 16:9 ]] || die "bad aspect '$aspect' (4:3 or 16:9)"
[[ $tc =~ ^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]:([01][0-9]|2[0-4])$ ]] \
  || die "bad timecode '$tc' (HH:MM:SS:FF, FF < 25)"

for tool in ffmpeg ffprobe; do
  command -v "$tool" >/dev/null 2>&1 \
    || die "$tool not found on PATH; install FFmpeg (Debian: sudo apt-get install ffmpeg)"
done

# Video source (576 picture lines; 32 black VBI lines are padded on top below).
case $type in
  easy) vsrc="testsrc2=size=720x576:rate=25" ;;
  hard) vsrc="testsrc2=size=720x576:rate=25,noise=c0s=45:c1s=30:c2s=30:allf=t+u" ;;
esac

# Audio: one expression per channel, distinct frequency each (440, 550, ... Hz), amplitude 0.5.
# aevalsrc produces doubles, so all 24 bits of the pcm_s24le samples are used.
exprs=
for ((i = 0; i < ch; i++)); do
  f=$((440 + 110 * i))
  e="0.5*sin(2*PI*${f}*t)"
  [ "$type" = hard ] && e="$e+0.002*(random($i)*2-1)"
  exprs+="${exprs:+|}$e"
done
asrc="aevalsrc=exprs=${exprs}:sample_rate=48000"

err=$(mktemp)
trap 'rm -f "$err"' EXIT
if ! ffmpeg -nostdin -hide_banner -v error -y \
    -f lavfi -i "$vsrc" -f lavfi -i "$asrc" \
    -filter_complex "[0:v]pad=720:608:0:32,format=yuv422p,setfield=tff[v]" \
    -map '[v]' -map 1:a -t "$dur" \
    -c:v mpeg2video -g 1 -bf 0 -flags +ildct+ilme -top 1 \
    -b:v 30M -minrate 30M -maxrate 30M -bufsize 1200000 -rc_init_occupancy 1200000 \
    -aspect "$aspect" \
    -c:a pcm_s24le -ar 48000 \
    -timecode "$tc" \
    -f mxf_d10 "$out" 2>"$err"; then
  cat "$err" >&2
  die "ffmpeg failed to write $out"
fi

# Check the result.
v=$(ffprobe -v error -select_streams v:0 -count_packets \
  -show_entries stream=codec_name,pix_fmt,width,height,field_order,r_frame_rate,bit_rate,display_aspect_ratio,nb_read_packets \
  -of default=nw=1 "$out")
a=$(ffprobe -v error -select_streams a -show_entries stream=codec_name,channels,sample_rate -of csv=p=0 "$out")
ftc=$(ffprobe -v error -show_entries format_tags=timecode -of default=nw=1:nk=1 "$out")
want_frames=$(awk -v d="$dur" 'BEGIN { printf "%d", d * 25 + 0.5 }')
fail=
check() { # KEY EXPECTED
  local val
  val=$(sed -n "s/^$1=//p" <<<"$v")
  [ "$val" = "$2" ] || fail+=" $1=$val(want $2)"
}
check codec_name mpeg2video
check pix_fmt yuv422p
check width 720
check height 608
check field_order tt
check r_frame_rate 25/1
check bit_rate 30000000
check display_aspect_ratio "$aspect"
check nb_read_packets "$want_frames"
[ "$a" = "pcm_s24le,48000,$ch" ] || fail+=" audio=$a(want pcm_s24le,48000,$ch)"
[ "$ftc" = "$tc" ] || fail+=" timecode=$ftc(want $tc)"
if [ -n "$fail" ]; then
  printf '%s\n' "$v" "audio: $a" "timecode: $ftc" >&2
  die "$out does not look like the IMX30 clip asked for:$fail"
fi
echo "$out: IMX30 D-10 MXF, $want_frames frames, ${ch}ch pcm_s24le, $type, $aspect, TC $tc, $(stat -c %s "$out") bytes"
