#!/usr/bin/env bash
# ops/uninstall.sh - remove what ops/install.sh installed.
# Keeps /etc/fff (config) and /var/lib/fff (node identity, journal) unless --purge.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: ops/uninstall.sh [--purge] [-h]

Stops and disables fff.service, removes /etc/systemd/system/fff.service and /opt/fff (as root).
Keeps /etc/fff, /var/lib/fff (the node's identity: peers pinned its ID; the journal) and the user fff,
so a later install.sh is the same node again.

  --purge      also remove /etc/fff, /var/lib/fff, the drop-ins in /etc/systemd/system/fff.service.d
               and the user and group fff. Received files (/srv/fff, other receive roots) stay.
  -h, --help   this text

DESTDIR=/some/dir removes the files staged there by install.sh (no root; no systemctl, no userdel).
USAGE
}

purge=0
while [ $# -gt 0 ]; do
  case "$1" in
    --purge) purge=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "uninstall.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

DESTDIR="${DESTDIR:-}"
staged=0
[ -n "$DESTDIR" ] && staged=1
if [ "$staged" = 0 ] && [ "$(id -u)" != 0 ]; then
  echo "uninstall.sh: run as root (sudo ops/uninstall.sh), or set DESTDIR" >&2
  exit 1
fi
unitdir="$DESTDIR/etc/systemd/system"

if [ "$staged" = 0 ] && command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now --quiet fff.service 2>/dev/null || true
fi
rm -f "$unitdir/fff.service" "$DESTDIR/etc/modules-load.d/fff-bbr.conf" "$DESTDIR/etc/sysctl.d/60-fff-bbr.conf"
rm -rf "$DESTDIR/opt/fff"
if [ "$purge" = 1 ]; then
  rm -rf "$unitdir/fff.service.d" "$DESTDIR/etc/fff" "$DESTDIR/var/lib/fff"
  if [ "$staged" = 0 ]; then
    if getent passwd fff >/dev/null; then userdel fff; fi
    if getent group fff >/dev/null; then groupdel fff; fi
  fi
  echo "uninstall.sh: removed fff, its config, identity and journal (received files stay)" >&2
else
  echo "uninstall.sh: removed fff; kept $DESTDIR/etc/fff and $DESTDIR/var/lib/fff (--purge removes them)" >&2
fi
if [ "$staged" = 0 ] && command -v systemctl >/dev/null 2>&1; then
  systemctl daemon-reload 2>/dev/null || true
  systemctl reset-failed fff.service 2>/dev/null || true
fi
