#!/usr/bin/env bash
# ftp-local.sh - BENCHMARK (not a test) for issue #6: fff's FTP and local destination movers against the
# plain tools, one large file, all measured in the same run on this machine, 127.0.0.1 only:
#
#   curl        curl -T FILE ftp://127.0.0.1:PORT/in/NAME to a vsftpd started here       (FTP reference)
#   fff-ftp     an `fff run` node with a watch rule to `ftp://127.0.0.1:PORT/in`: upload to
#               .NAME.fff-part, hash while sending, SIZE check, server hash if offered (vsftpd: none), rename
#   curl-tls    curl --ssl-reqd -k -T ... to a second vsftpd with explicit FTPS               (SKIP_FTPS=1: none)
#   fff-ftps    the same node, a rule to `ftps://...` (certificate checked against a generated ca-file)
#   cp+sync     cp FILE DEST && sync DEST (fsync of that file)                              (local reference)
#   fff-local   the same node, a rule to a `local:` folder: copy to .NAME.fff-partial, hash, fsync, read back
#               and hash again, rename
#
# fff is timed from the `mv` (same file system: a rename) of the file into the node's watched folder until
# the node prints its `job N done ... NAME` line (the log is polled every 20 ms). The node is started, has
# printed its `watching` lines and has delivered one untimed WARMUP_MB file through each rule before any clock
# starts. Rules have `stable-for: 0s`, but the watcher still needs one inotify event and a stat before it
# queues a job; the mv-to-`queued` time is reported separately. References are timed around the command.
# The runs are interleaved (curl, fff-ftp, curl-tls, fff-ftps, cp+sync, fff-local; then again REPEAT
# times) so that a change in the machine's load hits every method alike. Every delivered file is compared
# with the source (cmp); outputs are removed and `sync`ed before each run, outside the timing. The source is
# read once first, so every method reads it from the page cache.
#
#   ops/bench/ftp-local.sh                              # 1 GiB, 3 runs each (must run as root: vsftpd)
#   SIZE_MB=256 REPEAT=1 ops/bench/ftp-local.sh         # quick look
#   SKIP_FTPS=1 KEEP=1 ops/bench/ftp-local.sh           # plain FTP and local only, keep the logs
#
# Env (defaults):
#   SIZE_MB=1024        file size in MiB, generated once from /dev/urandom
#   REPEAT=3            runs per method; the median wall-clock time is reported
#   SKIP_FTPS=0         1: no FTPS server, curl-tls and fff-ftps left out
#   WARMUP_MB=64        untimed file sent through each rule of the freshly started node first (0: none)
#   JAR=<repo>/node/target/fff.jar   copied into the temp dir first (a rebuild during the run changes nothing)
#   BENCH_TMP=${TMPDIR:-/tmp}        parent of the temp dir (source, watched folders, FTP roots, local
#                       destinations: one file system, needs ~3 x SIZE_MB free)
#   READY_TIMEOUT=60    seconds to wait for vsftpd / the node to be ready
#   DONE_TIMEOUT=600    seconds to wait for one transfer
#   LIMIT=3600          seconds for the whole run; then everything started here is stopped
#   KEEP=0              1: keep the temp dir (node log, vsftpd logs and configs)
#
# Needs root (vsftpd runs as root and drops to the `ftp` user), /usr/sbin/vsftpd, an `ftp` user, curl,
# openssl (FTPS certificate), java 17+, ss, setsid, cmp, awk. Nothing outside the temp dir is touched; every
# process started here runs in its own process group and is stopped on exit, Ctrl-C or LIMIT. The exit
# status is non-zero only when a transfer fails or a delivered file differs from the source.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh" # log, die, process groups, cleanup, watchdog, ports, now/sub/median/mbps, child_cpu
ROOT=$(cd "$HERE/../.." && pwd)
SIZE_MB=${SIZE_MB:-1024}
REPEAT=${REPEAT:-3}
SKIP_FTPS=${SKIP_FTPS:-0}
WARMUP_MB=${WARMUP_MB:-64}
JAR=${JAR:-$ROOT/node/target/fff.jar}
BENCH_TMP=${BENCH_TMP:-${TMPDIR:-/tmp}}
READY_TIMEOUT=${READY_TIMEOUT:-60}
DONE_TIMEOUT=${DONE_TIMEOUT:-600}
LIMIT=${LIMIT:-3600}
KEEP=${KEEP:-0}
VSFTPD=/usr/sbin/vsftpd
HOST=127.0.0.1
unset FFF_HOME

