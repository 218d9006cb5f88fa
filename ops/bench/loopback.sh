#!/usr/bin/env bash
# loopback.sh - BENCHMARK (not a test): throughput of one large file over 127.0.0.1,
# measured in the same run for
#   nc        raw TCP (netcat-openbsd), receiver writes to a file       -> the ceiling
#   scp       OpenSSH scp to a throwaway sshd on a loopback port (default ciphers)
#   fff-plain fff send/receive --plain
#   fff-tls   fff send/receive (TLS 1.3, mutual auth; the default)
# and prints the median of REPEAT runs, MB/s (1 MB = 10^6 bytes) and the ratios
#   fff-plain / nc   (target >= 0.90)      fff-tls / scp   (target >= 1.5)
#
#   ops/bench/loopback.sh                          # 2 GiB file, 3 runs each
#   SIZE_MB=512 REPEAT=1 ops/bench/loopback.sh     # quick run
#   SKIP_FFF=1 ops/bench/loopback.sh               # nc and scp only
#
# Env (defaults):
#   SIZE_MB=2048        file size in MiB (2048 = 2 GiB), generated once from /dev/urandom
#   REPEAT=3            runs per method; the median wall-clock time is reported
#   SKIP_FFF=0          1: measure nc and scp only
#   WARMUP_MB=256       untimed transfer of another file to each fresh fff receiver first (0: none); the
#                       timed `fff send` is always a new process, as a user runs it
#   SKIP_SCP=0          1: no sshd/scp
#   FFF=<repo>/fff      the fff launcher
#   BENCH_TMP=${TMPDIR:-/tmp}  parent of the temp dir (source file and received files both live here)
#   READY_TIMEOUT=120   seconds to wait for a receiver to be ready (fff's first start may build the jar)
#   KEEP=0              1: keep the temp dir (logs) on exit
#
# Timing: `date +%s.%N` around the transfer only. Receivers are started (and ready:
# listening socket / "listening" line / ssh login works) before the clock starts.
#   nc:  until the sending nc has sent everything AND the receiving nc has exited (all bytes written)
#   scp: until scp exits            fff: until `fff send` exits (0 = every file verified)
# Every received file is checked with cmp. Exit status: 0 when every transfer completed and
# verified (whether or not the ratio targets are met), non-zero otherwise.
# Only 127.0.0.1 is used.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh" # log, die, process groups, cleanup, ports, now/sub/median/mbps
ROOT=$(cd "$HERE/../.." && pwd)
SIZE_MB=${SIZE_MB:-2048}
REPEAT=${REPEAT:-3}
SKIP_FFF=${SKIP_FFF:-0}
WARMUP_MB=${WARMUP_MB:-256}
SKIP_SCP=${SKIP_SCP:-0}
FFF=${FFF:-$ROOT/fff}
BENCH_TMP=${BENCH_TMP:-${TMPDIR:-/tmp}}
READY_TIMEOUT=${READY_TIMEOUT:-120}
KEEP=${KEEP:-0}
HOST=127.0.0.1
unset FFF_HOME   # every fff call below names its --home explicitly

LOG_TAG=bench # log lines: [bench HH:MM:SS] ...

case "$SIZE_MB" in '' | *[!0-9]*) die "SIZE_MB must be a positive integer (MiB), got '$SIZE_MB'" ;; esac
case "$REPEAT" in '' | *[!0-9]*) die "REPEAT must be a positive integer, got '$REPEAT'" ;; esac
[ "$SIZE_MB" -gt 0 ] || die "SIZE_MB must be > 0"
[ "$REPEAT" -gt 0 ] || die "REPEAT must be > 0"
SIZE_BYTES=$((SIZE_MB * 1024 * 1024))

