#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter: on PATH, else through pyenv, else explains and fails.
# Rasa Open Source 3.6 runs on Python 3.8-3.10 only; the project standardises on 3.10.
set -u

is_310() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

for candidate in python3.10 python3 python; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  # A pyenv shim may exist on PATH yet fail to run: is_310 runs it for real.
  if is_310 "$path"; then echo "$path"; exit 0; fi
done

if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -t. -k3 -n -r); do
    path="$root/versions/$version/bin/python3.10"
    if is_310 "$path"; then echo "$path"; exit 0; fi
  done
fi

cat >&2 <<'MSG'
error: no Python 3.10 found.
Rasa Open Source 3.6 needs Python 3.10 (3.8-3.10). Install one, then run the command again:
  - with pyenv:   pyenv install 3.10.13
  - on Debian:    a python3.10 package from your distribution or deadsnakes
Or point to one explicitly:  make run PYTHON310=/path/to/python3.10
MSG
exit 1