for v in SIZE_MB REPEAT WARMUP_MB READY_TIMEOUT DONE_TIMEOUT LIMIT; do
  case ${!v} in '' | *[!0-9]*) die "$v must be a whole number, got '${!v}'" ;; esac
done
[ "$SIZE_MB" -gt 0 ] || die "SIZE_MB must be > 0"
[ "$REPEAT" -gt 0 ] || die "REPEAT must be > 0"
SIZE_BYTES=$((SIZE_MB * 1024 * 1024))

[ "$(id -u)" = 0 ] || die "run as root: vsftpd must start as root (it chroots and drops to the ftp user)"
[ -x "$VSFTPD" ] || die "$VSFTPD missing; install it with:  sudo apt-get install vsftpd
  (then stop the system service it enables: systemctl disable --now vsftpd)"
getent passwd ftp >/dev/null || die "no 'ftp' user (Debian's vsftpd package creates it)"
for tool in curl java ss setsid cmp awk; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found on PATH"
done
[ "$SKIP_FTPS" = 1 ] || command -v openssl >/dev/null 2>&1 || die "openssl not found (needed for FTPS; or SKIP_FTPS=1)"
[ -f "$JAR" ] || die "fff jar not found: $JAR (build it: ./mvnw -B -o -q -pl node -am package -DskipTests)"

# ---------------------------------------------------------------- temp dir, processes, cleanup
mkdir -p "$BENCH_TMP"
WORK=$(mktemp -d "$BENCH_TMP/fff-ftp-local.XXXXXX")
chmod 755 "$WORK" # vsftpd's anonymous root lies below it
on_stop() { printf '%s: stopped (LIMIT=%s s reached, or SIGTERM)\n' "$prog" "$LIMIT" >&2; }
set_traps
start_watchdog "$LIMIT"

# CPU seconds of a running process itself (the node JVM)
proc_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"; }
verify() { # verify DELIVERED LABEL
  [ -f "$1" ] || die "$2: delivered file missing: $1"
  cmp -s "$SRC" "$1" || die "$2: delivered file differs from the source ($1)"
}

# ---------------------------------------------------------------- source file
need_kb=$((SIZE_BYTES * 3 / 1024 + 262144))
avail_kb=$(df -Pk "$WORK" | awk 'NR==2{print $4}')
[ "$avail_kb" -ge "$need_kb" ] || die "not enough space in $WORK: need ~$((need_kb / 1024)) MiB, have $((avail_kb / 1024)) MiB"
cp -- "$JAR" "$WORK/fff.jar"
SRC=$WORK/src/payload.bin
mkdir -p "$WORK/src"
log "generating $SIZE_MB MiB ($SIZE_BYTES bytes) from /dev/urandom in $WORK"
dd if=/dev/urandom of="$SRC" bs=1M count="$SIZE_MB" iflag=fullblock status=none
sync
cat "$SRC" >/dev/null # in the page cache for every method
[ "$(stat -c %s "$SRC")" = "$SIZE_BYTES" ] || die "source file has the wrong size"

