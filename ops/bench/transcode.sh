#!/usr/bin/env bash
# transcode.sh - BENCHMARK (not a test) for issue #4: fff's streaming IMX30 transcode against the
# same two ffmpeg stages run one after the other, all measured in one run on this machine.
#
#   1. encode stage alone   the sending node's ffmpeg (built-in imx30 profile args): source.mxf -> wire.ts
#   2. decode stage alone   the receiving node's ffmpeg: wire.ts (on stdin) -> IMX30 D-10 MXF
#   3. sequential           encode whole file + cp of the .ts + decode of the copy (sum of the three)
#   4. fff streaming        two `fff run` nodes on 127.0.0.1 (node.plain: true), a watch rule with
#                           profile: imx30; clock from `mv` of the clip into the watched folder until the
#                           result exists at its final name in the landing folder (polled every 50 ms)
#
# Reported: wall times, streaming / slowest stage (target <= 1.2), streaming / sequential, bytes on
# the wire / source size (target <= 0.40), PSNR and SSIM of fff's result against the source, frame
# counts, and whether the decoded audio is bit-identical. Run with -h for the options.
set -Eeuo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh" # log, die, process groups, cleanup, watchdog, now/sub, child_cpu
ROOT=$(cd "$HERE/../.." && pwd)
CMDLINE="$0${*:+ $*}"

usage() {
  cat <<EOF
Usage: $prog [-d SECONDS] [-t hard|easy] [-c 4|8] [-w DIR] [-j JAR] [-T SECONDS] [-h]

Benchmark of fff's streaming IMX30 transcode (issue #4) against the encode and decode stages alone and
the sequential way (encode, copy, decode), on this machine, in one run. Prints a results table.

  -d SECONDS   clip duration (default 60)
  -t TYPE      clip content for ops/media/make-imx30.sh: hard (default) or easy
  -c CHANNELS  audio channels, 4 (default) or 8
  -w DIR       work dir, kept afterwards (default: a mktemp dir under \${TMPDIR:-/tmp}, removed on exit);
               a source clip made earlier there with the same -d/-t/-c is reused
  -j JAR       the fff jar (default: <repo>/node/target/fff.jar); it is copied into the work dir first,
               so a rebuild during the run does not change what runs
  -T SECONDS   limit for the whole run (default 1800); on expiry every process started is stopped
  -h, --help   this help

Needs ffmpeg/ffprobe (libx264, s302m, mxf_d10), java 17+, setsid, sha256sum, awk.
Everything runs on 127.0.0.1 and under the work dir; nothing else is touched.
The exit status is non-zero only when a step fails (a missed target is reported, not failed).
EOF
}

