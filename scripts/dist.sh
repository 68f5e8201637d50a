#!/bin/sh
# Make the release file staff install from: dist/acupressure-kiosk-VERSION.tar.gz.
#
#   make dist                 (= sh scripts/dist.sh)
#   make dist DISTDIR=dir     (write the file into dir instead of dist/)
#
# VERSION is the one in pyproject.toml. The file unpacks into one folder,
# acupressure-kiosk-VERSION/, holding everything the installer needs: kiosk/, media/,
# systemd/, scripts/, docs/, pyproject.toml, README.md and Makefile (and LICENSE* if there is
# one), but no tests, .venv, .git or caches. In a git checkout the files are the ones git
# knows (tracked, or new and not ignored); elsewhere every file of those folders except
# caches. MANIFEST.sha256 in the folder lists every other file with its SHA-256 checksum:
# scripts/install.sh refuses to run when a listed file is missing or differs (a half-copied
# folder), and `sha256sum -c MANIFEST.sha256` checks it by hand.
#
# Options: --out DIR, --help.

set -eu

NAME=acupressure-kiosk
SHIPPED="kiosk media systemd scripts docs pyproject.toml README.md Makefile"
MANIFEST=MANIFEST.sha256

SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=$SRC/dist

say() { printf 'dist: %s\n' "$*"; }
die() { printf 'dist: ERROR: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
        --out) [ $# -ge 2 ] || die "--out needs a directory"; OUT=$2; shift ;;
        --out=*) OUT=${1#*=} ;;
        -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) die "unknown option: $1 (see --help)" ;;
    esac
    shift
done

# The version line of [project] in pyproject.toml: version = "0.1.0".
VERSION=$(sed -n 's/^version *= *"\([^"]*\)".*/\1/p' "$SRC/pyproject.toml" | head -n 1)
[ -n "$VERSION" ] || die "no version = \"...\" line in $SRC/pyproject.toml"
case $VERSION in *[!A-Za-z0-9.+-]*) die "unusual version in pyproject.toml: $VERSION" ;; esac
RELEASE=$NAME-$VERSION

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
part=""
stage=$(mktemp -d)
trap 'rm -rf "$stage" ${part:+"$part"}' EXIT
trap 'exit 1' INT TERM
top=$stage/$RELEASE
mkdir "$top"

# The file list, one path a line, relative to the project folder.
list=$stage/files
for license in "$SRC"/LICENSE*; do
    [ -f "$license" ] && SHIPPED="$SHIPPED ${license##*/}"
done
# shellcheck disable=SC2086 # one word per shipped path
if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$SRC" ls-files --cached --others --exclude-standard -- $SHIPPED >"$list.all"
else
    (cd "$SRC" && find $SHIPPED -type f) >"$list.all"
fi
# Only files that are really there (a deleted file git still tracks is left out), no caches.
while IFS= read -r path; do
    case /$path in */__pycache__/*|*.pyc|*.egg-info/*) continue ;; esac
    [ -f "$SRC/$path" ] && printf '%s\n' "$path"
done <"$list.all" | LC_ALL=C sort -u >"$list"
[ -s "$list" ] || die "no files found to ship in $SRC"

for needed in pyproject.toml Makefile scripts/install.sh systemd/$NAME.service; do
    grep -qx "$needed" "$list" || die "$needed is not in the file list (is it new and ignored?)"
done

# Copy the files with their modes, then write the checksums of the copies.
(cd "$SRC" && tar -cf - --no-recursion -T "$list") | (cd "$top" && tar -xpf -)
(cd "$top" && tr '\n' '\0' <"$list" | xargs -0 sha256sum) >"$top/$MANIFEST"

archive=$OUT/$RELEASE.tar.gz
part=$archive.part
(cd "$stage" && tar -cf - --sort=name --owner=0 --group=0 --numeric-owner "$RELEASE") \
    | gzip -n -9 >"$part"
gzip -t "$part" || die "the archive $part came out broken"
mv "$part" "$archive"
count=$(wc -l <"$list" | tr -d ' ')
say "wrote $archive ($count files and $MANIFEST)"
