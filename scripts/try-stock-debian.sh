#!/usr/bin/env bash
# Tries the README's two Quick start commands as a new user would: on a
# minimal Debian 12 root (debootstrap --variant=minbase, plus build-essential,
# cmake, ninja-build and git), holding a clone of this repository's HEAD
# (commit first: uncommitted changes are not tried), inside a chroot. Run by
# hand, as root, not by CI: it takes about 25 minutes on 2 cores.
#
#   scripts/try-stock-debian.sh [--keep] [DIR]
#
# DIR (default: a new directory under /var/tmp) receives the root and the
# logs; the root is removed at the end unless --keep is given. From the host
# the root gets only what it needs to reach the registries the host reaches:
# the host's Debian mirror (read from its APT sources), DNS settings, CA
# certificates and npm configuration.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
suite=bookworm

keep=false
if [[ ${1:-} == --keep ]]; then
  keep=true
  shift
fi
[[ $(id -u) -eq 0 ]] || { echo "try-stock-debian: needs root (debootstrap, mount, chroot)" >&2; exit 1; }
dir=${1:-$(mktemp -d /var/tmp/cliquet-stock-debian.XXXXXX)}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
root=$dir/root
logs=$dir/logs
mkdir -p "$logs"

say() { echo "try-stock-debian: $*" >&2; }

# "URI SUITE COMPONENTS..." for each Debian suite of $suite's family
# (bookworm, bookworm-updates, bookworm-security) in the host's APT sources,
# one-line and deb822 formats alike.
host_debian_sources() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $file ]] || continue
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$file" |
      awk -v s="$suite" '$1 == "deb" && $3 ~ "^" s "(-updates|-security)?$" { $1 = ""; sub(/^ /, ""); print }'
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -f $file ]] || continue
    awk -v s="$suite" '
      function flush(   i, j, n, m, uri, suites) {
        if (types ~ /(^| )deb( |$)/ && enabled != "no") {
          n = split(uris, uri, " "); m = split(suites_, suites, " ")
          for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
            if (suites[j] ~ "^" s "(-updates|-security)?$") print uri[i], suites[j], components
        }
        types = uris = suites_ = components = enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      { key = tolower($1); sub(/^[^:]*:[ \t]*/, "") }
      key == "types:" { types = $0 } key == "uris:" { uris = $0 } key == "suites:" { suites_ = $0 }
      key == "components:" { components = $0 } key == "enabled:" { enabled = tolower($0) }
      END { flush() }' "$file"
  done
}

mounted=()
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  local status=$? mount i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    mount=${mounted[i]}
    umount -R "$mount" 2>/dev/null || umount -R -l "$mount" || say "could not unmount $mount"
  done
  if ! $keep && [[ -d $root ]]; then
    # Never delete through a mount that is still there (the host's /dev).
    if grep -q " $root/" /proc/mounts; then
      say "mounts remain under $root; not removing it"
    else
      rm -rf --one-file-system "$root"
    fi
  fi
  say "logs in $logs"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Mounts into the root; a slave mount, so that unmounting it again never
# reaches the host's own mounts.
mount_in_root() {  # mount_in_root TARGET MOUNT-ARGS...
  local target=$root$1
  shift
  mount "$@" "$target"
  mounted+=("$target")
  mount --make-rslave "$target"
}

seconds() { date +%s; }
elapsed() { local s=$(($(seconds) - $1)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# ---- the root ------------------------------------------------------------------
sources=$(host_debian_sources | sort -u)
mirror=$(awk -v s="$suite" '$2 == s { print $1; exit }' <<<"$sources")
[[ -n $mirror ]] || { say "the host's APT sources name no Debian mirror for $suite"; exit 1; }

if ! command -v debootstrap >/dev/null 2>&1; then
  say "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null ||
    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
fi

start=$(seconds)
say "debootstrap $suite (minbase, with build-essential cmake ninja-build git) into $root"
debootstrap --variant=minbase --include=build-essential,cmake,ninja-build,git \
  "$suite" "$root" "$mirror" >"$logs/debootstrap.log" 2>&1 ||
  { say "debootstrap failed; see $logs/debootstrap.log"; tail -n 20 "$logs/debootstrap.log" >&2; exit 1; }
debootstrap_time=$(elapsed "$start")

# The host's Debian suites (with updates and security), its resolver, its
# CA certificates (also where update-ca-certificates looks, for when the
# root's ca-certificates package regenerates the bundle) and npm settings.
awk '{ uri = $1; suite = $2; $1 = $2 = ""; sub(/^ +/, ""); print "deb", uri, suite, $0 }' <<<"$sources" \
  >"$root/etc/apt/sources.list"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
  mkdir -p "$root/etc/ssl/certs"
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
fi
if compgen -G '/usr/local/share/ca-certificates/*' >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp -rL /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
fi
for npmrc in /etc/npmrc /usr/etc/npmrc /root/.npmrc; do
  [[ -f $npmrc ]] || continue
  mkdir -p "$root$(dirname "$npmrc")"
  cp -L "$npmrc" "$root$npmrc"
done

git clone --quiet "$here" "$root/root/cliquet"
commit=$(git -C "$root/root/cliquet" rev-parse --short HEAD)

mount_in_root /proc -t proc proc
mount_in_root /sys --rbind /sys
mount_in_root /dev --rbind /dev

# ---- the two commands, as the README gives them ----------------------------------
in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -c "cd /root/cliquet && $1"
}

status=0
declare -A took
for command in scripts/demo.sh scripts/test.sh; do
  name=$(basename "$command" .sh)
  say "running $command in the root (log: $logs/$name.log)"
  start=$(seconds)
  if in_root "$command" >"$logs/$name.log" 2>&1; then
    took[$name]="$(elapsed "$start"), passed"
  else
    code=$?
    took[$name]="$(elapsed "$start"), FAILED (exit $code)"
    status=1
    tail -n 30 "$logs/$name.log" >&2
  fi
done

node_used=$(in_root "sed -n 's/^CLIQUET_INTEROP_NODE:INTERNAL=//p' build/release/CMakeCache.txt" 2>/dev/null || true)
node_version=$([[ -n $node_used ]] && in_root "$node_used --version" 2>/dev/null || echo none)
system_node=$(in_root 'node --version' 2>/dev/null || echo none)

echo
echo "cliquet $commit on a minimal Debian ${suite} root ($(cat "$root/etc/debian_version"))"
echo "  debootstrap:     $debootstrap_time"
echo "  scripts/demo.sh: ${took[demo]}"
echo "  scripts/test.sh: ${took[test]}"
echo "  system node:     $system_node; the interop tests ran on $node_version ($node_used)"
grep -E '^== |tests passed|tests failed out of' "$logs/test.log" | sed 's/^/  /' || true
exit "$status"
