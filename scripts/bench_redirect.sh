#!/usr/bin/env bash
# The redirect benchmark of issue 3 in one command: installs wrk and ab
# (apache2-utils) when they are missing, then runs scripts/bench_redirect.py
# with the Python of the active virtualenv, else of ./.venv, else python3.
# Options pass through: bash scripts/bench_redirect.sh --rounds 3 --duration 5
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null || ! command -v ab >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update
    $sudo apt-get install -y wrk apache2-utils
fi

python=python3
if [ -n "${VIRTUAL_ENV:-}" ]; then
    python="$VIRTUAL_ENV/bin/python"
elif [ -x .venv/bin/python ]; then
    python=.venv/bin/python
fi
exec "$python" scripts/bench_redirect.py "$@"
