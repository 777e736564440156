#!/usr/bin/env bash
# Vendor the front-end assets into onewindow/static/vendor/ from the npm registry.
#
# The site never loads anything from a CDN: these files are committed and served by
# WhiteNoise like any other static file. To upgrade, change a version below, run
# `make vendor`, look at the diff and commit the result (VERSIONS.txt included).
#
#   scripts/vendor_static.sh          fetch the pinned versions and (re)write the files
#   scripts/vendor_static.sh --check  verify the committed files against VERSIONS.txt
#
# Only the dist files the templates use are copied, with each package's licence.
# The trailing "sourceMappingURL" comment is removed from bootstrap's .min files: the
# .map files are not vendored, and Django's ManifestStaticFilesStorage (collectstatic)
# fails on a source map reference whose file is missing.
set -euo pipefail

BOOTSTRAP_VERSION=5.3.9
BOOTSTRAP_ICONS_VERSION=1.13.2
HTMX_VERSION=2.0.11
ECHARTS_VERSION=6.1.0

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/onewindow/static/vendor"
VERSIONS="$DEST/VERSIONS.txt"

if [[ "${1:-}" == "--check" ]]; then
    # Lines: package version sha256 path (path relative to $DEST); '#' starts a comment.
    cd "$DEST"
    grep -v '^#' "$VERSIONS" | awk 'NF == 4 && $4 !~ /\.tgz$/ {print $3 "  " $4}' | sha256sum --quiet -c -
    echo "vendor: all files match VERSIONS.txt"
    exit 0
fi

command -v npm >/dev/null || { echo "vendor_static.sh: npm is needed (apt-get install npm)" >&2; exit 1; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# fetch PKG VERSION: download the tarball from the npm registry and unpack it to $TMP/PKG.
fetch() {
    local pkg="$1" version="$2" tarball
    tarball="$(cd "$TMP" && npm pack --silent "$pkg@$version" | tail -n 1)"
    mkdir -p "$TMP/$pkg"
    tar -xzf "$TMP/$tarball" -C "$TMP/$pkg" --strip-components=1
    TARBALL_SHA["$pkg"]="$(sha256sum "$TMP/$tarball" | cut -d' ' -f1)"
    TARBALL_NAME["$pkg"]="$tarball"
}

# put PKG SRC DST: copy $TMP/PKG/SRC to $DEST/<directory of PKG>/DST.
put() {
    local pkg="$1" src="$2" dst="$DEST/${DIR_OF[$1]}/$3"
    install -D -m 0644 "$TMP/$pkg/$src" "$dst"
    case "$dst" in
        *.js | *.css)
            sed -i -E '/^(\/\*# sourceMappingURL=[^ ]+ \*\/|\/\/# sourceMappingURL=[^ ]+)[[:space:]]*$/d' "$dst"
            if grep -q 'sourceMappingURL=' "$dst"; then
                echo "vendor_static.sh: $dst still names a source map" >&2
                exit 1
            fi
            ;;
    esac
}

declare -A TARBALL_SHA TARBALL_NAME
declare -A VERSION_OF=(
    [bootstrap]="$BOOTSTRAP_VERSION"
    [bootstrap-icons]="$BOOTSTRAP_ICONS_VERSION"
    [htmx.org]="$HTMX_VERSION"
    [echarts]="$ECHARTS_VERSION"
)
# Directory under onewindow/static/vendor/ for each npm package.
declare -A DIR_OF=(
    [bootstrap]=bootstrap
    [bootstrap-icons]=bootstrap-icons
    [htmx.org]=htmx
    [echarts]=echarts
)
PACKAGES=(bootstrap bootstrap-icons htmx.org echarts)

for pkg in "${PACKAGES[@]}"; do
    fetch "$pkg" "${VERSION_OF[$pkg]}"
    rm -rf "${DEST:?}/${DIR_OF[$pkg]}"
done

put bootstrap dist/css/bootstrap.min.css css/bootstrap.min.css
put bootstrap dist/js/bootstrap.bundle.min.js js/bootstrap.bundle.min.js
put bootstrap LICENSE LICENSE

put bootstrap-icons font/bootstrap-icons.min.css font/bootstrap-icons.min.css
for f in "$TMP"/bootstrap-icons/font/fonts/*.woff2 "$TMP"/bootstrap-icons/font/fonts/*.woff; do
    put bootstrap-icons "font/fonts/$(basename "$f")" "font/fonts/$(basename "$f")"
done
put bootstrap-icons LICENSE LICENSE

put htmx.org dist/htmx.min.js htmx.min.js
put htmx.org LICENSE LICENSE

put echarts dist/echarts.min.js echarts.min.js
put echarts LICENSE LICENSE
put echarts NOTICE NOTICE
put echarts licenses/LICENSE-d3 licenses/LICENSE-d3

{
    echo "# Written by scripts/vendor_static.sh from the npm registry; do not edit by hand."
    echo "# Check with: scripts/vendor_static.sh --check"
    echo "# package version sha256 path (file paths relative to this directory; *.tgz = npm tarball)"
    for pkg in "${PACKAGES[@]}"; do
        echo "$pkg ${VERSION_OF[$pkg]} ${TARBALL_SHA[$pkg]} ${TARBALL_NAME[$pkg]}"
        (cd "$DEST" && find "${DIR_OF[$pkg]}" -type f | LC_ALL=C sort | while read -r f; do
            echo "$pkg ${VERSION_OF[$pkg]} $(sha256sum "$f" | cut -d' ' -f1) $f"
        done)
    done
} >"$VERSIONS"

echo "vendor: wrote $(grep -vc -e '^#' -e '\.tgz$' "$VERSIONS") files under ${DEST#"$ROOT"/}"
