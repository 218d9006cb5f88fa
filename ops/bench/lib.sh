# shellcheck shell=bash
# lib.sh - shell helpers shared by the benchmark scripts in this folder (loopback.sh, ftp-local.sh, wan.sh,
# transcode.sh). Not run on its own: each script sources it right after finding its folder,
#   HERE=$(cd "$(dirname "$0")" && pwd)
#   . "$HERE/lib.sh"
# and keeps its own `set -euo pipefail`. Defining functions and a few variables is all sourcing does.
#
# What the functions read from the sourcing script (set before the function is called):
#   LOG_TAG        log's tag, "[TAG HH:MM:SS]" (default: the script's name without .sh)
#   READY_TIMEOUT  wait_listen's limit in seconds
#   SIZE_BYTES     mbps's file size
#   WORK, KEEP     cleanup removes WORK unless KEEP=1 (then logs "$KEPT_LOG $WORK"; KEPT_LOG default "kept")
#   on_stop        optional function: cleanup calls it first when the exit status is 143 (SIGTERM, watchdog)
#   on_exit        optional function: cleanup calls it after stopping the groups, whatever the status

prog=${0##*/} # the sourcing script's name, for messages

log() { printf '[%s %s] %s\n' "${LOG_TAG:-${prog%.sh}}" "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }

# ---------------------------------------------------------------- process groups, cleanup
PGIDS=() # process groups started here (each via setsid: pid == pgid)
BG_PID=
start_bg() { # start_bg LOG CMD... : CMD in its own session; sets BG_PID
  local logf=$1
  shift
  setsid "$@" >"$logf" 2>&1 </dev/null &
  BG_PID=$!
  PGIDS+=("$BG_PID")
}
stop_group() { # stop_group PGID : TERM, up to 2 s, then KILL
  local g=$1 i
  kill -0 -- "-$g" 2>/dev/null || { wait "$g" 2>/dev/null || true; return 0; }
  kill -TERM -- "-$g" 2>/dev/null || true
  for i in $(seq 1 40); do
    kill -0 -- "-$g" 2>/dev/null || break
    sleep 0.05
    [ "$i" = 40 ] && kill -KILL -- "-$g" 2>/dev/null
  done
  wait "$g" 2>/dev/null || true
}
forget_group() { # forget_group PGID : drop a stopped group from PGIDS
  local g keep=()
  for g in "${PGIDS[@]-}"; do [ -n "$g" ] && [ "$g" != "$1" ] && keep+=("$g"); done
  PGIDS=("${keep[@]-}")
}
# shellcheck disable=SC2153  # KEEP and WORK are the sourcing script's
cleanup() { # the EXIT trap (set_traps): stop every group in PGIDS, remove WORK unless KEEP=1, keep the status
  local rc=$? g
  trap - EXIT INT TERM
  [ "$rc" = 143 ] && declare -F on_stop >/dev/null && on_stop
  for g in "${PGIDS[@]-}"; do [ -n "$g" ] && stop_group "$g"; done
  declare -F on_exit >/dev/null && on_exit
  if [ "$KEEP" = 1 ]; then
    log "${KEPT_LOG:-kept} $WORK"
  else
    rm -rf -- "$WORK"
  fi
  exit "$rc"
}
set_traps() { # cleanup on exit; Ctrl-C exits 130, SIGTERM 143 (both through cleanup)
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
start_watchdog() { # start_watchdog SECONDS : SIGTERM to this shell after SECONDS (bounds the whole run)
  # shellcheck disable=SC2016  # $1 and $2 are expanded by the inner sh
  start_bg /dev/null sh -c 'sleep "$1"; kill -TERM "$2"' watchdog "$1" "$$"
}

# ---------------------------------------------------------------- ports
port_in_use() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
free_port() { # free_port SPAN : a free TCP port in 20000 .. 20000+SPAN-1
  local p i span=$1
  for i in $(seq 1 200); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % span))
    port_in_use "$p" || { echo "$p"; return 0; }
    : "$i"
  done
  die "no free TCP port found"
}
wait_listen() { # wait_listen PORT PID : until PORT is listening; fails when PID exits or after READY_TIMEOUT s
  local t=0
  until port_in_use "$1"; do
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
    t=$((t + 1))
    [ "$t" -lt $((READY_TIMEOUT * 20)) ] || return 1
  done
}

# ---------------------------------------------------------------- time, figures
now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", b - a}'; } # sub A B : B - A, 3 decimals
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{ if (NR%2) printf "%.3f", v[(NR+1)/2]; else printf "%.3f", (v[NR/2]+v[NR/2+1])/2 }'; }
mbps() { awk -v b="$SIZE_BYTES" -v s="$1" 'BEGIN{ if (s > 0) printf "%.1f", b / 1e6 / s; else print "inf" }'; } # mbps SECONDS
# CPU seconds of this shell's reaped children (utime+stime of waited-for processes)
child_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f", ($14 + $15) / hz }' "/proc/$$/stat"; }
