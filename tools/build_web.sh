#!/usr/bin/env bash
# Assembles the folder the relay serves (--web-dir): the static files of web/, the apps' files
# under content-hashed names, and .br/.gz siblings of everything compressible.
#
#   tools/build_web.sh WEB_DIR DIST_DIR [FILE=NAME ...]
#
# Each FILE is copied as NAME with the first 10 hex digits of its sha256 inserted before the
# extension ("widget-app.js" -> "widget-app.3f9a2b1c04.js"): the relay serves such names with
# "immutable" caching. Every "{{NAME}}" in web/**/*.html is replaced by the hashed name, so a page
# always references the exact build it ships with. Files of web/ keep their names (the embed
# loader widget.js is referenced by other sites and is served with no-cache).
# Called by the CMake target web_dist; needs sha256sum, brotli and gzip (tools/setup.sh --wasm).
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '2,13p' "$0" >&2
  exit 2
fi
web=$1; dist=$2; shift 2

for tool in sha256sum brotli gzip; do
  command -v "$tool" >/dev/null || { echo "build_web: $tool not found (tools/setup.sh --wasm)" >&2; exit 1; }
done

rm -rf "$dist"
mkdir -p "$dist"
cp -R "$web"/. "$dist"/

subst=()
for pair in "$@"; do
  src=${pair%%=*}
  name=${pair#*=}
  [ -f "$src" ] || { echo "build_web: missing $src" >&2; exit 1; }
  hash=$(sha256sum "$src" | cut -c1-10)
  hashed="${name%.*}.$hash.${name##*.}"
  cp "$src" "$dist/$hashed"
  subst+=(-e "s|{{${name}}}|${hashed}|g")
done

render() {  # FILE: replace the placeholders known so far
  if [ ${#subst[@]} -gt 0 ]; then sed -i "${subst[@]}" "$1"; fi
}
unresolved() {
  if grep -q '{{[^}]*}}' "$1"; then
    echo "build_web: unresolved placeholder in $1: $(grep -o '{{[^}]*}}' "$1" | head -1)" >&2
    exit 1
  fi
}

# Stylesheets and scripts of web/ may name app files ("{{parley-sans.ttf}}" in a @font-face).
while IFS= read -r -d '' f; do render "$f"; done < <(find "$dist" \( -name '*.css' -o -name '*.js' \) -print0)

# A page placeholder naming a file of web/ itself ("{{widget.css}}") gets that file under a hashed
# name too, so pages and their assets are cached as one immutable set.
while IFS= read -r name; do
  [ -f "$dist/$name" ] || continue
  unresolved "$dist/$name"
  hash=$(sha256sum "$dist/$name" | cut -c1-10)
  hashed="${name%.*}.$hash.${name##*.}"
  mv "$dist/$name" "$dist/$hashed"
  subst+=(-e "s|{{${name}}}|${hashed}|g")
done < <(find "$dist" -name '*.html' -exec grep -oh '{{[^}]*}}' {} + | sort -u | sed 's/^{{//; s/}}$//')

# Render the pages.
while IFS= read -r -d '' page; do
  render "$page"
  unresolved "$page"
done < <(find "$dist" -name '*.html' -print0)

# Precompressed siblings (the relay picks .br, then .gz, by Accept-Encoding). Kept only when smaller.
while IFS= read -r -d '' f; do
  brotli -q 11 -f -o "$f.br" "$f"
  gzip -9 -n -c "$f" > "$f.gz"
  size=$(stat -c %s "$f")
  for c in "$f.br" "$f.gz"; do
    [ "$(stat -c %s "$c")" -lt "$size" ] || rm -f "$c"
  done
done < <(find "$dist" -type f \( -name '*.html' -o -name '*.js' -o -name '*.wasm' -o -name '*.css' \
           -o -name '*.ttf' -o -name '*.svg' -o -name '*.json' -o -name '*.txt' \) -print0)

# Size report (raw / gzip / brotli).
printf '%-40s %9s %9s %9s\n' file raw gz br
while IFS= read -r -d '' f; do
  rel=${f#"$dist"/}
  sz() { if [ -f "$1" ]; then stat -c %s "$1"; else echo -; fi; }
  printf '%-40s %9s %9s %9s\n' "$rel" "$(sz "$f")" "$(sz "$f.gz")" "$(sz "$f.br")"
done < <(find "$dist" -type f ! -name '*.br' ! -name '*.gz' ! -name '.stamp' -print0 | sort -z)
