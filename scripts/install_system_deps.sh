#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests, if it is not there yet.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -eq 0 ]; then sudo=""
elif command -v sudo >/dev/null 2>&1; then sudo="sudo"
else
  echo "error: the browser tests need Debian's chromium; install it as root: apt-get install chromium" >&2
  exit 1
fi
echo "Installing chromium for the browser tests"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
command -v chromium
