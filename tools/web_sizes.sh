#!/usr/bin/env bash
# tools/web_sizes.sh: download sizes of the browser apps, as a markdown table (stdout).
#
#   tools/web_sizes.sh [DIST_DIR]      (default build-wasm/dist, made by `make wasm`)
#
# Raw, gzip (-9) and brotli (-q 11, what the relay serves to browsers that accept it) bytes of the
# embed loader, the widget's files (page, app .wasm + .js, fonts) and the inbox's, against the
# budgets: loader <= 8 KiB raw and 3 KiB brotli (issue 8: it carries an open conversation across
# page loads), widget app + fonts <= 300 KiB brotli. A measurement, not a test: it
# reports "over" but exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
DIST=${1:-build-wasm/dist}
[[ -f $DIST/widget.html ]] || { echo "web_sizes: $DIST/widget.html missing: run 'make wasm'" >&2; exit 1; }
for tool in gzip brotli; do
  command -v "$tool" >/dev/null || { echo "web_sizes: $tool not found (tools/setup.sh --wasm)" >&2; exit 1; }
done

# one FILE...: the file matching a dist name pattern (hashed names: widget-app.<hash>.wasm).
one() {
  local f
  f=$(find "$DIST" -maxdepth 1 -type f -name "$1" ! -name '*.br' ! -name '*.gz' | head -1)
  [[ -n $f ]] || { echo "web_sizes: no $1 in $DIST" >&2; exit 1; }
  echo "$f"
}
raw() { stat -c %s "$1"; }
gz() { gzip -9 -n -c "$1" | wc -c; }
br() { brotli -q 11 -c "$1" | wc -c; }
kib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }

# page_files PAGE: the page and the scripts and stylesheets it references, apps and fonts aside.
page_files() {
  echo "$DIST/$1"
  grep -oE '(src|href)="[^"]+"' "$DIST/$1" | sed -E 's/^(src|href)="//; s/"$//' |
    grep -vE '^data:|-app\.|\.ttf$' | grep -E '\.(js|css)$' | while read -r f; do
    [[ -f $DIST/$f ]] && echo "$DIST/$f"
  done
}

LOADER=$(one widget.js)
mapfile -t W_PAGE < <(page_files widget.html)
W_WASM=$(one 'widget-app.*.wasm')
W_JS=$(one 'widget-app.*.js')
FONT=$(one 'parley-sans.*.ttf')
FONT_BOLD=$(one 'parley-sans-bold.*.ttf')
mapfile -t I_PAGE < <(page_files inbox.html)
I_WASM=$(one 'inbox-app.*.wasm')
I_JS=$(one 'inbox-app.*.js')

declare -A SUM_RAW SUM_GZ SUM_BR
row() {  # LABEL GROUP FILE...: one row (files summed); GROUP accumulates totals
  local label=$1 group=$2
  shift 2
  local r=0 g=0 b=0 f
  for f in "$@"; do
    r=$((r + $(raw "$f")))
    g=$((g + $(gz "$f")))
    b=$((b + $(br "$f")))
  done
  for key in $group; do
    SUM_RAW[$key]=$((${SUM_RAW[$key]:-0} + r))
    SUM_GZ[$key]=$((${SUM_GZ[$key]:-0} + g))
    SUM_BR[$key]=$((${SUM_BR[$key]:-0} + b))
  done
  printf '| %s | %d | %d | %d | %s KiB |\n' "$label" "$r" "$g" "$b" "$(kib "$b")"
}
verdict() {  # BYTES LIMIT_BYTES
  if (($1 <= $2)); then echo "within"; else echo "**over**"; fi
}

echo "| file | raw B | gzip B | brotli B | brotli |"
echo "|---|---:|---:|---:|---:|"
row "embed loader \`widget.js\` (every page of the host site)" loader "$LOADER"
row "widget page: \`widget.html\` + its script and CSS" widget_page "${W_PAGE[@]}"
row "widget app \`.wasm\`" widget "$W_WASM"
row "widget app \`.js\`" widget "$W_JS"
row "font: DejaVu Sans subset" "widget inbox" "$FONT"
row "font: DejaVu Sans Bold subset" "widget inbox" "$FONT_BOLD"
row "inbox page: \`inbox.html\` + its script and CSS" inbox_page "${I_PAGE[@]}"
row "inbox app \`.wasm\`" inbox "$I_WASM"
row "inbox app \`.js\`" inbox "$I_JS"
printf '| **widget app + fonts** (first open of the chat) | %d | %d | %d | %s KiB |\n' \
  "${SUM_RAW[widget]}" "${SUM_GZ[widget]}" "${SUM_BR[widget]}" "$(kib "${SUM_BR[widget]}")"
printf '| **inbox app + fonts** | %d | %d | %d | %s KiB |\n' \
  "${SUM_RAW[inbox]}" "${SUM_GZ[inbox]}" "${SUM_BR[inbox]}" "$(kib "${SUM_BR[inbox]}")"
echo
echo "Budgets: loader <= 8 KiB raw (8192 B): ${SUM_RAW[loader]} B ($(verdict "${SUM_RAW[loader]}" 8192)), \
<= 3 KiB brotli (3072 B): ${SUM_BR[loader]} B ($(verdict "${SUM_BR[loader]}" 3072)); widget app + fonts <= 300 KiB brotli: \
$(kib "${SUM_BR[widget]}") KiB ($(verdict "${SUM_BR[widget]}" 307200)). The widget's page, its boot script and CSS add \
$(kib "${SUM_BR[widget_page]}") KiB brotli."
