#!/usr/bin/env bash
# Measure the one-folder bundle: build time, size, `--version`, and launch to a visible
# window under Xvfb (median of 5; xdotool polled every 10 ms, engine process included).
# Run: bash tests/bench/bench_bundle.sh   (needs the 'bundle' extra, xvfb and xdotool)
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null || true' EXIT
start=$(date +%s.%N)
DIST="$work/dist" WORK="$work/build" bash packaging/build_bundle.sh > /dev/null
echo "build: $(echo "$(date +%s.%N) - $start" | bc | xargs printf '%.0f') s"
app="$work/dist/rangeload/rangeload"
echo "size: $(du -sh "$work/dist/rangeload" | cut -f1)"
start=$(date +%s.%N); "$app" --version > /dev/null
echo "--version: $(echo "$(date +%s.%N) - $start" | bc | xargs printf '%.2f') s"
export RANGELOAD_DATA_DIR="$work/data" DISPLAY=:97
Xvfb "$DISPLAY" -screen 0 1280x800x24 > /dev/null 2>&1 & xvfb=$!
sleep 1
times=()
for _ in 1 2 3 4 5; do
    start=$(date +%s.%N)
    "$app" > /dev/null 2>&1 & pid=$!
    until xdotool search --onlyvisible --name '^Rangeload$' > /dev/null 2>&1; do sleep 0.01; done
    times+=("$(echo "$(date +%s.%N) - $start" | bc)")
    kill -TERM "$pid"; wait "$pid" 2> /dev/null || true
    sleep 1
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
echo "window visible after launch: $(printf '%.2f' "$median") s (median of 5: ${times[*]})"
