#!/usr/bin/env bash
# Creates .venv on Python 3.10 and installs the locked dependencies into it.
set -euo pipefail
cd "$(dirname "$0")/.."

python310=${PYTHON310:-$(scripts/find_python.sh)}
if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  echo ".venv is not Python 3.10: recreating it"
  rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $python310"
  "$python310" -m venv .venv
fi
echo "Installing locked dependencies (first time: a few minutes and about 8 GB)"
.venv/bin/python -m pip install --quiet --upgrade "pip==24.3.1"
.venv/bin/python -m pip install --progress-bar off -r requirements.lock
.venv/bin/python -m pip check