# ---------------------------------------------------------------- vsftpd (as Vsftpd.java in the tests)
# start_vsftpd NAME TLS(0|1) : anonymous, root-owned non-writable root, ftp-owned /in; sets FTP_PORT
declare -A FTP_PORT=() FTP_IN=()
start_vsftpd() {
  local name=$1 tls=$2 d=$WORK/vsftpd-$1 port pasv
  mkdir -p "$d/root/in" "$d/empty"
  chmod 755 "$d" "$d/root/in"
  chmod 555 "$d/root" "$d/empty"
  chown ftp "$d/root/in"
  port=$(free_port 12000) # below the ephemeral range, with 200 free-looking ports after it for PASV
  pasv=$((port + 1))
  cat >"$d/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=$HOST
background=NO
seccomp_sandbox=NO
anonymous_enable=YES
no_anon_password=YES
local_enable=NO
write_enable=YES
anon_upload_enable=YES
anon_mkdir_write_enable=YES
anon_other_write_enable=YES
anon_umask=022
pasv_enable=YES
pasv_address=$HOST
connect_from_port_20=NO
dirlist_enable=YES
use_localtime=NO
xferlog_enable=NO
idle_session_timeout=600
data_connection_timeout=120
listen_port=$port
anon_root=$d/root
secure_chroot_dir=$d/empty
pasv_min_port=$pasv
pasv_max_port=$((pasv + 199))
vsftpd_log_file=$d/xfer.log
EOF
  if [ "$tls" = 1 ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=fff bench vsftpd" \
      -addext "subjectAltName=IP:$HOST,DNS:localhost" -keyout "$d/key.pem" -out "$d/cert.pem" 2>"$d/openssl.log" ||
      die "openssl could not make the FTPS certificate: $(cat "$d/openssl.log")"
    chmod 600 "$d/key.pem"
    cat >>"$d/vsftpd.conf" <<EOF
ssl_enable=YES
allow_anon_ssl=YES
force_anon_logins_ssl=YES
force_anon_data_ssl=YES
force_local_logins_ssl=YES
force_local_data_ssl=YES
require_ssl_reuse=NO
ssl_ciphers=HIGH
rsa_cert_file=$d/cert.pem
rsa_private_key_file=$d/key.pem
EOF
  else
    echo "ssl_enable=NO" >>"$d/vsftpd.conf"
  fi
  start_bg "$d/vsftpd.log" "$VSFTPD" "$d/vsftpd.conf"
  wait_listen "$port" "$BG_PID" || die "vsftpd ($name) did not listen on $HOST:$port: $(cat "$d/vsftpd.log")"
  FTP_PORT[$name]=$port
  FTP_IN[$name]=$d/root/in
  # ready = an anonymous login and a listing of /in work
  local tlsopt=()
  [ "$tls" = 1 ] && tlsopt=(--ssl-reqd -k)
  curl -sS --max-time "$READY_TIMEOUT" "${tlsopt[@]}" -v --list-only "ftp://$HOST:$port/in/" >/dev/null 2>"$d/ready.log" ||
    die "vsftpd ($name) on $HOST:$port: login or listing failed: $(tail -n 20 "$d/ready.log") $(cat "$d/vsftpd.log")"
  if [ "$tls" = 1 ]; then
    TLS_SESSION=$(sed -n 's/^\* SSL connection using //p' "$d/ready.log" | head -n 1)
  fi
}
TLS_SESSION=
start_vsftpd plain 0
[ "$SKIP_FTPS" = 1 ] || start_vsftpd tls 1

# ---------------------------------------------------------------- the node
N=$WORK/node
mkdir -p "$N/home" "$N/w-ftp" "$N/w-ftps" "$N/w-local" "$N/usb" "$N/stage" "$WORK/out-cp"
{
  echo "node: {home: home}"
  echo "web: {listen: \"$HOST:0\"}"
  echo "jobs: {attempts: 1}"
  echo "destinations:"
  echo "  archive: {ftp: \"ftp://$HOST:${FTP_PORT[plain]}/in\"}"
  [ "$SKIP_FTPS" = 1 ] || echo "  secure: {ftp: \"ftps://$HOST:${FTP_PORT[tls]}/in\", ca-file: \"$WORK/vsftpd-tls/cert.pem\"}"
  echo "  usb: {local: \"$N/usb\"}"
  echo "watch:"
  echo "  - {path: w-ftp, to: \"archive:\", stable-for: 0s}"
  [ "$SKIP_FTPS" = 1 ] || echo "  - {path: w-ftps, to: \"secure:\", stable-for: 0s}"
  echo "  - {path: w-local, to: \"usb:\", stable-for: 0s}"
} >"$N/node.yaml"
RULES=$([ "$SKIP_FTPS" = 1 ] && echo 2 || echo 3)
NODE_LOG=$N/node.log
start_bg "$NODE_LOG" java -jar "$WORK/fff.jar" run --config "$N/node.yaml"
NODE_PID=$BG_PID
t=0
until [ "$(grep -c '^watching ' "$NODE_LOG" 2>/dev/null || true)" = "$RULES" ]; do
  kill -0 "$NODE_PID" 2>/dev/null || die "the node exited: $(tail -n 30 "$NODE_LOG")"
  sleep 0.05
  t=$((t + 1))
  [ "$t" -lt $((READY_TIMEOUT * 20)) ] || die "the node printed no '$RULES x watching' within ${READY_TIMEOUT}s: $(tail -n 30 "$NODE_LOG")"
done
# the JVM is the node itself (java was exec'd by setsid)
[ -r "/proc/$NODE_PID/stat" ] || die "cannot read /proc/$NODE_PID/stat"

# deliver NAME WATCHDIR LABEL : mv $SRC into WATCHDIR as NAME, wait for its done line; sets T0 T1 T_QUEUED
# (T_QUEUED: when the `queued` line was first seen; 20 ms resolution). The source goes back to $SRC after.
deliver() {
  local name=$1 dir=$2 label=$3 esc i=0
  esc=${name//./\\.}
  T_QUEUED=
  T0=$(now)
  mv -- "$SRC" "$dir/$name"
  until grep -Eq "^job [0-9]+ done [^ ]+ $esc " "$NODE_LOG"; do
    [ -n "$T_QUEUED" ] || { grep -Eq "^job [0-9]+ queued [^ ]+ .*/$esc -> " "$NODE_LOG" && T_QUEUED=$(now); } || true
    if grep -Eq "^job [0-9]+ (failed|retry) [^ ]+ $esc " "$NODE_LOG"; then
      mv -- "$dir/$name" "$SRC"
      die "$label: the job did not go through: $(grep -E "^job [0-9]+ [a-z]+ [^ ]+ $esc " "$NODE_LOG") --- node log: $(tail -n 25 "$NODE_LOG")"
    fi
    kill -0 "$NODE_PID" 2>/dev/null || die "$label: the node exited: $(tail -n 25 "$NODE_LOG")"
    sleep 0.02
    i=$((i + 1))
    [ "$i" -lt $((DONE_TIMEOUT * 50)) ] || die "$label: no done line for $name within ${DONE_TIMEOUT}s: $(tail -n 25 "$NODE_LOG")"
  done
  T1=$(now)
  [ -n "$T_QUEUED" ] || T_QUEUED=$T1
  mv -- "$dir/$name" "$SRC"
  grep -Eq "^job [0-9]+ done [^ ]+ $esc .*\(delivered\)$" "$NODE_LOG" ||
    die "$label: not a delivery: $(grep -E "^job [0-9]+ done [^ ]+ $esc " "$NODE_LOG")"
}

# ---------------------------------------------------------------- warm-up (untimed)
if [ "$WARMUP_MB" -gt 0 ]; then
  log "warm-up: one ${WARMUP_MB} MiB file through each rule of the node"
  mv -- "$SRC" "$WORK/src/payload.keep"
  head -c "$((WARMUP_MB * 1048576))" /dev/urandom >"$SRC"
  deliver warmup-ftp.bin "$N/w-ftp" warm-up
  [ "$SKIP_FTPS" = 1 ] || deliver warmup-ftps.bin "$N/w-ftps" warm-up
  deliver warmup-local.bin "$N/w-local" warm-up
  rm -f -- "$SRC" "${FTP_IN[plain]}/warmup-ftp.bin" "$N/usb/warmup-local.bin"
  [ "$SKIP_FTPS" = 1 ] || rm -f -- "${FTP_IN[tls]}/warmup-ftps.bin"
  mv -- "$WORK/src/payload.keep" "$SRC"
fi
cat "$SRC" >/dev/null

# ---------------------------------------------------------------- runs
declare -A TIMES=() CPUS=() QUEUED=() JOBTIME=()
record() { # record METHOD SECONDS CPU RUN
  TIMES[$1]="${TIMES[$1]-} $2"
  CPUS[$1]="${CPUS[$1]-} $3"
  log "$1 run $4/$REPEAT: $2 s ($(mbps "$2") MB/s), CPU $3 s"
}
clean_out() { # clean_out FILE : earlier output gone and flushed, outside the timing
  rm -f -- "$1"
  sync
}
ref_run() { # ref_run METHOD RUN OUTFILE CMD... (CMD ends with the file written and, for cp, synced)
  local m=$1 r=$2 out=$3 t0 t1 c0 c1
  shift 3
  clean_out "$out"
  c0=$(child_cpu)
  t0=$(now)
  "$@" || die "$m failed"
  t1=$(now)
  c1=$(child_cpu)
  verify "$out" "$m"
  record "$m" "$(sub "$t0" "$t1")" "$(sub "$c0" "$c1")" "$r"
  rm -f -- "$out"
}
fff_run() { # fff_run METHOD RUN WATCHDIR DELIVERED_DIR
  local m=$1 r=$2 dir=$3 outdir=$4 name j0 j1
  name=$m-$r.bin
  clean_out "$outdir/$name"
  j0=$(proc_cpu "$NODE_PID")
  deliver "$name" "$dir" "$m"
  j1=$(proc_cpu "$NODE_PID")
  verify "$outdir/$name" "$m"
  QUEUED[$m]="${QUEUED[$m]-} $(sub "$T0" "$T_QUEUED")"
  JOBTIME[$m]="${JOBTIME[$m]-} $(sed -En "s/^job [0-9]+ done [^ ]+ ${name//./\\.} .* in ([0-9.]+) s \(delivered\)$/\1/p" "$NODE_LOG")"
  record "$m" "$(sub "$T0" "$T1")" "$(sub "$j0" "$j1")" "$r"
  log "$m: $(grep -E "^job [0-9]+ done [^ ]+ ${name//./\\.} " "$NODE_LOG")"
  rm -f -- "$outdir/$name"
}
cp_sync() { cp -- "$SRC" "$1" && sync -- "$1"; }

METHODS=(curl fff-ftp)
[ "$SKIP_FTPS" = 1 ] || METHODS+=(curl-tls fff-ftps)
METHODS+=(cp+sync fff-local)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq 1 "$REPEAT"); do
  ref_run curl "$r" "${FTP_IN[plain]}/curl-$r.bin" \
    curl -sS --fail --max-time "$DONE_TIMEOUT" -T "$SRC" "ftp://$HOST:${FTP_PORT[plain]}/in/curl-$r.bin"
  fff_run fff-ftp "$r" "$N/w-ftp" "${FTP_IN[plain]}"
  if [ "$SKIP_FTPS" != 1 ]; then
    ref_run curl-tls "$r" "${FTP_IN[tls]}/curl-tls-$r.bin" \
      curl -sS --fail --ssl-reqd -k --max-time "$DONE_TIMEOUT" -T "$SRC" "ftp://$HOST:${FTP_PORT[tls]}/in/curl-tls-$r.bin"
    fff_run fff-ftps "$r" "$N/w-ftps" "${FTP_IN[tls]}"
  fi
  ref_run cp+sync "$r" "$WORK/out-cp/cp-$r.bin" cp_sync "$WORK/out-cp/cp-$r.bin"
  fff_run fff-local "$r" "$N/w-local" "$N/usb"
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report
declare -A RATE=()
cpu=$(awk -F': *' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo
echo "## FTP and local destinations benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo
echo "host: $(uname -srm), ${cpu:-unknown cpu}, $(nproc) cpus, $(awk '/^MemTotal/{printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo); repo $rev"
echo "file: $SIZE_MB MiB = $SIZE_BYTES bytes (urandom, in page cache), all on $(df -P "$WORK" | awk 'NR==2{print $1}') ($BENCH_TMP); median of $REPEAT; MB = 10^6 bytes"
echo "tools: $(curl --version | head -n 1 | cut -d' ' -f1-2), vsftpd $(dpkg-query -W -f '${Version}' vsftpd 2>/dev/null || echo '?'), $(java -version 2>&1 | head -n 1)${TLS_SESSION:+; FTPS: $TLS_SESSION}"
echo "load average: $LOAD_START at the start, $LOAD_END at the end"
echo
printf '| %-9s | %8s | %8s | %-31s | %s |\n' method "median s" "MB/s" "runs (s)" "CPU s (median)"
printf '%s\n' '|-----------|---------:|---------:|---------------------------------|---------------:|'
for m in "${METHODS[@]}"; do
  read -r -a runs <<<"${TIMES[$m]}"
  read -r -a cpus <<<"${CPUS[$m]}"
  med=$(median "${runs[@]}")
  RATE[$m]=$(mbps "$med")
  printf '| %-9s | %8s | %8s | %-31s | %14s |\n' "$m" "$med" "${RATE[$m]}" "${runs[*]}" "$(median "${cpus[@]}")"
done
echo
echo "CPU s: curl / cp+sync: the command's own; fff: the node JVM's during the run (vsftpd not counted)."
for m in fff-ftp fff-ftps fff-local; do
  [ -n "${QUEUED[$m]-}" ] || continue
  read -r -a q <<<"${QUEUED[$m]}"
  echo "$m: mv -> 'queued' line seen after ${q[*]} s; job started -> done (the node's own figure):${JOBTIME[$m]} s"
done
echo
ratio() { # ratio NAME A B
  awk -v n="$1" -v a="${RATE[$2]}" -v b="${RATE[$3]}" 'BEGIN{ printf "%-18s %6.2f\n", n, a / b }'
}
ratio "fff-ftp/curl" fff-ftp curl
[ "$SKIP_FTPS" = 1 ] || ratio "fff-ftps/curl-tls" fff-ftps curl-tls
ratio "fff-local/cp+sync" fff-local cp+sync
