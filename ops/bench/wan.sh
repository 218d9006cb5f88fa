#!/usr/bin/env bash
# wan.sh - BENCHMARK (not a test; not run by CI) for issue #7: throughput over an emulated WAN link
# (ops/wan: namespaces NS_A 10.77.0.1 and NS_B 10.77.0.2, delay and loss by nfq-delay, rate by tc tbf),
# every method measured in the same run, sender in NS_A, receiver in NS_B:
#
#   iperf3-cubic  iperf3 -C cubic, 1 stream, IPERF_S seconds (the kernel's cubic, receiver's figure)
#   iperf3-bbr    iperf3 -C bbr, 1 stream                      (what one BBR socket can do on this link)
#   scp           OpenSSH scp to a throwaway sshd in NS_B (own host key, own authorized key; default ciphers)
#   rsync         rsync -a over the same ssh
#   fff-plain     `fff send --plain` to an `fff run` node in NS_B with node.listen 10.77.0.2:7700, plain: true
#   fff-tls       `fff send` to a second node on 10.77.0.2:7701 (TLS 1.3, mutual auth: fff's default)
# fff with its default settings (`fff send` without flags); the table shows the congestion control its
# busiest socket really used (ss). FFF_SEND_ARGS is added to every timed `fff send` (e.g. a congestion or
# connections flag). One SIZE_MB file, then NFILES files of FILE_KB KiB (rsync, fff-plain, fff-tls: files/s).
#
#   ops/bench/wan.sh                                      # the reference run: 3 links, 1 GiB, 1 run each
#   SIZE_MB=256 REPEAT=1 LINKS=50:0.5 ops/bench/wan.sh    # quick look at one link
#   METHODS="iperf3-bbr fff-tls" SMALL_METHODS= ops/bench/wan.sh
#
# Env (defaults):
#   LINKS="50:0 50:0.5 150:1"  links to measure, RTT_MS:LOSS_PCT (loss per direction, per packet)
#   RATE_MBIT=1000      rate limit of every link, each way
#   SIZE_MB=1024        the large file, MiB, from /dev/urandom
#   REPEAT=1            runs per method and link; the median is reported
#   METHODS="iperf3-cubic iperf3-bbr scp rsync fff-plain fff-tls"   large-file methods
#   SMALL_METHODS="rsync fff-plain fff-tls"   small-files methods (empty: none)
#   NFILES=10000 FILE_KB=64                   the small files
#   CAP_S=60            a transfer still running after CAP_S seconds is stopped; its figure is then the bytes
#                       (or whole files) that had arrived / CAP_S, marked '*' (cubic on a lossy link moves
#                       a few Mbit/s: 1 GiB would take an hour)
#   IPERF_S=10          iperf3 duration
#   WARMUP_MB=64        one untimed file to each fff node before the link is impaired (0: none)
#   FFF_SEND_ARGS=      extra arguments for every timed `fff send` (none = the defaults)
#   JAR=<repo>/node/target/fff.jar   copied into the temp dir first
#   NS_A=ffa NS_B=ffb   namespace names; the run refuses to start when they exist (another WAN run?)
#   BENCH_TMP=${TMPDIR:-/tmp}   parent of the temp dir (sources and received files; BENCH_TMP=/dev/shm
#                       takes the disk out: fff fsyncs every file before it is visible, scp and rsync do not)
#   RESULTS=$BENCH_TMP/fff-wan-DATE.md        the report is written there too
#   READY_TIMEOUT=60    seconds for a server to be ready     LIMIT=7200  seconds for the whole run
#   KEEP=0              1: keep the temp dir (logs, node configs)
#
# Must run as root (namespaces, iptables, tc). Installs iperf3, openssh-server, openssh-client and rsync with
# apt-get when missing (ops/wan/netns-up.sh installs the kit's own). Timing: `date +%s.%N` around the
# sending command, servers ready before; every complete transfer is checked (cmp, diff -r). Each link is
# set with ops/wan/netns-set.sh under the running servers. On exit (also Ctrl-C, LIMIT) every process
# started here is stopped and both namespaces are removed. Only 10.77.0.1/.2 inside the namespaces are used.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh" # log, die, process groups, cleanup, watchdog, now/sub/median
ROOT=$(cd "$HERE/../.." && pwd)
WAN=$ROOT/ops/wan
LINKS=${LINKS:-50:0 50:0.5 150:1}
RATE_MBIT=${RATE_MBIT:-1000}
SIZE_MB=${SIZE_MB:-1024}
REPEAT=${REPEAT:-1}
METHODS=${METHODS-iperf3-cubic iperf3-bbr scp rsync fff-plain fff-tls}
SMALL_METHODS=${SMALL_METHODS-rsync fff-plain fff-tls}
NFILES=${NFILES:-10000}
FILE_KB=${FILE_KB:-64}
CAP_S=${CAP_S:-60}
IPERF_S=${IPERF_S:-10}
WARMUP_MB=${WARMUP_MB:-64}
FFF_SEND_ARGS=${FFF_SEND_ARGS:-}
JAR=${JAR:-$ROOT/node/target/fff.jar}
NS_A=${NS_A:-ffa}
NS_B=${NS_B:-ffb}
BENCH_TMP=${BENCH_TMP:-${TMPDIR:-/tmp}}
RESULTS=${RESULTS:-$BENCH_TMP/fff-wan-$(date +%Y%m%d-%H%M%S).md}
READY_TIMEOUT=${READY_TIMEOUT:-60}
LIMIT=${LIMIT:-7200}
KEEP=${KEEP:-0}
IP_A=10.77.0.1
IP_B=10.77.0.2
PORT_PLAIN=7700
PORT_TLS=7701
PORT_IPERF=5201
unset FFF_HOME
LOG_TAG=wan

