#!/usr/bin/env bash
# Install unleak and its runtime dependencies into bundled/libs for the .vsix
# (npm run bundle-python; run by `vsce package` through vscode:prepublish).
#
# Only pure-Python wheels (platform "any"), no .pyc files: the extension then runs on any OS
# and architecture, with any Python >= 3.10. Dependencies that only older Pythons need
# (tomli, exceptiongroup) are listed in requirements.txt, because pip evaluates markers for the
# Python that runs it, not for the oldest one the .vsix must support.
set -euo pipefail

BUNDLED="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BUNDLED")"
if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x "$ROOT/.venv/bin/python" ]]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi
LIBS="$BUNDLED/libs"
WHEELS="$(mktemp -d)"
trap 'rm -rf "$WHEELS"' EXIT

export PIP_DISABLE_PIP_VERSION_CHECK=1
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$WHEELS" "$ROOT" 2>"$WHEELS/wheel.log" \
    || { cat "$WHEELS/wheel.log" >&2; exit 1; }
rm -rf "$LIBS"
# (This machine's pip configuration names local indexes that may not exist: not our noise.)
"$PYTHON" -m pip install --quiet --target "$LIBS" --no-compile \
    --only-binary=:all: --platform any --implementation py --abi none --python-version 3.10 \
    -c "$BUNDLED/constraints.txt" -r "$BUNDLED/requirements.txt" "$WHEELS"/unleak-*.whl \
    2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
# Console scripts have the build machine's interpreter path in them: of no use in the .vsix.
rm -rf "$LIBS/bin"
find "$LIBS" -name __pycache__ -type d -prune -exec rm -rf {} +

if find "$LIBS" \( -name '*.so' -o -name '*.pyd' -o -name '*.dylib' \) | grep -q .; then
    echo "error: bundled/libs contains compiled extensions; the .vsix must be pure Python" >&2
    exit 1
fi
echo "bundled/libs: $(ls "$LIBS" | grep -v '\.dist-info$' | tr '\n' ' ')"
