#!/usr/bin/env bash
# How long a learner waits on a fresh clone: from `git clone` to a JupyterLab that serves
# the first notebook (`make start`), and `make test`'s install step, with uv and with the
# pip fallback. Each case is a new clone of this repository's HEAD in a temporary folder,
# so the learner's own .venv and caches are not touched.
#
#   bash bench/first_run.sh            # all cases (the pip ones take about a minute each)
#   bash bench/first_run.sh uv         # the uv cases only
#
# Targets (README): clone to served JupyterLab <= 20 s with a reachable, fast package
# index; `make test`'s install step <= 10 s.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
python=$(command -v "${PYTHON:-python3}")
work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ]; then kill -- -"$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# A PATH with no uv on it: the first run of a learner who has never installed uv.
no_uv_path=$(dirname "$(command -v git)"):/usr/bin:/bin

seconds_since() { python3 -c "import time, sys; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$1"; }

free_port() { python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"; }

# clone_to_served NAME ENV...: clone, `make start`, wait until the first notebook's URL
# answers 200; prints the seconds. Fails after 10 minutes.
clone_to_served() {
    local name=$1; shift
    local dir=$work/$name port token start
    port=$(free_port); token=$(python3 -c "import secrets; print(secrets.token_hex(16))")
    start=$(date +%s.%N)
    git clone --quiet "$repo" "$dir"
    set -m
    (cd "$dir" && exec env "$@" make start PYTHON="$python" \
        LAB_ARGS="--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port=$port \
                  --ServerApp.port_retries=0 --IdentityProvider.token=$token" \
        >"$work/$name.log" 2>&1) &
    server=$!
    set +m
    local url="http://127.0.0.1:$port/lab/tree/notebooks/00_start_here.ipynb?token=$token"
    until python3 -c "import sys, urllib.request as u; u.urlopen(sys.argv[1], timeout=2)" "$url" 2>/dev/null; do
        if ! kill -0 "$server" 2>/dev/null; then
            echo "make start failed for $name; its log:" >&2; cat "$work/$name.log" >&2; exit 1
        fi
        if [ "$(seconds_since "$start" | cut -d. -f1)" -ge 600 ]; then
            echo "$name: no answer after 10 minutes" >&2; exit 1
        fi
        sleep 0.2
    done
    seconds_since "$start"
    kill -- -"$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""
}

# install_for_test NAME ENV...: clone, then `make venv-test` (what `make test` runs first).
install_for_test() {
    local name=$1; shift
    local dir=$work/$name start
    git clone --quiet "$repo" "$dir"
    start=$(date +%s.%N)
    (cd "$dir" && env "$@" make --no-print-directory venv-test PYTHON="$python" >"$work/$name.log" 2>&1) \
        || { cat "$work/$name.log" >&2; exit 1; }
    seconds_since "$start"
}

cases=${1:-all}
printf '%-66s %8s\n' "case" "seconds"
row() { printf '%-66s %8s\n' "$1" "$2"; }

# No uv anywhere, empty caches for uv and for the uv the Makefile fetches: a first-ever run.
fresh=(PATH="$no_uv_path" XDG_CACHE_HOME="$work/xdg" UV_CACHE_DIR="$work/uv-cache")
t=$(clone_to_served cold "${fresh[@]}")
row "clone -> served JupyterLab, no uv installed, cold uv cache" "$t"
t=$(clone_to_served warm "${fresh[@]}")
row "clone -> served JupyterLab, uv fetched before, warm uv cache" "$t"
t=$(install_for_test test-uv "${fresh[@]}")
row "make test install step (clone -> venv-test), uv, warm cache" "$t"
if [ "$cases" = all ]; then
    t=$(clone_to_served pip BPCOURSE_NO_UV=1)
    row "clone -> served JupyterLab, pip fallback (BPCOURSE_NO_UV=1), warm pip cache" "$t"
    t=$(install_for_test test-pip BPCOURSE_NO_UV=1)
    row "make test install step, pip fallback, warm pip cache" "$t"
fi
echo "targets: clone -> served <= 20 s (uv, fast index); make test install step <= 10 s"
