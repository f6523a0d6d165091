#!/usr/bin/env bash
# Installs Debian's chromium (the browser tests) and poppler-utils (pdftotext: the tests read
# the report's PDF back), if they are not there yet.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -eq 0 ]; then sudo=""
elif command -v sudo >/dev/null 2>&1; then sudo="sudo"
else
  echo "error: the browser tests need Debian's ${missing[*]}; install as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} for the browser and report tests"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
command -v chromium pdftotext