for v in RATE_MBIT SIZE_MB REPEAT NFILES FILE_KB CAP_S IPERF_S WARMUP_MB READY_TIMEOUT LIMIT; do
  case ${!v} in '' | *[!0-9]*) die "$v must be a whole number, got '${!v}'" ;; esac
done
for v in SIZE_MB REPEAT NFILES FILE_KB CAP_S IPERF_S; do
  [ "${!v}" -gt 0 ] || die "$v must be > 0"
done
for l in $LINKS; do
  [[ $l =~ ^[0-9]+:[0-9]+(\.[0-9]+)?$ ]] || die "LINKS: '$l' is not RTT_MS:LOSS_PCT (e.g. 50:0.5)"
done
for m in $METHODS; do
  case $m in iperf3-cubic | iperf3-bbr | scp | rsync | fff-plain | fff-tls) ;; *) die "METHODS: unknown '$m'" ;; esac
done
for m in $SMALL_METHODS; do
  case $m in rsync | fff-plain | fff-tls) ;; *) die "SMALL_METHODS: unknown '$m' (rsync, fff-plain, fff-tls)" ;; esac
done
SIZE_BYTES=$((SIZE_MB * 1024 * 1024))

# ---------------------------------------------------------------- tools
[ "$(id -u)" = 0 ] || die "run as root: network namespaces, iptables and tc need it"
pkgs=()
command -v iperf3 >/dev/null 2>&1 || pkgs+=(iperf3)
[ -x /usr/sbin/sshd ] || pkgs+=(openssh-server)
{ command -v ssh >/dev/null 2>&1 && command -v scp >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1; } || pkgs+=(openssh-client)
command -v rsync >/dev/null 2>&1 || pkgs+=(rsync)
if [ ${#pkgs[@]} -gt 0 ]; then
  log "installing ${pkgs[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/dev/null ||
    die "apt-get install ${pkgs[*]} failed"
fi
for tool in java ip ss setsid cmp diff awk split; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found on PATH"
done
[ -f "$JAR" ] || die "fff jar not found: $JAR (build it: ./mvnw -B -o -q -pl node -am package -DskipTests)"
for ns in "$NS_A" "$NS_B"; do
  [ ! -e "/run/netns/$ns" ] || die "namespace $ns exists: another WAN run in progress? (a leftover goes with
  NS_A=$NS_A NS_B=$NS_B ops/wan/netns-down.sh; or pick other names with NS_A/NS_B)"
done
if ! grep -qw bbr /proc/sys/net/ipv4/tcp_available_congestion_control; then
  modprobe tcp_bbr 2>/dev/null || true
fi
HAVE_BBR=0
grep -qw bbr /proc/sys/net/ipv4/tcp_available_congestion_control && HAVE_BBR=1

# ---------------------------------------------------------------- temp dir, namespaces, cleanup
mkdir -p "$BENCH_TMP"
WORK=$(mktemp -d "$BENCH_TMP/fff-wan.XXXXXX")
export NS_A NS_B WAN_RUN=$WORK/wan-run
on_stop() { printf '%s: stopped (LIMIT=%s s reached, or SIGTERM)\n' "$prog" "$LIMIT" >&2; }
on_exit() { "$WAN/netns-down.sh" >/dev/null 2>&1 || log "netns-down.sh failed: remove $NS_A $NS_B by hand"; }
set_traps
start_watchdog "$LIMIT"

in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }
ns_listening() { [ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null)" ]; } # ns_listening NS PORT
ns_wait_listen() { # ns_wait_listen NS PORT PID LOG
  local t=0
  until ns_listening "$1" "$2"; do
    kill -0 "$3" 2>/dev/null || die "$1: the server for port $2 exited: $(tail -n 20 "$4")"
    sleep 0.05
    t=$((t + 1))
    [ "$t" -lt $((READY_TIMEOUT * 20)) ] || die "$1: nothing listens on port $2 after ${READY_TIMEOUT}s: $(tail -n 20 "$4")"
  done
}

log "link up: $NS_A($IP_A) <-> $NS_B($IP_B), $RATE_MBIT Mbit/s, no delay yet"
RTT_MS=0 LOSS_PCT=0 RATE_MBIT=$RATE_MBIT "$WAN/netns-up.sh" >"$WORK/netns-up.log" 2>&1 ||
  die "netns-up.sh failed: $(cat "$WORK/netns-up.log")"

# ---------------------------------------------------------------- sources
need_kb=$(((SIZE_BYTES + NFILES * FILE_KB * 1024) * 2 / 1024 + 262144))
avail_kb=$(df -Pk "$WORK" | awk 'NR==2{print $4}')
[ "$avail_kb" -ge "$need_kb" ] || die "not enough space in $WORK: need ~$((need_kb / 1024)) MiB, have $((avail_kb / 1024)) MiB"
cp -- "$JAR" "$WORK/fff.jar"
SRC=$WORK/src/payload.bin
SMALL=$WORK/src/small
mkdir -p "$WORK/src" "$SMALL"
log "generating $SIZE_MB MiB and $NFILES x $FILE_KB KiB from /dev/urandom in $WORK"
dd if=/dev/urandom of="$SRC" bs=1M count="$SIZE_MB" iflag=fullblock status=none
if [ -n "$SMALL_METHODS" ]; then
  head -c $((NFILES * FILE_KB * 1024)) /dev/urandom | split -b $((FILE_KB * 1024)) -a 6 -d - "$SMALL/f"
  [ "$(find "$SMALL" -type f | wc -l)" = "$NFILES" ] || die "small files: wrong count"
fi
sync
cat "$SRC" >/dev/null
find "$SMALL" -type f -exec cat {} + >/dev/null

# ---------------------------------------------------------------- servers in NS_B
start_bg "$WORK/iperf3.log" ip netns exec "$NS_B" iperf3 -s -B "$IP_B" -p "$PORT_IPERF"
ns_wait_listen "$NS_B" "$PORT_IPERF" "$BG_PID" "$WORK/iperf3.log"

SSHD_DIR=$WORK/sshd
mkdir -p "$SSHD_DIR"
chmod 700 "$SSHD_DIR"
ssh-keygen -q -t ed25519 -N '' -C fff-wan-host -f "$SSHD_DIR/host_ed25519" >/dev/null
ssh-keygen -q -t ed25519 -N '' -C fff-wan-client -f "$SSHD_DIR/client_ed25519" >/dev/null
cp "$SSHD_DIR/client_ed25519.pub" "$SSHD_DIR/authorized_keys"
chmod 600 "$SSHD_DIR/authorized_keys"
cat >"$SSHD_DIR/sshd_config" <<EOF
Port 22
ListenAddress $IP_B
HostKey $SSHD_DIR/host_ed25519
PidFile $SSHD_DIR/sshd.pid
AuthorizedKeysFile $SSHD_DIR/authorized_keys
AllowUsers root
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
X11Forwarding no
PrintMotd no
Subsystem sftp internal-sftp
LogLevel ERROR
EOF
[ -d /run/sshd ] || { mkdir -p /run/sshd && chmod 755 /run/sshd; } # privilege separation dir
/usr/sbin/sshd -t -f "$SSHD_DIR/sshd_config" || die "sshd rejected $SSHD_DIR/sshd_config"
start_bg "$WORK/sshd.log" ip netns exec "$NS_B" /usr/sbin/sshd -D -e -f "$SSHD_DIR/sshd_config"
ns_wait_listen "$NS_B" 22 "$BG_PID" "$WORK/sshd.log"
SSH_OPTS=(-F /dev/null -i "$SSHD_DIR/client_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
  -o BatchMode=yes -o IdentitiesOnly=yes -o LogLevel=ERROR)
RSYNC_SSH="ssh ${SSH_OPTS[*]}"
in_a ssh "${SSH_OPTS[@]}" "root@$IP_B" true </dev/null ||
  die "ssh login to the throwaway sshd in $NS_B failed: $(cat "$WORK/sshd.log")"

# fff_node NAME PORT PLAIN(true|false): an `fff run` node in NS_B receiving into $WORK/recv-NAME
declare -A FFF_PORT=() FFF_ROOT=()
fff_node() {
  local name=$1 port=$2 plain=$3 d=$WORK/node-$1 t=0
  mkdir -p "$d/home" "$WORK/recv-$name"
  cat >"$d/node.yaml" <<EOF
node: {home: home, listen: "$IP_B:$port", plain: $plain}
web: {listen: "127.0.0.1:0"}
receive: {root: "$WORK/recv-$name", allow-any: true}
EOF
  start_bg "$d/node.log" ip netns exec "$NS_B" java -jar "$WORK/fff.jar" run --config "$d/node.yaml"
  until grep -q '^listening on ' "$d/node.log" 2>/dev/null; do
    kill -0 "$BG_PID" 2>/dev/null || die "fff node $name exited: $(tail -n 20 "$d/node.log")"
    sleep 0.05
    t=$((t + 1))
    [ "$t" -lt $((READY_TIMEOUT * 20)) ] || die "fff node $name not listening after ${READY_TIMEOUT}s: $(tail -n 20 "$d/node.log")"
  done
  FFF_PORT[$name]=$port
  FFF_ROOT[$name]=$WORK/recv-$name
}
# as the ./fff launcher runs short-lived client commands
FFF_SEND=(java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$WORK/fff.jar" send --home "$WORK/send-home")
fff_send_args() { # fff_send_args VARIANT RUNDIR : the arguments before the paths
  local v=$1
  SEND_ARGS=(--to "$IP_B:${FFF_PORT[$v]}" --dir "$2")
  [ "$v" = plain ] && SEND_ARGS+=(--plain)
  # shellcheck disable=SC2206  # FFF_SEND_ARGS is a list of words on purpose
  SEND_ARGS+=($FFF_SEND_ARGS)
}
if [[ " $METHODS $SMALL_METHODS " == *" fff-"* ]]; then
  fff_node plain "$PORT_PLAIN" true
  fff_node tls "$PORT_TLS" false
  if [ "$WARMUP_MB" -gt 0 ]; then
    log "warm-up: one $WARMUP_MB MiB file to each fff node (link not impaired yet)"
    head -c $((WARMUP_MB * 1048576)) /dev/urandom >"$WORK/warmup.bin"
    for v in plain tls; do
      fff_send_args "$v" warmup
      in_a "${FFF_SEND[@]}" "${SEND_ARGS[@]}" "$WORK/warmup.bin" >"$WORK/warmup-$v.log" 2>&1 </dev/null ||
        die "warm-up send to the $v node failed: $(tail -n 20 "$WORK/warmup-$v.log")"
      rm -rf -- "${FFF_ROOT[$v]}/warmup"
    done
  fi
fi

# ---------------------------------------------------------------- measuring
dest_bytes() { find "$1" -type f -printf '%s\n' 2>/dev/null | awk '{s += $1} END{printf "%d", s}'; }
dest_files() { find "$1" -type f ! -name '.*' 2>/dev/null | wc -l; } # complete files: partials are hidden
# the congestion control of the busiest connection to PORT in NS_A, from ss -tin (sampled mid-transfer)
cc_of() {
  awk '/^[^ \t]/ {next} {
    cc = ""; b = 0
    for (i = 1; i <= NF; i++) {
      if ($i ~ /:/) { if ($i ~ /^bytes_acked:/) { b = substr($i, 13) + 0 } ; continue }
      if (cc == "" && $i !~ /^(ts|sack|ecn|ecnseen|fastopen|send|pacing_rate|delivery_rate|app_limited)$/ && $i ~ /^[a-z][a-z0-9_]*$/) cc = $i
    }
    if (cc != "" && b >= best) { best = b; out = cc }
  } END { print (out == "" ? "-" : out) }' "$1"
}

# timed PORT DEST CMD... : CMD (in NS_A, own process group) with the clock around it. Still running after
# CAP_S, it is stopped; just before, the bytes and complete files in DEST are counted (a stopped rsync
# deletes its temporary file). Every second for the first 10 s, ss samples PORT in NS_A.
# Sets ELAPSED, CAPPED (0|1), CAP_BYTES, CAP_FILES, XRC, CC.
export -f dest_bytes dest_files
timed() {
  local port=$1 dest=$2 pid wd sampler t0 tcap
  shift 2
  rm -f "$WORK/capped" "$WORK/ss-sample"
  # shellcheck disable=SC2016  # expanded by the inner sh
  start_bg /dev/null sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 1; ip netns exec "$1" ss -tinH "( dport = :$2 )" >>"$3"; done' \
    sampler "$NS_A" "$port" "$WORK/ss-sample"
  sampler=$BG_PID
  t0=$(now)
  start_bg "$WORK/xfer.log" ip netns exec "$NS_A" "$@"
  pid=$BG_PID
  # shellcheck disable=SC2016
  start_bg /dev/null bash -c 'sleep "$1"; echo "$(date +%s.%N) $(dest_bytes "$3") $(dest_files "$3")" >"$2.tmp"
    mv "$2.tmp" "$2"; kill -TERM -- "-$4"' cap "$CAP_S" "$WORK/capped" "$dest" "$pid"
  wd=$BG_PID
  XRC=0
  wait "$pid" || XRC=$?
  ELAPSED=$(sub "$t0" "$(now)")
  stop_group "$wd"
  stop_group "$sampler"
  forget_group "$wd"
  forget_group "$sampler"
  forget_group "$pid"
  CAPPED=0
  if [ "$XRC" != 0 ] && [ -s "$WORK/capped" ]; then
    CAPPED=1
    read -r tcap CAP_BYTES CAP_FILES <"$WORK/capped"
    ELAPSED=$(sub "$t0" "$tcap")
  fi
  CC=-
  [ -s "$WORK/ss-sample" ] && CC=$(cc_of "$WORK/ss-sample")
  if [ "$XRC" != 0 ] && [ "$CAPPED" = 0 ]; then
    die "$* failed (exit $XRC): $(tail -n 20 "$WORK/xfer.log")"
  fi
  return 0
}

declare -A RES=() CCS=() CAPS=() # key "LINK|METHOD" (large) or "LINK|small-METHOD"
record() { # record KEY VALUE
  RES[$1]="${RES[$1]-} $2"
  CCS[$1]=$CC
  [ "$CAPPED" = 1 ] && CAPS[$1]=1
  return 0
}
fresh() { rm -rf -- "$1"; mkdir -p "$1"; sync; }
capped_note() { if [ "$CAPPED" = 1 ]; then printf ' (stopped at %s s: %s bytes, %s whole files had arrived)' "$CAP_S" "$CAP_BYTES" "$CAP_FILES"; fi; }
SEQ=0 # every fff transfer gets a folder of its own at the receiver: nothing from an earlier one is resumed

fff_timed() { # fff_timed VARIANT SOURCE : a timed fff send of SOURCE into a new folder; sets the caller's out
  SEQ=$((SEQ + 1))
  out=${FFF_ROOT[$1]}/t$SEQ
  sync
  fff_send_args "$1" "t$SEQ"
  timed "${FFF_PORT[$1]}" "$out" "${FFF_SEND[@]}" "${SEND_ARGS[@]}" "$2"
}

big() { # big LINK METHOD RUN
  local link=$1 m=$2 r=$3 out mbit bytes
  case $m in
    iperf3-*)
      [ "$m" = iperf3-bbr ] && [ "$HAVE_BBR" = 0 ] && { log "$m: the kernel has no bbr, skipped"; return 0; }
      timed "$PORT_IPERF" /nonexistent iperf3 -c "$IP_B" -p "$PORT_IPERF" -t "$IPERF_S" -C "${m#iperf3-}" -f m
      mbit=$(awk '/receiver$/ {for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1)} END{print v}' "$WORK/xfer.log")
      [ -n "$mbit" ] || die "$m: no receiver line in iperf3's output: $(tail -n 20 "$WORK/xfer.log")"
      ;;
    scp | rsync | fff-*)
      case $m in
        scp)
          out=$WORK/out-scp
          fresh "$out"
          timed 22 "$out" scp -q "${SSH_OPTS[@]}" "$SRC" "root@$IP_B:$out/payload.bin"
          ;;
        rsync)
          out=$WORK/out-rsync
          fresh "$out"
          timed 22 "$out" rsync -a -e "$RSYNC_SSH" "$SRC" "root@$IP_B:$out/"
          ;;
        fff-*) fff_timed "${m#fff-}" "$SRC" ;;
      esac
      if [ "$CAPPED" = 1 ]; then
        bytes=$CAP_BYTES
      else
        cmp -s "$SRC" "$out/payload.bin" || die "$m: the received file differs from the source ($out)"
        bytes=$SIZE_BYTES
      fi
      mbit=$(awk -v b="$bytes" -v s="$ELAPSED" 'BEGIN{printf "%.2f", b * 8 / 1e6 / s}')
      rm -rf -- "$out"
      ;;
  esac
  record "$link|$m" "$mbit"
  log "$link $m run $r: $mbit Mbit/s$(capped_note) cc=$CC"
}

