#!/usr/bin/env bash
# Installs the Debian packages posture needs that are not installed yet:
# nothing when everything is there, so `make check` can call it every time.
#   scripts/deps.sh          install what is missing (needs root or sudo)
#   scripts/deps.sh --check  only list what is missing; exit 1 if anything
set -euo pipefail

# The build, the libraries, and the test bed (authoritative server, dig-like
# client, dnsperf for benchmarks, python3-dnslib for the fault server,
# openssl for the HTTPS server's and the mark certificates' test CAs,
# groff and man-db to check the man page); chromium renders the HTML
# report in its test and in make report-demo. libopendkim-dev verifies
# the DKIM signatures of a received message (posture headers --verify);
# python3-dkim signs the messages of the headers integration tests;
# python3-dnspython and python3-cryptography sign the bed's bogus DNSSEC zone
# (tests/bed/presign.py).
PACKAGES=(
  build-essential pkg-config
  libgetdns-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev
  libjansson-dev libcmocka-dev libpsl-dev libxml2-dev zlib1g-dev libidn2-dev libzstd-dev libzip-dev
  libopendkim-dev
  knot knot-dnsutils dnsperf python3 python3-dnslib python3-yaml python3-dkim python3-dnspython python3-cryptography openssl
  groff-base man-db
  clang clang-format clang-tidy chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${1:-}" = "--check" ]; then
  if [ ${#missing[@]} -gt 0 ]; then
    echo "missing packages: ${missing[*]}"
    exit 1
  fi
  exit 0
fi

[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
SUDO=
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# Package lists may be missing on a fresh machine; refresh them once.
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts knot as a service when it can; the tests start their own.
echo "deps: done"
