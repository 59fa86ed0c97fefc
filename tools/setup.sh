#!/usr/bin/env bash
# Installs everything Parley needs on Debian 12, idempotently. Safe to run again: packages already
# present are skipped, downloads are cached outside the clone (~/.cache/parley), checked by sha256.
#
#   tools/setup.sh            native build + tests (relay, shared, tools)
#   tools/setup.sh --wasm     also Emscripten (shared/ as WebAssembly, browser apps)
#   tools/setup.sh --browser  also Chromium and the npm test tooling (end-to-end tests)
#   tools/setup.sh --all      everything
set -euo pipefail

want_wasm=0; want_browser=0
for a in "$@"; do
  case "$a" in
    --wasm) want_wasm=1 ;;
    --browser) want_browser=1 ;;
    --all) want_wasm=1; want_browser=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "setup: unknown option $a" >&2; exit 2 ;;
  esac
done

here=$(cd "$(dirname "$0")/.." && pwd)
cache="${PARLEY_CACHE:-$HOME/.cache/parley}"
mkdir -p "$cache"

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

pkgs=(build-essential cmake ccache pkg-config git
      libboost-dev libcpp-httplib-dev nlohmann-json3-dev libsqlite3-dev sqlite3 doctest-dev
      libsodium-dev libssl-dev zlib1g-dev libbrotli-dev libjemalloc-dev
      clang-format clang-tidy cppcheck nodejs npm)
[ $want_wasm -eq 1 ] && pkgs+=(emscripten brotli python3-fonttools fonts-dejavu-core fonts-noto-core)
# The browser tests draw every script (tests/e2e/scripts.test.mjs): Chromium takes Arabic, Hebrew,
# Devanagari and Thai from fonts-noto-core, Chinese/Japanese/Korean from fonts-noto-cjk and colour
# emoji from fonts-noto-color-emoji (these are the test machine's fonts; visitors' browsers use theirs).
[ $want_browser -eq 1 ] && pkgs+=(chromium fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji)

missing=()
for p in "${pkgs[@]}"; do
  # nodejs/npm may come from elsewhere on a developer machine: a working binary is enough.
  if [ "$p" = nodejs ] && command -v node >/dev/null; then continue; fi
  if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=120 update -q
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 \
    install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: system packages present"
fi

# npm test tooling (ws for the independent-client test; playwright-core for end-to-end tests),
# from the committed lockfile, with the npm cache outside the clone.
if [ -f "$here/tests/node/package-lock.json" ]; then
  lock_sum=$(sha256sum "$here/tests/node/package-lock.json" | cut -d' ' -f1)
  stamp="$here/tests/node/node_modules/.parley-lock-$lock_sum"
  if [ ! -f "$stamp" ]; then
    echo "setup: npm ci in tests/node"
    (cd "$here/tests/node" && npm ci --no-audit --no-fund --cache "$cache/npm" --loglevel=error)
    touch "$stamp"
  fi
fi

if [ $want_wasm -eq 1 ]; then
  # Dear ImGui sources from Debian's source package (the binary package ships no backends).
  imgui_dir="$cache/imgui-1.86"
  if [ ! -f "$imgui_dir/imgui.cpp" ]; then
    if ! ls /etc/apt/sources.list.d/debian-src.sources >/dev/null 2>&1; then
      sed -e 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
        "${sudo_cmd[@]}" tee /etc/apt/sources.list.d/debian-src.sources >/dev/null
      "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=120 update -q
    fi
    (cd "$cache" && apt-get source --download-only imgui >/dev/null 2>&1 &&
       tar xf imgui_1.86+ds.orig.tar.xz)
  fi
fi
echo "setup: done"
