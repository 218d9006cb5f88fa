#!/usr/bin/env bash
# ops/install.sh - install fff as a systemd service on Debian (12+).
# Idempotent: run it again after a rebuild to update the jar and the unit; /etc/fff/node.yaml and the
# node's identity in /var/lib/fff are never overwritten.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: ops/install.sh [--jar PATH] [--no-start] [-h]

Installs fff as the systemd service fff.service (as root):
  - Java 17+ and ffmpeg (ops/deps-debian.sh)
  - node/target/fff.jar, built with ./mvnw when missing, or PATH from --jar -> /opt/fff/fff.jar
  - system user and group fff (no login shell, home /var/lib/fff)
  - /etc/fff/node.yaml from a commented example, only if it does not exist
  - the node identity (fff init) in /var/lib/fff, only if there is none
  - tcp_bbr loaded at boot and allowed for the service user (/etc/modules-load.d/fff-bbr.conf,
    /etc/sysctl.d/60-fff-bbr.conf): the node picks bbr per connection; the system default is unchanged
  - ops/systemd/fff.service -> /etc/systemd/system/fff.service, enabled and (re)started

  --jar PATH   install this jar instead of node/target/fff.jar (no build)
  --no-start   install and enable, but do not start or restart the service
  -h, --help   this text

DESTDIR=/some/dir stages every file below that folder instead (no root needed; no user, ownership,
packages or systemctl) - for packaging and for testing this script.
USAGE
}

jar=""
start=1
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) [ $# -ge 2 ] || { usage >&2; exit 2; }; jar="$2"; shift 2 ;;
    --jar=*) jar="${1#--jar=}"; shift ;;
    --no-start) start=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

repo="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
DESTDIR="${DESTDIR:-}"
staged=0
[ -n "$DESTDIR" ] && staged=1
if [ "$staged" = 0 ] && [ "$(id -u)" != 0 ]; then
  echo "install.sh: run as root (sudo ops/install.sh), or set DESTDIR to stage the files" >&2
  exit 1
fi

opt="$DESTDIR/opt/fff"
etc="$DESTDIR/etc/fff"
home="$DESTDIR/var/lib/fff"
incoming="$DESTDIR/srv/fff/incoming"
unitdir="$DESTDIR/etc/systemd/system"

say() { echo "install.sh: $*" >&2; }

# 1. Java 17+ and ffmpeg
if [ "$staged" = 0 ]; then
  "$repo/ops/deps-debian.sh" --runtime
fi

# 2. the jar
if [ -z "$jar" ]; then
  jar="$repo/node/target/fff.jar"
  if [ ! -f "$jar" ]; then
    say "building node/target/fff.jar (./mvnw package, tests skipped) ..."
    (cd "$repo" && ./mvnw -B -q -DskipTests package)
  fi
fi
[ -f "$jar" ] || { say "no jar at $jar"; exit 1; }

# 3. user and group
if [ "$staged" = 0 ]; then
  getent group fff >/dev/null || groupadd --system fff
  if ! getent passwd fff >/dev/null; then
    useradd --system --gid fff --home-dir /var/lib/fff --no-create-home \
      --shell /usr/sbin/nologin --comment "FileFlowFaster node" fff
  fi
fi

# owner USER:GROUP PATH... - chown unless staging
owner() { [ "$staged" = 1 ] || chown "$@"; }

# 4. files. `changed` decides whether a running service is restarted.
changed=0
install -d -m 0755 "$opt"
if ! cmp -s "$jar" "$opt/fff.jar"; then
  install -m 0644 "$jar" "$opt/fff.jar.new" && mv -f "$opt/fff.jar.new" "$opt/fff.jar"
  changed=1
  say "installed $opt/fff.jar"
fi
install -m 0644 "$repo/README.md" "$opt/README.md"

install -d -m 0750 "$home"
owner fff:fff "$home"
install -d -m 0750 "$etc"
owner root:fff "$etc"

if [ ! -e "$etc/node.yaml" ]; then
  install -d -m 0750 "$incoming"
  owner fff:fff "$DESTDIR/srv/fff" "$incoming"
  umask 0027
  cat >"$etc/node.yaml" <<'YAML'
# /etc/fff/node.yaml - written once by ops/install.sh, never overwritten; all keys: README.md (Config
# reference) in /opt/fff. Apply changes with: systemctl restart fff
# The service may only write below /var/lib/fff and /srv/fff: add other receive roots and watch folders
# that the node writes to (after: delete / move:DIR) with `systemctl edit fff` (see ops/README.md).
node:
  home: /var/lib/fff              # identity, journal, ui-token (made by install.sh: fff init)
  # Receiving: uncomment listen and list the senders in receive.allow (a node will not listen with an
  # empty allow list). Give senders this node's ID: fff id --home /var/lib/fff
  # listen: 0.0.0.0:7700
