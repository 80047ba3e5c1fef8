#!/usr/bin/env bash
# Set up unleak on a fresh machine (Debian, python3 >= 3.10, Node 20) and run the main job.
#
#   bash scripts/setup.sh
#
# Idempotent: an existing .venv is reused, `pip install -e` is cheap when nothing changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"

say() { printf '\n==> %s\n' "$*"; }

# --- 1. Python virtual environment -------------------------------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
    say "Creating virtual environment $VENV with $("$PYTHON" --version 2>&1)"
    "$PYTHON" -m venv "$VENV"
else
    say "Reusing virtual environment $VENV ($("$VENV/bin/python" --version 2>&1))"
fi

say "Installing unleak (editable) with dev dependencies"
"$VENV/bin/python" -m pip install --quiet -e '.[dev]'

# --- 2. VS Code extension -----------------------------------------------------------------
# unleak-<version>.vsix at the repository root (path also in .vsix-path): npm ci when
# package-lock.json changed, then vsce package when the extension's sources changed.
PYTHON="$VENV/bin/python" bash "$ROOT/scripts/build_vsix.sh"

# --- 3. Main job: check the bundled example project ----------------------------------------
# The examples contain deliberate leaks, so exit code 1 (findings) is expected;
# 2 (usage/internal error) or anything else is a real failure.
# An uncaught Python exception also exits 1, so a traceback on stderr is a failure too.
say "Running: unleak check examples/"
errors="$(mktemp)"
trap 'rm -f "$errors"' EXIT
status=0
"$VENV/bin/unleak" check examples/ 2>"$errors" || status=$?
cat "$errors" >&2
if grep -q '^Traceback (most recent call last):' "$errors"; then
    echo "error: unleak check crashed (exit code $status)" >&2
    exit 2
fi
case "$status" in
    0) say "unleak check finished: no findings (unexpected for the examples, but not an error)" ;;
    1) say "unleak check finished: findings reported (expected: the examples leak on purpose)" ;;
    *) echo "error: unleak check failed with exit code $status" >&2; exit "$status" ;;
esac

say "Setup done. Run the tests with: bash scripts/test.sh"
