#!/usr/bin/env bash
# Installs the Debian 12 packages the tests and the demo run on, if any is missing:
#   nginx-light libnginx-mod-http-js njs   the bookworm leg (nginx 1.22.1, njs 0.7.9)
#   python3-httpbin gunicorn               httpbin, the example's backend
#   wrk                                    the benchmarks
#   slapd ldap-utils                       the LDAP directory the ldap-sync tests start (and its
#                                          client tools, handy when one fails)
#   etcd-server etcd-client                the shared token store the fleet tests start
#   chromium                               the headless browser of the browser-login test
#   dnsmasq-base                           the DNS server the remote `resolver` tests start (no service)
# without letting the nginx package start a server of its own on port 80 (our nginx instances run
# from temp prefixes on free ports).
# Usage: test/runtimes/install-debian.sh [package…]   (default: all of the above)
set -euo pipefail
if [ $# -gt 0 ]; then packages=("$@"); else
  packages=(nginx-light libnginx-mod-http-js njs python3-httpbin gunicorn wrk slapd ldap-utils
    etcd-server etcd-client chromium dnsmasq-base)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-debian.sh: ${packages[*]}: already installed"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-debian.sh: missing ${missing[*]}; as root run: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi

# Debian's way to keep maintainer scripts from starting services: policy-rc.d answering 101.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi

echo "install-debian.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null

# Where the guard did not hold (systemd ignores policy-rc.d for enabled units), stop and disable
# the server the package started.
if [[ " ${missing[*]} " == *" slapd "* ]]; then
  if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
    systemctl disable --now slapd >/dev/null 2>&1 || true
  fi
  if [ -s /run/slapd/slapd.pid ] && kill -0 "$(cat /run/slapd/slapd.pid)" 2>/dev/null; then
    kill "$(cat /run/slapd/slapd.pid)" || true
  fi
fi
if [[ " ${missing[*]} " == *" etcd-server "* ]]; then
  if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
    systemctl disable --now etcd >/dev/null 2>&1 || true
  fi
  pkill -x etcd >/dev/null 2>&1 || true
fi
if [[ " ${missing[*]} " == *" nginx"* ]]; then
  if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
    systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
  if [ -s /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
    /usr/sbin/nginx -s quit || true
  fi
fi
echo "install-debian.sh: done"
