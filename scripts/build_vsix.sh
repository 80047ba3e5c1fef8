#!/usr/bin/env bash
# Build the VS Code extension: unleak-<version>.vsix at the repository root (its path also goes
# to .vsix-path). Called by scripts/setup.sh; safe to re-run:
#   - `npm ci` only when package-lock.json (or Node's version) changed since the last one;
#   - the .vsix is rebuilt only when one of its inputs changed (a stamp of their hashes).
# Needs Node >= 20 with npm, and a Python with pip ($PYTHON, default .venv/bin/python) to
# install unleak and its pure-Python dependencies into bundled/libs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf '\n==> %s\n' "$*"; }

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "warning: node/npm not found: the VS Code extension (.vsix) is not built" >&2
    exit 0
fi
export PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
# npm 11 warns about an unknown "nodedir" user config on some machines: not ours to fix.
npm_quiet() { npm "$@" 2> >(grep -v 'Unknown user config "nodedir"' >&2); }

lock_stamp="$(cat package-lock.json <(node --version) | sha256sum | cut -d' ' -f1)"
if [[ -f node_modules/.unleak-lock-stamp && "$(cat node_modules/.unleak-lock-stamp)" == "$lock_stamp" ]]; then
    say "node_modules is current with package-lock.json: skipping npm ci"
else
    say "Installing the extension's npm dependencies (npm ci)"
    npm_quiet ci --no-audit --no-fund --loglevel=error
    echo "$lock_stamp" >node_modules/.unleak-lock-stamp
fi

version="$(node -p 'require("./package.json").version')"
vsix="$ROOT/unleak-$version.vsix"
# Everything the .vsix is made from (the Python package is installed from the work tree).
inputs_stamp="$(
    {
        find client/src bundled/tool server/unleak -type f \( -name '*.ts' -o -name '*.py' -o -name '*.typed' \) \
            -not -path '*/__pycache__/*'
        printf '%s\n' package.json package-lock.json .vscodeignore esbuild.mjs tsconfig.json \
            bundled/build.sh bundled/requirements.txt bundled/constraints.txt pyproject.toml README.md LICENSE \
            docs/rules.md
    } | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1
)"
stamp_file="$ROOT/out/vsix-inputs.sha256"
if [[ -f "$vsix" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$inputs_stamp" ]]; then
    say "$(basename "$vsix") is up to date with its sources: not rebuilt"
else
    say "Packaging the VS Code extension (bundled Python libraries, esbuild, vsce)"
    rm -f "$ROOT"/unleak-*.vsix "$stamp_file"
    log="$(mktemp)"
    # vscode:prepublish (package.json) runs bundled/build.sh and the production esbuild.
    # The secret scan is skipped: the package holds only our esbuild bundle and pip-installed
    # wheels (.vscodeignore lets nothing else in), and scanning jedi's ~5,600 typeshed stubs
    # takes many minutes on a 2-core machine.
    if ! npx --no-install vsce package --no-dependencies --allow-missing-repository \
        --no-rewrite-relative-links --allow-package-all-secrets --allow-package-env-file \
        --out "$vsix" </dev/null >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "error: vsce package failed" >&2
        exit 1
    fi
    grep -E 'bundled/libs:|DONE|WARNING' "$log" | grep -v 'consists of .* files' || true
    rm -f "$log"
    mkdir -p "$(dirname "$stamp_file")"
    echo "$inputs_stamp" >"$stamp_file"
fi
echo "$vsix" >"$ROOT/.vsix-path"
files="$("$PYTHON" -c 'import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))' "$vsix")"
say "VS Code extension: $vsix ($(du -h "$vsix" | cut -f1), $files files); install with: code --install-extension $(basename "$vsix")"