DUR=60 TYPE=hard CH=4 WORK_ARG='' JAR=${FFF_JAR:-$ROOT/node/target/fff.jar} LIMIT=1800
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage; exit 0 ;;
    -d) [ $# -ge 2 ] || die "-d needs a value"; DUR=$2; shift 2 ;;
    -t) [ $# -ge 2 ] || die "-t needs a value"; TYPE=$2; shift 2 ;;
    -c) [ $# -ge 2 ] || die "-c needs a value"; CH=$2; shift 2 ;;
    -w) [ $# -ge 2 ] || die "-w needs a value"; WORK_ARG=$2; shift 2 ;;
    -j) [ $# -ge 2 ] || die "-j needs a value"; JAR=$2; shift 2 ;;
    -T) [ $# -ge 2 ] || die "-T needs a value"; LIMIT=$2; shift 2 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
if ! [[ $DUR =~ ^[0-9]+([.][0-9]+)?$ && $DUR =~ [1-9] ]]; then die "bad duration '$DUR' (seconds > 0)"; fi
[[ $TYPE == hard || $TYPE == easy ]] || die "bad type '$TYPE' (hard or easy)"
[[ $CH == 4 || $CH == 8 ]] || die "bad channel count '$CH' (4 or 8)"
if ! [[ $LIMIT =~ ^[0-9]+$ && $LIMIT -gt 0 ]]; then die "bad limit '$LIMIT' (whole seconds > 0)"; fi
[ -f "$JAR" ] || die "fff jar not found: $JAR (build it, or pass -j JAR)"
for tool in ffmpeg ffprobe java setsid sha256sum awk; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found on PATH"
done
MAKE_CLIP=$ROOT/ops/media/make-imx30.sh
[ -x "$MAKE_CLIP" ] || die "missing $MAKE_CLIP"
unset FFF_HOME

# ---------------------------------------------------------------- work dir, processes, cleanup
if [ -n "$WORK_ARG" ]; then
  mkdir -p "$WORK_ARG"
  WORK=$(cd "$WORK_ARG" && pwd)
  KEEP=1
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/fff-transcode.XXXXXX")
  KEEP=0
fi
STEP=setup

on_stop() { printf '%s: stopped during step "%s" (limit -T %s s reached, or SIGTERM)\n' "$prog" "$STEP" "$LIMIT" >&2; }
KEPT_LOG="work dir kept:"
set_traps
trap 'printf "%s: line %s: command failed: %s\n" "$prog" "$LINENO" "$BASH_COMMAND" >&2' ERR
# the whole run is bounded: a watchdog sends us SIGTERM after LIMIT seconds
start_watchdog "$LIMIT"

div() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.3f", a / b; else print "-" }'; }
# CPU seconds of a process itself and of its reaped children (a node JVM; its ffmpegs/ffprobes)
proc_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f %.2f\n", ($12 + $13) / hz, ($14 + $15) / hz }' "/proc/$1/stat"; }
# busy and total jiffies of the whole machine
machine_jiffies() { awk '/^cpu /{ t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }

# others BUSY0 BUSY1 OURS : CPU seconds the rest of the machine used in a window in which we used OURS
others() { awk -v a="$1" -v b="$2" -v o="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN{ x = (b - a) / hz - o; printf "%.1f", (x < 0 ? 0 : x) }'; }

# run_step NAME LOG CMD... : run CMD (own session) and wait; sets STEP_WALL and STEP_CPU
run_step() {
  local name=$1 logf=$2 t0 t1 c0 c1 pid rc=0 mb0 mb1 _t
  shift 2
  STEP=$name
  c0=$(child_cpu)
  read -r mb0 _t < <(machine_jiffies)
  t0=$(now)
  start_bg "$logf" "$@"
  pid=$BG_PID
  wait "$pid" || rc=$?
  t1=$(now)
  read -r mb1 _t < <(machine_jiffies)
  forget_group "$pid"
  c1=$(child_cpu)
  [ "$rc" = 0 ] || die "$name failed (exit $rc): $(tail -n 15 "$logf")"
  STEP_WALL=$(sub "$t0" "$t1")
  STEP_CPU=$(sub "$c0" "$c1")
  STEP_OTHER=$(others "$mb0" "$mb1" "$STEP_CPU")
  log "$name: ${STEP_WALL} s wall, ${STEP_CPU} s CPU (other processes: ${STEP_OTHER} s CPU meanwhile)"
}

# wait_line LOG PID PATTERN SECONDS : wait until LOG has a line matching PATTERN (grep -E)
wait_line() {
  local i=0
  until grep -Eq -- "$3" "$1" 2>/dev/null; do
    kill -0 "$2" 2>/dev/null || die "process $2 exited before printing /$3/: $(tail -n 20 "$1")"
    sleep 0.05
    i=$((i + 1))
    [ "$i" -lt $(($4 * 20)) ] || die "no line /$3/ within $4 s: $(tail -n 20 "$1")"
  done
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
FF=(ffmpeg -nostdin -hide_banner -nostats -v error -y)

# ---------------------------------------------------------------- source clip
mkdir -p "$WORK/src"
cp -- "$JAR" "$WORK/fff.jar"
SRC=$WORK/src/source.mxf
STAMP="make-imx30.sh -d $DUR -t $TYPE -c $CH"
if [ -f "$SRC" ] && [ "$(cat "$WORK/src/stamp" 2>/dev/null)" = "$STAMP" ]; then
  log "reusing $SRC ($STAMP)"
else
  rm -f -- "$SRC" "$WORK/src/stamp"
  log "making the source clip: $STAMP"
  STEP="make clip"
  "$MAKE_CLIP" -d "$DUR" -t "$TYPE" -c "$CH" -o "$SRC" >&2
  echo "$STAMP" >"$WORK/src/stamp"
fi
SRC_BYTES=$(stat -c %s "$SRC")
ASPECT=$(ffprobe -v error -select_streams v:0 -show_entries stream=display_aspect_ratio -of default=nw=1:nk=1 "$SRC")
TC=$(ffprobe -v error -show_entries format_tags=timecode -of default=nw=1:nk=1 "$SRC")
[ -n "$TC" ] || TC=$(ffprobe -v error -select_streams v:0 -show_entries stream_tags=timecode -of default=nw=1:nk=1 "$SRC")
[ -n "$ASPECT" ] || die "cannot read the display aspect of $SRC"
[ -n "$TC" ] || die "cannot read the start timecode of $SRC"
cat "$SRC" >/dev/null  # in the page cache for every method

# The built-in imx30 profile (common/src/main/java/fff/common/transcode/Profiles.java), defaults
# bitrate=5M, preset=veryfast; {aspect} and {timecode} from the source.
SEND_ARGS=(-map 0:v:0 -map '0:a?'
  -c:v libx264 -preset veryfast -pix_fmt yuv422p
  -flags +ildct+ilme -x264-params tff=1:weightp=0 -g 25
  -b:v 5M -maxrate 5M -bufsize 5M
  -c:a s302m -strict -2)
RECV_ARGS=(-map 0:v:0 -map '0:a?'
  -c:v mpeg2video -pix_fmt yuv422p -g 1 -bf 0
  -flags +ildct+ilme -top 1
  -b:v 30M -minrate 30M -maxrate 30M
  -bufsize 1200000 -rc_init_occupancy 1200000
  -aspect "$ASPECT" -timecode "$TC"
  -c:a pcm_s24le -ar 48000)

# ---------------------------------------------------------------- 1-3: stages alone and sequential
ST=$WORK/stages
rm -rf -- "$ST"
mkdir -p "$ST"
sync

run_step "encode stage" "$ST/encode.log" "${FF[@]}" -i "$SRC" "${SEND_ARGS[@]}" -f mpegts "$ST/wire.ts"
ENC_WALL=$STEP_WALL ENC_CPU=$STEP_CPU ENC_OTHER=$STEP_OTHER
TS_BYTES=$(stat -c %s "$ST/wire.ts")

run_step "copy of the .ts" "$ST/copy.log" cp -- "$ST/wire.ts" "$ST/copied.ts"
COPY_WALL=$STEP_WALL

# the receiving ffmpeg reads the wire format on stdin, as in the node
# shellcheck disable=SC2016
run_step "decode stage" "$ST/decode.log" sh -c 'f=$1; shift; exec "$@" <"$f"' decode "$ST/copied.ts" \
  ffmpeg -hide_banner -nostats -v error -y -f mpegts -i - "${RECV_ARGS[@]}" -f mxf_d10 "$ST/sequential.mxf"
DEC_WALL=$STEP_WALL DEC_CPU=$STEP_CPU DEC_OTHER=$STEP_OTHER
SEQ_WALL=$(awk -v a="$ENC_WALL" -v b="$COPY_WALL" -v c="$DEC_WALL" 'BEGIN{printf "%.3f", a + b + c}')
SLOWEST=$(awk -v a="$ENC_WALL" -v b="$DEC_WALL" 'BEGIN{printf "%.3f", (a > b ? a : b)}')
SLOWEST_NAME=$(awk -v a="$ENC_WALL" -v b="$DEC_WALL" 'BEGIN{print (a > b ? "encode" : "decode")}')

# ---------------------------------------------------------------- 4: fff streaming
FS=$WORK/fff
rm -rf -- "$FS"
mkdir -p "$FS/w" "$FS/landing" "$FS/stage"
STEP="fff init"
java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$WORK/fff.jar" init --home "$FS/a" >"$FS/init-a.log" 2>&1 ||
  die "fff init failed: $(tail -n 20 "$FS/init-a.log")"
java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$WORK/fff.jar" init --home "$FS/b" >"$FS/init-b.log" 2>&1 ||
  die "fff init failed: $(tail -n 20 "$FS/init-b.log")"
A_ID=$(sed -n 's/.*node ID: *//p' "$FS/init-a.log" | head -n 1)
B_ID=$(sed -n 's/.*node ID: *//p' "$FS/init-b.log" | head -n 1)
[ -n "$A_ID" ] || die "no node ID in the output of fff init: $(cat "$FS/init-a.log")"
[ -n "$B_ID" ] || die "no node ID in the output of fff init: $(cat "$FS/init-b.log")"

STEP="start receiving node"
cat >"$FS/b.yaml" <<EOF
node: {home: b, listen: "127.0.0.1:0", plain: true}
web: {listen: "127.0.0.1:0"}
receive: {root: landing, allow: ["$A_ID"], reserve: 0}
EOF
start_bg "$FS/b.log" java -jar "$WORK/fff.jar" run --config "$FS/b.yaml"
B_PID=$BG_PID
wait_line "$FS/b.log" "$B_PID" '^listening on ' 120
PORT=$(sed -n 's/^listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$FS/b.log" | head -n 1)
[ -n "$PORT" ] || die "no port in the receiver's listening line: $(grep -m1 '^listening on ' "$FS/b.log")"

STEP="start sending node"
cat >"$FS/a.yaml" <<EOF
node: {home: a, plain: true}
web: {listen: "127.0.0.1:0"}
destinations:
  siteB: {peer: "127.0.0.1:$PORT", id: "$B_ID"}
watch:
  - {path: w, to: "siteB:out", stable-for: 300ms, profile: imx30}
EOF
start_bg "$FS/a.log" java -jar "$WORK/fff.jar" run --config "$FS/a.yaml"
A_PID=$BG_PID
wait_line "$FS/a.log" "$A_PID" '^watching ' 120

NAME=clip.mxf
OUT=$FS/landing/out/$NAME
cp -- "$SRC" "$FS/stage/$NAME"  # same file system as w/: the mv below is a rename
sync
cat "$FS/stage/$NAME" >/dev/null
sleep 1  # let the freshly started JVMs settle (their start-up is not part of the measurement)

STEP="fff streaming"
read -r a_j0 a_c0 < <(proc_cpu "$A_PID")
read -r b_j0 b_c0 < <(proc_cpu "$B_PID")
read -r m_b0 m_t0 < <(machine_jiffies)
t0=$(now)
mv -- "$FS/stage/$NAME" "$FS/w/$NAME"
T_QUEUED='' T_STARTED=''
until [ -e "$OUT" ]; do
  # when the sender's job lines first appear (they carry no time stamp; 50 ms resolution)
  [ -n "$T_QUEUED" ] || { grep -Eq '^job [0-9]+ queued ' "$FS/a.log" && T_QUEUED=$(now); } || true
  [ -n "$T_STARTED" ] || { grep -Eq '^job [0-9]+ started ' "$FS/a.log" && T_STARTED=$(now); } || true
  if grep -Eq '^job [0-9]+ failed ' "$FS/a.log"; then
    die "the fff job failed:
$(grep -E '^job [0-9]+ ' "$FS/a.log")
--- sending node (last lines)
$(tail -n 25 "$FS/a.log")
--- receiving node (last lines)
$(tail -n 25 "$FS/b.log")"
  fi
  kill -0 "$A_PID" 2>/dev/null || die "the sending node exited: $(tail -n 25 "$FS/a.log")"
  kill -0 "$B_PID" 2>/dev/null || die "the receiving node exited: $(tail -n 25 "$FS/b.log")"
  sleep 0.05
done
t1=$(now)
read -r m_b1 m_t1 < <(machine_jiffies)
read -r a_j1 a_c1 < <(proc_cpu "$A_PID")
read -r b_j1 b_c1 < <(proc_cpu "$B_PID")
FFF_WALL=$(sub "$t0" "$t1")
A_JVM=$(sub "$a_j0" "$a_j1") A_KIDS=$(sub "$a_c0" "$a_c1")
B_JVM=$(sub "$b_j0" "$b_j1") B_KIDS=$(sub "$b_c0" "$b_c1")
A_CPU=$(awk -v a="$A_JVM" -v b="$A_KIDS" 'BEGIN{printf "%.2f", a + b}')
B_CPU=$(awk -v a="$B_JVM" -v b="$B_KIDS" 'BEGIN{printf "%.2f", a + b}')
FFF_OTHER=$(others "$m_b0" "$m_b1" "$(awk -v a="$A_CPU" -v b="$B_CPU" 'BEGIN{printf "%.2f", a + b}')")
BUSY=$(awk -v b0="$m_b0" -v b1="$m_b1" -v t0="$m_t0" -v t1="$m_t1" 'BEGIN{ if (t1 > t0) printf "%.0f", 100 * (b1 - b0) / (t1 - t0); else print "-" }')
log "fff streaming: $FFF_WALL s from mv to $OUT (CPU s: sending JVM $A_JVM + its ffmpeg/ffprobe $A_KIDS, receiving JVM $B_JVM + its ffmpeg/ffprobe $B_KIDS; machine ${BUSY}% busy; other processes ${FFF_OTHER} s CPU)"

STEP="fff job lines"
wait_line "$FS/b.log" "$B_PID" 'stored: .*\(from [0-9]+ bytes on the wire\)' 30
wait_line "$FS/a.log" "$A_PID" '^job [0-9]+ done ' 30
STORED=$(grep -E 'stored: .*bytes on the wire' "$FS/b.log" | head -n 1)
DONE=$(grep -E '^job [0-9]+ done ' "$FS/a.log" | head -n 1)
WIRE_BYTES=$(sed -n 's/.*(from \([0-9][0-9]*\) bytes on the wire).*/\1/p' <<<"$STORED")
log "receiver: $STORED"
hms() { date -d "@$1" +%H:%M:%S.%3N; }
rel() { if [ -n "$1" ]; then sub "$t0" "$1"; else echo '?'; fi; }
logrel() { # logrel PATTERN : seconds from the mv to the time stamp (HH:MM:SS.mmm) of the receiver's line
  local ts
  ts=$(grep -E -m1 -- "$1" "$FS/b.log" | awk '{print $1}')
  if [[ $ts =~ ^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}$ ]]; then
    awk -v t0="$t0" -v d="$(date -d "@${t0%.*}" +%F)" -v ts="$ts" 'BEGIN{
      cmd = "date -d \"" d " " ts "\" +%s.%N"; cmd | getline s; close(cmd); printf "%.2f", s - t0 }'
  else
    echo '?'
  fi
}
TIMELINE="mv at $(hms "$t0"); +$(rel "$T_QUEUED") s job queued (seen), +$(rel "$T_STARTED") s job started (seen), +$(logrel ' sender .* connected') s sender connected (receiver log), +$(logrel 'stored: ') s stored (receiver log), +$FFF_WALL s final name seen"
log "timeline: $TIMELINE"
log "sender:   $DONE"
STEP="stop nodes"
stop_group "$A_PID"; forget_group "$A_PID"
stop_group "$B_PID"; forget_group "$B_PID"

# ---------------------------------------------------------------- quality of fff's result
STEP="quality"
frames() { ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of default=nw=1:nk=1 "$1"; }
pcm_sha() { ffmpeg -nostdin -v error -i "$1" -map 0:a -c:a pcm_s24le -f s24le - | sha256sum | cut -d' ' -f1; }
SRC_FRAMES=$(frames "$SRC")
OUT_FRAMES=$(frames "$OUT")
SEQ_FRAMES=$(frames "$ST/sequential.mxf")
SRC_PCM=$(pcm_sha "$SRC")
OUT_PCM=$(pcm_sha "$OUT")
if [ "$SRC_PCM" = "$OUT_PCM" ]; then AUDIO=identical; else AUDIO=DIFFERENT; fi
log "PSNR/SSIM of the fff result against the source (one pass)"
ffmpeg -nostdin -hide_banner -nostats -i "$OUT" -i "$SRC" \
  -lavfi "[0:v]split[o1][o2];[1:v]split[s1][s2];[o1][s1]psnr;[o2][s2]ssim" -f null - 2>"$WORK/quality.log" ||
  die "PSNR/SSIM failed: $(tail -n 15 "$WORK/quality.log")"
PSNR=$(sed -n 's/.*PSNR .* average:\([^ ]*\) .*/\1/p' "$WORK/quality.log" | tail -n 1)
SSIM=$(sed -n 's/.*SSIM .* All:\([^ ]*\) .*/\1/p' "$WORK/quality.log" | tail -n 1)
PSNR_LINE=$(grep -m1 'PSNR ' "$WORK/quality.log" | sed 's/^\[[^]]*\] //')
SSIM_LINE=$(grep -m1 'SSIM ' "$WORK/quality.log" | sed 's/^\[[^]]*\] //')
if cmp -s "$OUT" "$ST/sequential.mxf"; then SAME_AS_SEQ="byte-identical"; else SAME_AS_SEQ="differs (bytes)"; fi

# ---------------------------------------------------------------- report
STEP=report
R_STAGE=$(div "$FFF_WALL" "$SLOWEST")
R_SEQ=$(div "$FFF_WALL" "$SEQ_WALL")
R_WIRE=$(div "$WIRE_BYTES" "$SRC_BYTES")
verdict() { awk -v r="$1" -v t="$2" 'BEGIN{ print (r != "-" && r <= t) ? "met" : "MISSED" }'; }
rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
cpu=$(awk -F': *' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
mb() { awk -v b="$1" 'BEGIN{printf "%.1f MB", b / 1e6}'; }

echo
echo "## fff transcode benchmark (issue #4) $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo
echo "command: $CMDLINE"
echo "host:    $(uname -srm), ${cpu:-unknown cpu}, nproc $(nproc); repo HEAD $rev (now); jar sha256 $(sha256sum "$WORK/fff.jar" | cut -c1-12)"
echo "ffmpeg:  $(ffmpeg -version | head -n 1)"
echo "load:    $LOAD_START at the start (1/5/15 min), $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "source:  $STAMP = $SRC_BYTES bytes ($(mb "$SRC_BYTES")), $SRC_FRAMES frames, aspect $ASPECT, TC $TC"
echo
printf '| %-34s | %8s | %7s | %7s | %s |\n' "step" "wall s" "CPU s" "other s" "notes"
printf '%s\n' "|------------------------------------|---------:|--------:|--------:|-------|"
printf '| %-34s | %8s | %7s | %7s | %s |\n' "1 encode stage alone (-> .ts)" "$ENC_WALL" "$ENC_CPU" "$ENC_OTHER" ".ts $TS_BYTES bytes"
printf '| %-34s | %8s | %7s | %7s | %s |\n' "2 decode stage alone (.ts -> MXF)" "$DEC_WALL" "$DEC_CPU" "$DEC_OTHER" "ffmpeg reads the .ts on stdin"
printf '| %-34s | %8s | %7s | %7s | %s |\n' "  copy of the .ts (cp)" "$COPY_WALL" "" "" ""
printf '| %-34s | %8s | %7s | %7s | %s |\n' "3 sequential (1 + copy + 2)" "$SEQ_WALL" "" "" ""
printf '| %-34s | %8s | %7s | %7s | %s |\n' "4 fff streaming, mv -> final name" "$FFF_WALL" \
  "$(awk -v a="$A_CPU" -v b="$B_CPU" 'BEGIN{printf "%.2f", a + b}')" "$FFF_OTHER" \
  "CPU s: sending JVM $A_JVM + ffmpeg/ffprobe $A_KIDS, receiving JVM $B_JVM + ffmpeg/ffprobe $B_KIDS; machine ${BUSY}% busy"
echo
printf '%-36s %7s   (target <= 1.2: %s)\n' "streaming / slowest stage ($SLOWEST_NAME)" "$R_STAGE" "$(verdict "$R_STAGE" 1.2)"
printf '%-36s %7s\n' "streaming / sequential" "$R_SEQ"
printf '%-36s %7s   (target <= 0.40: %s)  %s of %s bytes\n' "bytes on the wire / source" "$R_WIRE" "$(verdict "$R_WIRE" 0.40)" "$WIRE_BYTES" "$SRC_BYTES"
echo
echo "CPU s = CPU time of what the step ran; other s = CPU time of every other process on the machine meanwhile"
echo "(non-zero: something else competed for the $(nproc) cores; the wall times are then not this machine's best)"
echo
echo "fff result vs source: PSNR average ${PSNR:-?} dB, SSIM All ${SSIM:-?}"
echo "  $PSNR_LINE"
echo "  $SSIM_LINE"
echo "frames: source $SRC_FRAMES, fff result $OUT_FRAMES, sequential $SEQ_FRAMES ($([ "$SRC_FRAMES" = "$OUT_FRAMES" ] && echo equal || echo DIFFERENT))"
echo "audio (pcm_s24le sha256): $AUDIO (source ${SRC_PCM:0:16}..., result ${OUT_PCM:0:16}...)"
echo "fff result vs sequential result: $SAME_AS_SEQ"
echo "fff timeline: $TIMELINE"
echo "receiver: $STORED"
echo "sender:   $DONE"
STEP=finished