web:
  listen: 127.0.0.1:8080          # JSON API, /healthz, /metrics (Prometheus)
groups:
  total: {limit: 4}               # jobs running at once
receive:
  root: /srv/fff/incoming         # where received files land
  allow: []                       # node IDs or destination names, e.g. [2SFE-D2NH-...]
  reserve: 1G                     # free space to keep
#destinations:
#  siteB: {peer: "siteb.example:7700", id: "<siteB's node ID>"}
#  archive: {ftp: "ftps://archive@ftp.example/in", password-env: ARCHIVE_FTP_PASSWORD}  # EnvironmentFile
#  usb: {local: /mnt/backup}       # add to ReadWritePaths
#watch:
#  - path: /srv/fff/outbox/siteB   # add to ReadWritePaths if after: delete or move:DIR
#    to: "siteB:"
#    stable-for: 5s
#    after: keep
#sources:                          # FTP folders polled; pulled files staged in /var/lib/fff/staging
#  - ftp: "ftp://cam@camera.example/clips"
#    password-env: CAM_FTP_PASSWORD
#    to: "siteB:clips/"
#    after: keep                   # or delete / move:DIR on the server, once the relay is verified
YAML
  owner root:fff "$etc/node.yaml"
  say "wrote $etc/node.yaml (edit it, then: systemctl restart fff)"
else
  say "kept $etc/node.yaml"
fi

# 5. node identity, as the user the service runs as
fff_as_user() { # fff_as_user ARGS... - run a short-lived fff command as user fff
  local java=(java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$opt/fff.jar")
  if [ "$staged" = 1 ]; then
    "${java[@]}" "$@"
  else
    (cd / && runuser -u fff -- "${java[@]}" "$@")
  fi
}
if [ ! -e "$home/node.key" ]; then
  fff_as_user init --home "$home" >&2
fi

# 6. BBR for the node's own sockets. The node asks for bbr per connection (never changes the machine's
# default); a service user may only pick algorithms in net.ipv4.tcp_allowed_congestion_control, which on stock
# Debian is "reno cubic". Load the module at boot and allow bbr; the system default stays as it is.
install -d -m 0755 "$DESTDIR/etc/modules-load.d" "$DESTDIR/etc/sysctl.d"
echo tcp_bbr > "$DESTDIR/etc/modules-load.d/fff-bbr.conf"
[ "$staged" = 1 ] || modprobe tcp_bbr 2>/dev/null || true
allowed="reno cubic bbr"
if [ "$staged" = 0 ] && ! grep -qw bbr /proc/sys/net/ipv4/tcp_available_congestion_control; then
  say "this kernel has no bbr (available: $(cat /proc/sys/net/ipv4/tcp_available_congestion_control)); the node uses the system's algorithm"
  allowed="reno cubic"
fi
printf '# written by ops/install.sh: lets fff.service choose bbr on its own sockets\nnet.ipv4.tcp_allowed_congestion_control = %s\n' \
  "$allowed" > "$DESTDIR/etc/sysctl.d/60-fff-bbr.conf"
if [ "$staged" = 0 ]; then
  sysctl -q -p "$DESTDIR/etc/sysctl.d/60-fff-bbr.conf" || say "could not apply /etc/sysctl.d/60-fff-bbr.conf now; it applies at boot"
fi

# 7. the unit
install -d -m 0755 "$unitdir"
if ! cmp -s "$repo/ops/systemd/fff.service" "$unitdir/fff.service"; then
  install -m 0644 "$repo/ops/systemd/fff.service" "$unitdir/fff.service"
  changed=1
  say "installed $unitdir/fff.service"
fi
if [ "$staged" = 0 ]; then
  systemctl daemon-reload
  systemctl enable --quiet fff.service
  if [ "$start" = 1 ]; then
    if systemctl is-active --quiet fff.service; then
      [ "$changed" = 0 ] || { say "restarting fff.service"; systemctl restart fff.service; }
    else
      systemctl reset-failed fff.service 2>/dev/null || true
      systemctl start fff.service
    fi
    systemctl --no-pager --lines=5 status fff.service >&2 || true
  elif [ "$changed" = 1 ] && systemctl is-active --quiet fff.service; then
    say "fff.service still runs the old version: systemctl restart fff"
  fi
fi

echo "node ID: $(fff_as_user id --home "$home")"
echo "web API token: sudo -u fff java -jar /opt/fff/fff.jar id --token --home /var/lib/fff"
echo "logs: journalctl -u fff -f"