# ---------------------------------------------------------------- tools, up front
missing_pkgs=()
missing_tools=()
need() { # need TOOL PACKAGE
  if ! command -v "$1" >/dev/null 2>&1; then
    missing_tools+=("$1")
    case " ${missing_pkgs[*]-} " in *" $2 "*) ;; *) missing_pkgs+=("$2") ;; esac
  fi
}
need nc netcat-openbsd
need dd coreutils
need cmp diffutils
need awk gawk
need ss iproute2
need setsid util-linux
SSHD=""
if [ "$SKIP_SCP" != 1 ]; then
  need scp openssh-client
  need ssh openssh-client
  need ssh-keygen openssh-client
  SSHD=$(command -v sshd 2>/dev/null || true)
  [ -n "$SSHD" ] || { [ -x /usr/sbin/sshd ] && SSHD=/usr/sbin/sshd; } || true
  if [ -z "$SSHD" ]; then
    missing_tools+=(sshd)
    missing_pkgs+=(openssh-server)
  fi
fi
if [ ${#missing_tools[@]} -gt 0 ]; then
  die "missing tools: ${missing_tools[*]}
  install them with:  sudo apt-get install ${missing_pkgs[*]}"
fi
# the traditional netcat has no -N and behaves differently
if ! nc -h 2>&1 | grep -qi openbsd; then
  die "nc is not the OpenBSD netcat; install it with:  sudo apt-get install netcat-openbsd
  (and select it: sudo update-alternatives --config nc)"
fi
if [ "$SKIP_FFF" != 1 ]; then
  if [ ! -x "$FFF" ]; then
    die "fff CLI not found or not executable: $FFF
  (the fff launcher is not there yet?) Set FFF=/path/to/fff, or SKIP_FFF=1 to measure nc and scp only."
  fi
fi

# ---------------------------------------------------------------- temp dir, cleanup
mkdir -p "$BENCH_TMP"
WORK=$(mktemp -d "$BENCH_TMP/fff-bench.XXXXXX")
set_traps

verify() { # verify RECEIVED LABEL
  [ -f "$1" ] || die "$2: received file missing: $1"
  cmp -s "$SRC" "$1" || die "$2: received file differs from the source ($1)"
}
fresh_out() { # fresh_out DIR : empty output dir, earlier writes flushed (outside the timing)
  rm -rf -- "$1"
  mkdir -p "$1"
  sync
}

# ---------------------------------------------------------------- source file
need_kb=$((SIZE_BYTES * 2 / 1024 + 262144))
avail_kb=$(df -Pk "$WORK" | awk 'NR==2{print $4}')
[ "$avail_kb" -ge "$need_kb" ] || die "not enough space in $WORK: need ~$((need_kb / 1024)) MiB (source + one received copy), have $((avail_kb / 1024)) MiB"

SRC=$WORK/src/payload.bin
mkdir -p "$WORK/src"
log "generating $SIZE_MB MiB ($SIZE_BYTES bytes) from /dev/urandom in $WORK"
dd if=/dev/urandom of="$SRC" bs=1M count="$SIZE_MB" iflag=fullblock status=none
sync
cat "$SRC" >/dev/null   # read once: in page cache for every method
[ "$(stat -c %s "$SRC")" = "$SIZE_BYTES" ] || die "source file has the wrong size"

declare -A TIMES=()
record() { TIMES[$1]="${TIMES[$1]-} $2"; log "$1 run $3/$REPEAT: $2 s ($(mbps "$2") MB/s)"; }

# ---------------------------------------------------------------- (a) nc
bench_nc() {
  local r port out t0 t1 rpid
  out=$WORK/out-nc
  for r in $(seq 1 "$REPEAT"); do
    fresh_out "$out"
    port=$(free_port 40000)
    # shellcheck disable=SC2016  # $1..$3 are expanded by the inner sh
    start_bg "$WORK/nc-recv.log" sh -c 'exec nc -d -l "$1" "$2" >"$3"' nc-recv "$HOST" "$port" "$out/payload.bin"
    rpid=$BG_PID
    wait_listen "$port" "$rpid" || die "nc receiver did not start listening on $HOST:$port: $(cat "$WORK/nc-recv.log")"
    t0=$(now)
    nc -N "$HOST" "$port" <"$SRC" || die "nc sender failed"
    wait "$rpid" || die "nc receiver failed: $(cat "$WORK/nc-recv.log")"
    t1=$(now)
    forget_group "$rpid"
    verify "$out/payload.bin" nc
    record nc "$(sub "$t0" "$t1")" "$r"
  done
  rm -rf -- "$out"
}

# ---------------------------------------------------------------- (b) scp
SSH_PORT=""
SSH_OPTS=()
start_sshd() {
  local d=$WORK/sshd user
  user=$(id -un)
  mkdir -p "$d"
  chmod 700 "$d"
  ssh-keygen -q -t ed25519 -N '' -C fff-bench-host -f "$d/host_ed25519" >/dev/null
  ssh-keygen -q -t ed25519 -N '' -C fff-bench-client -f "$d/client_ed25519" >/dev/null
  cp "$d/client_ed25519.pub" "$d/authorized_keys"
  chmod 600 "$d/authorized_keys"
  SSH_PORT=$(free_port 40000)
  cat >"$d/sshd_config" <<EOF
Port $SSH_PORT
ListenAddress $HOST
HostKey $d/host_ed25519
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
X11Forwarding no
PrintMotd no
Subsystem sftp internal-sftp
LogLevel ERROR
EOF
  # privilege separation dir: normally created by the ssh service; sshd refuses to start as root without it
  if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
    mkdir -p /run/sshd
    chmod 755 /run/sshd
  fi
  "$SSHD" -t -f "$d/sshd_config" || die "sshd rejected the generated config $d/sshd_config"
  start_bg "$WORK/sshd.log" "$SSHD" -D -e -f "$d/sshd_config"
  SSH_OPTS=(-P "$SSH_PORT" -i "$d/client_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
    -o BatchMode=yes -o IdentitiesOnly=yes -o LogLevel=ERROR)
  wait_listen "$SSH_PORT" "$BG_PID" || die "sshd did not start: $(cat "$WORK/sshd.log")"
  # ready = a login works (the account may be locked, or the user's shell may print junk)
  ssh -p "$SSH_PORT" "${SSH_OPTS[@]:2}" "$user@$HOST" true </dev/null ||
    die "ssh login to the throwaway sshd on $HOST:$SSH_PORT failed (locked account?): $(cat "$WORK/sshd.log")"
  SSH_USER=$user
}
bench_scp() {
  local r out t0 t1
  out=$WORK/out-scp
  for r in $(seq 1 "$REPEAT"); do
    fresh_out "$out"
    t0=$(now)
    scp -q "${SSH_OPTS[@]}" "$SRC" "$SSH_USER@$HOST:$out/payload.bin" </dev/null || die "scp failed"
    t1=$(now)
    verify "$out/payload.bin" scp
    record scp "$(sub "$t0" "$t1")" "$r"
  done
  rm -rf -- "$out"
}

# ---------------------------------------------------------------- (c, d) fff
FFF_SEND_HOME=$WORK/fff-home-send
FFF_RECV_HOME=$WORK/fff-home-recv
fff_init() {
  log "fff: creating identities (may build node/target/fff.jar first)"
  "$FFF" init --home "$FFF_SEND_HOME" >"$WORK/fff-init-send.log" 2>&1 ||
    die "fff init failed (is the fff CLI implemented yet?): $(tail -n 20 "$WORK/fff-init-send.log")"
  "$FFF" init --home "$FFF_RECV_HOME" >"$WORK/fff-init-recv.log" 2>&1 ||
    die "fff init failed: $(tail -n 20 "$WORK/fff-init-recv.log")"
}
bench_fff() { # bench_fff LABEL [--plain]
  local label=$1 r port out t0 t1 rpid rlog slog t
  shift
  out=$WORK/out-$label
  rlog=$WORK/$label-recv.log
  slog=$WORK/$label-send.log
  for r in $(seq 1 "$REPEAT"); do
    fresh_out "$out"
    port=$(free_port 40000)
    # a fresh receiver and an empty folder per run: nothing from the previous run can shorten this one
    start_bg "$rlog" "$FFF" receive --home "$FFF_RECV_HOME" --listen "$HOST:$port" --dir "$out" --allow-any "$@"
    rpid=$BG_PID
    t=0
    until grep -qi listening "$rlog" 2>/dev/null; do
      kill -0 "$rpid" 2>/dev/null || die "$label: fff receive exited before listening: $(tail -n 20 "$rlog")"
      sleep 0.05
      t=$((t + 1))
      [ "$t" -lt $((READY_TIMEOUT * 20)) ] || die "$label: fff receive not listening after ${READY_TIMEOUT}s: $(tail -n 20 "$rlog")"
    done
    if [ "$WARMUP_MB" -gt 0 ]; then
      # a site's receiver is a long-running JVM: warm it with one untimed transfer of another file first
      [ -f "$WORK/warmup.bin" ] || head -c "$((WARMUP_MB * 1048576))" /dev/urandom >"$WORK/warmup.bin"
      "$FFF" send --home "$FFF_SEND_HOME" --to "$HOST:$port" "$@" "$WORK/warmup.bin" >"$slog" 2>&1 </dev/null ||
        die "$label: warm-up send failed: $(tail -n 20 "$slog")"
    fi
    t0=$(now)
    "$FFF" send --home "$FFF_SEND_HOME" --to "$HOST:$port" "$@" "$SRC" >"$slog" 2>&1 </dev/null ||
      die "$label: fff send failed: $(tail -n 20 "$slog")"
    t1=$(now)
    stop_group "$rpid"
    forget_group "$rpid"
    verify "$out/payload.bin" "$label"
    record "$label" "$(sub "$t0" "$t1")" "$r"
    log "$label send said: $(tr '\n' ' ' <"$slog")"
  done
  rm -rf -- "$out"
}

# ---------------------------------------------------------------- run
METHODS=(nc)
bench_nc
if [ "$SKIP_SCP" != 1 ]; then
  start_sshd
  METHODS+=(scp)
  bench_scp
fi
if [ "$SKIP_FFF" != 1 ]; then
  fff_init
  METHODS+=(fff-plain fff-tls)
  bench_fff fff-plain --plain
  bench_fff fff-tls
fi

# ---------------------------------------------------------------- report
declare -A RATE=()
cpu=$(awk -F': *' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo
echo "## loopback benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo
echo "host: $(uname -srm), ${cpu:-unknown cpu}, $(nproc) cpus; repo $rev"
echo "file: $SIZE_MB MiB = $SIZE_BYTES bytes (urandom, in page cache), received into $BENCH_TMP; median of $REPEAT; MB = 10^6 bytes"
[ "$SKIP_SCP" = 1 ] || echo "scp: $(ssh -V 2>&1), default ciphers"
echo
printf '| %-9s | %8s | %8s | %s |\n' method "median s" "MB/s" "runs (s)"
printf '%s\n' '|-----------|---------:|---------:|----------|'
for m in "${METHODS[@]}"; do
  read -r -a runs <<<"${TIMES[$m]}"
  med=$(median "${runs[@]}")
  RATE[$m]=$(mbps "$med")
  printf '| %-9s | %8s | %8s | %s |\n' "$m" "$med" "${RATE[$m]}" "${runs[*]}"
done
echo
ratio() { # ratio NAME A B TARGET
  if [ -n "${RATE[$2]-}" ] && [ -n "${RATE[$3]-}" ]; then
    awk -v n="$1" -v a="${RATE[$2]}" -v b="${RATE[$3]}" -v t="$4" 'BEGIN{
      r = a / b; printf "%-15s %6.2f   (target >= %s: %s)\n", n, r, t, (r >= t ? "met" : "MISSED") }'
  else
    printf '%-15s %6s   (target >= %s: not measured)\n' "$1" "-" "$4"
  fi
}
ratio "fff-plain/nc" fff-plain nc 0.90
ratio "fff-TLS/scp" fff-tls scp 1.5
