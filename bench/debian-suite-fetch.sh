#!/usr/bin/env bash
# Downloads Debian packages from a suite the machine's own apt sources do not
# have (trixie-backports, sid, ...) with a private apt configuration: the
# machine's sources, lists, package cache and preferences are never read or
# written (dpkg's status is only read, for apt-cache policy's "Installed:"),
# nor is dpkg's architecture list changed. Everything private lives in CACHE/SUITE (default
# /var/cache/kasd-suites/SUITE):
#   sources.list  deb [signed-by=KEYRING] MIRROR SUITE main
#                 (and the base suite for a backports suite: trixie for
#                 trixie-backports, which its packages depend on)
#   preferences   pins SUITE to 990, so its version is the candidate even where
#                 the base suite has the package too (backports are NotAutomatic)
#   lists/ cache/ apt's lists and package cache for that configuration
# KEYRING is /usr/share/keyrings/debian-archive-keyring.gpg (on Debian 12 its
# 2023.3+deb12u2 holds trixie's archive keys too; the script checks that the
# suite's InRelease verifies with gpgv against it after the first update).
#
# usage: bench/debian-suite-fetch.sh [OPTIONS] SUITE DESTDIR PACKAGE[:ARCH][=VERSION]...
#          downloads the .deb files (no dependencies) into DESTDIR
#        bench/debian-suite-fetch.sh [OPTIONS] --apt-cache SUITE APT-CACHE-ARGS...
#          runs apt-cache with the suite's configuration (policy, search, show, madison)
#   --arch ARCH       also index architecture ARCH (repeatable; e.g. arm64 for
#                     PKG:arm64); dpkg's own architecture list is not changed
#   --cache DIR       private apt state per suite under DIR (default /var/cache/kasd-suites)
#   --no-update       reuse the lists from an earlier run (default: apt-get update first,
#                     which only fetches what changed)
#   --mirror URL      archive (default: the machine's own Debian archive, the first
#                     URIs: line of /etc/apt/sources.list.d/debian.sources or deb
#                     line of /etc/apt/sources.list that ends in /debian)
#   --component C     archive component (default main)
#   e.g. bench/debian-suite-fetch.sh --apt-cache trixie-backports search '^linux-source-7'
#        bench/debian-suite-fetch.sh trixie-backports /var/tmp/debs linux-source-7.3
#        bench/debian-suite-fetch.sh --arch arm64 trixie-backports /var/tmp/debs \
#          linux-image-7.3.4+deb13-arm64-dbg:arm64
set -euo pipefail

cache=/var/cache/kasd-suites
# The archive the machine already uses: its URL is read, never written down here.
mirror=$( { sed -n 's|^URIs:[[:space:]]*\(\S*/debian\)/\{0,1\}$|\1|p' /etc/apt/sources.list.d/*.sources 2>/dev/null
            sed -n 's|^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\{0,1\}\(\S*/debian\)/\{0,1\}[[:space:]].*|\2|p' \
              /etc/apt/sources.list 2>/dev/null; } | head -n 1 || true)
component=main
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
update=1
apt_cache=0
archs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) archs+=("$2"); shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --no-update) update=0; shift ;;
    --mirror) mirror=$2; shift 2 ;;
    --component) component=$2; shift 2 ;;
    --apt-cache) apt_cache=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    --) shift; break ;;
    -*) echo "debian-suite-fetch: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ "$apt_cache" = 1 ]; then
  [ $# -ge 2 ] || { echo "usage: debian-suite-fetch.sh [OPTIONS] --apt-cache SUITE APT-CACHE-ARGS..." >&2; exit 2; }
  suite=$1; shift
else
  [ $# -ge 3 ] || { echo "usage: debian-suite-fetch.sh [OPTIONS] SUITE DESTDIR PACKAGE..." >&2; exit 2; }
  suite=$1; dest=$2; shift 2
fi
case "$suite" in
  */*|.*|'') echo "debian-suite-fetch: bad suite name '$suite'" >&2; exit 2 ;;
esac
[ -r "$keyring" ] || { echo "debian-suite-fetch: no $keyring (apt-get install debian-archive-keyring)" >&2; exit 1; }
[ -n "$mirror" ] || { echo "debian-suite-fetch: no Debian archive in the machine's apt sources: give --mirror URL" >&2; exit 2; }

dir=$cache/$suite
mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
# The suites: a backports (or -updates, -proposed-updates) suite needs its
# base for dependencies; apt-cache policy then shows both versions.
suites=("$suite")
case "$suite" in
  *-backports|*-backports-sloppy|*-updates) suites+=("${suite%%-*}") ;;
esac
{
  for s in "${suites[@]}"; do
    echo "deb [signed-by=$keyring] $mirror $s $component"
  done
} > "$dir/sources.list.new"
mv "$dir/sources.list.new" "$dir/sources.list"
printf 'Package: *\nPin: release n=%s\nPin-Priority: 990\n' "$suite" > "$dir/preferences"

host=$(dpkg --print-architecture)
opts=(
  -o "Dir::Etc::SourceList=$dir/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::Etc::Preferences=$dir/preferences"
  -o "Dir::Etc::PreferencesParts=/dev/null"
  -o "Dir::State::Lists=$dir/lists"
  -o "Dir::Cache=$dir/cache"
  -o "Acquire::Languages=none"
  -o "Acquire::PDiffs=false"
  -o "APT::Architectures::=$host"
)
for a in "${archs[@]}"; do
  opts+=(-o "APT::Architectures::=$a")
done
# A PKG:ARCH argument indexes ARCH too, without --arch.
if [ "$apt_cache" = 0 ]; then
  for p in "$@"; do
    case "$p" in
      *:*) a=${p#*:}; a=${a%%=*}; opts+=(-o "APT::Architectures::=$a") ;;
    esac
  done
fi

if [ "$update" = 1 ] || ! ls "$dir/lists/"*_InRelease > /dev/null 2>&1; then
  echo "debian-suite-fetch: apt-get update for ${suites[*]} (private state in $dir)" >&2
  apt-get -q "${opts[@]}" update >&2
  # The signature apt accepted, checked again by hand against the keyring alone.
  for s in "${suites[@]}"; do
    rel=
    for f in "$dir/lists/"*"_dists_${s}_InRelease"; do [ -f "$f" ] && rel=$f && break; done
    [ -n "$rel" ] || { echo "debian-suite-fetch: no InRelease for $s in $dir/lists" >&2; exit 1; }
    # (gpgv exits non-zero when any one of the several signatures has no key
    # here, so what counts is a good signature by one of the keyring's keys.)
    out=$(gpgv --keyring "$keyring" "$rel" 2>&1 || true)
    good=$(grep -c '^gpgv: Good signature' <<< "$out" || true)
    [ "$good" -gt 0 ] || { echo "debian-suite-fetch: $rel does not verify against $keyring:" >&2; echo "$out" >&2; exit 1; }
    echo "debian-suite-fetch: $(basename "$rel"): $good good signature(s) by $keyring" >&2
  done
fi

if [ "$apt_cache" = 1 ]; then
  exec apt-cache "${opts[@]}" "$@"
fi

mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
# apt-get download writes into the current directory; as root it warns that
# the _apt user cannot write there (an unsandboxed download), which is harmless.
cd "$dest"
apt-get -q "${opts[@]}" download "$@" >&2
ls -l "$dest"/*.deb
