#!/usr/bin/env bash
# ops/deps-debian.sh - install what a user needs to run fff on Debian (12+):
# a Java 17+ JDK (the ./fff launcher builds node/target/fff.jar with ./mvnw when it is
# missing, so a JRE alone is not enough), ffmpeg (transcode profiles; the demo uses it) and
# Chromium with its WebDriver and Firefox ESR (the tests drive the status page in both) and vsftpd
# (the FTP mover's tests run a real FTP daemon); --runtime leaves these test-only packages out, as
# ops/install.sh does on a server.
# Idempotent; prints nothing when all is present.
# Uses sudo when not run as root.
set -euo pipefail

java_major() { # major version of java/javac on PATH; 0 when absent
  command -v "$1" >/dev/null 2>&1 || { echo 0; return; }
  "$1" -version 2>&1 | awk '
    match($0, /(version "|javac )[0-9._]+/) {
      v = substr($0, RSTART, RLENGTH); sub(/^(version "|javac )/, "", v)
      split(v, p, "."); print (p[1] == 1 ? p[2] : p[1]) + 0; found = 1; exit
    }
    END { if (!found) print 0 }'
}

runtime_only=0
[ "${1:-}" = --runtime ] && runtime_only=1

pkgs=()
if [ "$(java_major java)" -lt 17 ] || [ "$(java_major javac)" -lt 17 ]; then
  pkgs+=(openjdk-17-jdk-headless)
fi
# ./mvnw downloads Maven with curl or wget and unpacks it with unzip
command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1 || pkgs+=(curl ca-certificates)
command -v unzip >/dev/null 2>&1 || pkgs+=(unzip)
{ command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; } || pkgs+=(ffmpeg)
if [ $runtime_only = 0 ]; then
  { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || pkgs+=(chromium chromium-driver)
  [ -x /usr/bin/firefox-esr ] || pkgs+=(firefox-esr)
  [ -x /usr/sbin/vsftpd ] || pkgs+=(vsftpd)
fi
[ ${#pkgs[@]} -eq 0 ] && exit 0

SUDO=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "deps-debian.sh: need root or sudo to install: ${pkgs[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
echo "deps-debian.sh: installing ${pkgs[*]}" >&2
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}"
# the tests start vsftpd themselves on 127.0.0.1; the package's own system service (port 21) is not wanted
if [[ " ${pkgs[*]} " == *" vsftpd "* ]] && [ -d /run/systemd/system ]; then
  "${SUDO[@]}" systemctl disable --now vsftpd >/dev/null 2>&1 || true
  echo "deps-debian.sh: vsftpd installed for the tests; its system service is disabled" >&2
fi
# an older java earlier on PATH / in alternatives would still win
if [ "$(java_major java)" -lt 17 ]; then
  echo "deps-debian.sh: installed openjdk-17, but 'java' on PATH is still older; select it with:" >&2
  echo "  sudo update-alternatives --config java   (and javac)" >&2
  exit 1
fi
