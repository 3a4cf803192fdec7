#!/usr/bin/env bash
# Fetches one newer nginx + njs build from Debian's archive and unpacks it under .runtimes/<leg>/root,
# without installing anything system-wide (the builds need a newer libc than this machine has; they
# start through their own unpacked dynamic loader). Idempotent: a finished leg is left alone.
# Usage: test/runtimes/fetch.sh trixie|sid
set -euo pipefail
leg=${1:?usage: fetch.sh trixie|sid}
top=$(cd "$(dirname "$0")/../.." && pwd)
D=$top/.runtimes/$leg
[ -f "$D/ready" ] && exit 0
case $leg in
  trixie) suite=trixie; pkgs="nginx libnginx-mod-http-js libc6 libssl3t64 libpcre2-8-0 zlib1g libcrypt1 libxml2 libicu76 liblzma5" ;;
  sid)    suite=sid;    pkgs="nginx libnginx-mod-http-js libqjs0 libxml2-16 libc6 libssl3t64 libpcre2-8-0 zlib1g libcrypt1 libicu78 liblzma5" ;;
  *) echo "fetch.sh: unknown leg '$leg' (trixie or sid)" >&2; exit 2 ;;
esac
rm -rf "$D"; mkdir -p "$D/lists/partial" "$D/debs" "$D/root" "$D/archives/partial"
echo "deb http://deb.debian.org/debian $suite main" > "$D/sources.list"
A=(-o "Dir::Etc::SourceList=$D/sources.list" -o Dir::Etc::SourceParts=/dev/null
   -o "Dir::State::Lists=$D/lists" -o "Dir::Cache::Archives=$D/archives" -o Debug::NoLocking=1)
apt-get "${A[@]}" -qq update
# Package names move in unstable: download what exists, and tell which names were missing.
for p in $pkgs; do
  if ! (cd "$D/debs" && apt-get "${A[@]}" -qq download "$p" >/dev/null 2>&1); then
    echo "fetch.sh: $suite has no package '$p' (skipped; the loader check below decides)" >&2
  fi
done
for f in "$D"/debs/*.deb; do dpkg -x "$f" "$D/root"; done
R=$D/root
"$R/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \
  --library-path "$R/usr/lib/x86_64-linux-gnu:$R/lib/x86_64-linux-gnu" "$R/usr/sbin/nginx" -v
ls "$D"/debs > "$D/packages.txt"
touch "$D/ready"
