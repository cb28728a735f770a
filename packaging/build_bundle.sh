#!/usr/bin/env bash
# Build the one-folder bundle into dist/rangeload/ (or $DIST/rangeload/), from anywhere.
# Needs the 'bundle' extra: pip install -e '.[bundle]'.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
dist=${DIST:-dist}
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$dist" --workpath "${WORK:-build/pyinstaller}" packaging/rangeload.spec
echo "bundle: $dist/rangeload/rangeload ($(du -sh "$dist/rangeload" | cut -f1))"