small() { # small LINK METHOD RUN
  local link=$1 m=$2 r=$3 out files rate
  case $m in
    rsync)
      out=$WORK/out-small-rsync
      fresh "$out"
      timed 22 "$out" rsync -a -e "$RSYNC_SSH" "$SMALL" "root@$IP_B:$out/"
      ;;
    fff-*) fff_timed "${m#fff-}" "$SMALL" ;;
  esac
  if [ "$CAPPED" = 1 ]; then
    files=$CAP_FILES
  else
    diff -rq "$SMALL" "$out/small" >"$WORK/diff.log" 2>&1 || die "small $m: received files differ: $(head -n 5 "$WORK/diff.log")"
    files=$NFILES
  fi
  rate=$(awk -v f="$files" -v s="$ELAPSED" 'BEGIN{printf "%.2f", f / s}')
  rm -rf -- "$out"
  record "$link|small-$m" "$rate"
  log "$link small $m run $r: $files files in $ELAPSED s = $rate files/s$(capped_note) cc=$CC"
}

declare -A LINK_RTT=()
for link in $LINKS; do
  rtt=${link%%:*}
  loss=${link#*:}
  RTT_MS=$rtt LOSS_PCT=$loss RATE_MBIT=$RATE_MBIT "$WAN/netns-set.sh" >"$WORK/netns-set.log" 2>&1 ||
    die "netns-set.sh $link failed: $(cat "$WORK/netns-set.log")"
  LINK_RTT[$link]=$(sed -n 's/.*avg RTT=\([0-9.]*\) ms.*/\1/p' "$WORK/netns-set.log")
  log "link $link: ${rtt} ms, ${loss} % loss, $RATE_MBIT Mbit/s; ping -U ${LINK_RTT[$link]:-?} ms"
  for r in $(seq 1 "$REPEAT"); do
    for m in $METHODS; do big "$link" "$m" "$r"; done
    for m in $SMALL_METHODS; do small "$link" "$m" "$r"; done
  done
done

# ---------------------------------------------------------------- report
med() { # med KEY : the median of KEY's runs, or nothing
  local runs
  [ -n "${RES[$1]-}" ] || return 0
  read -r -a runs <<<"${RES[$1]}"
  median "${runs[@]}"
}
cell() { # cell KEY : the median (3 significant digits, '*' when a run was stopped at CAP_S) or '-'
  local m
  m=$(med "$1")
  [ -n "$m" ] || { printf -- '-'; return; }
  awk -v v="$m" 'BEGIN{ f = v >= 100 ? "%.0f" : (v >= 10 ? "%.1f" : "%.2f"); printf f, v }'
  printf '%s' "${CAPS[$1]+*}"
}
ratio() { # ratio KEY_A KEY_B : from the unrounded medians
  local a b
  a=$(med "$1")
  b=$(med "$2")
  if [ -z "$a" ] || [ -z "$b" ]; then printf -- '-'; else awk -v a="$a" -v b="$b" 'BEGIN{ if (b <= 0) print "-"; else if (a / b < 0.1) printf "%.2g", a / b; else printf "%.2f", a / b }'; fi
}
{
  cpu=$(awk -F': *' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
  rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  echo "## WAN benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "host: $(uname -srm), ${cpu:-unknown cpu}, $(nproc) cpus; repo $rev"
  echo "links: ops/wan (nfq-delay + tbf), $RATE_MBIT Mbit/s each way, loss per direction; namespaces default to cubic"
  echo "large file: $SIZE_MB MiB (urandom); small files: $NFILES x $FILE_KB KiB; median of $REPEAT; Mbit = 10^6 bits"
  echo "* = stopped after CAP_S=$CAP_S s: the bytes (files) that had arrived / $CAP_S s. iperf3: ${IPERF_S} s, 1 stream, receiver's figure"
  echo "$(ssh -V 2>&1 | head -n 1); $(rsync --version | head -n 1 | awk '{print $1, $2, $3}'); $(iperf3 --version | head -n 1 | awk '{print $1, $2}'); $(java -version 2>&1 | head -n 1)"
  echo "fff: $JAR ($(java -jar "$WORK/fff.jar" --version 2>/dev/null | head -n 1)), send args: ${FFF_SEND_ARGS:-none (defaults)}; receiving node: fff run, node.listen $IP_B"
  echo
  printf '| Mbit/s |'
  for l in $LINKS; do printf ' %s ms %s %% |' "${l%%:*}" "${l#*:}"; done
  echo
  printf '|---|'
  for l in $LINKS; do printf -- '---:|'; done
  echo
  for m in $METHODS; do
    printf '| %s |' "$m"
    for l in $LINKS; do printf ' %s (%s) |' "$(cell "$l|$m")" "${CCS[$l|$m]--}"; done
    echo
  done
  for v in plain tls; do
    [[ " $METHODS " == *" fff-$v "* ]] || continue
    for ref in scp iperf3-bbr; do
      [[ " $METHODS " == *" $ref "* ]] || continue
      printf '| fff-%s / %s |' "$v" "$ref"
      for l in $LINKS; do printf ' %s |' "$(ratio "$l|fff-$v" "$l|$ref")"; done
      echo
    done
  done
  if [ -n "$SMALL_METHODS" ]; then
    echo
    printf '| files/s (%s x %s KiB) |' "$NFILES" "$FILE_KB"
    for l in $LINKS; do printf ' %s ms %s %% |' "${l%%:*}" "${l#*:}"; done
    echo
    printf '|---|'
    for l in $LINKS; do printf -- '---:|'; done
    echo
    for m in $SMALL_METHODS; do
      printf '| %s |' "$m"
      for l in $LINKS; do printf ' %s |' "$(cell "$l|small-$m")"; done
      echo
    done
    for v in plain tls; do
      [[ " $SMALL_METHODS " == *" fff-$v "* && " $SMALL_METHODS " == *" rsync "* ]] || continue
      printf '| fff-%s / rsync |' "$v"
      for l in $LINKS; do printf ' %s |' "$(ratio "$l|small-fff-$v" "$l|small-rsync")"; done
      echo
    done
  fi
  echo
  printf '(cc) = congestion control of the busiest connection, sampled with ss in %s in the first 10 s. ' "$NS_A"
  printf 'Measured RTT (ping -U):'
  for l in $LINKS; do printf ' %s: %s ms;' "$l" "${LINK_RTT[$l]:-?}"; done
  echo
} | tee "$RESULTS"
log "results written to $RESULTS"
