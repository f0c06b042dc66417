#!/bin/bash
# Installs Apptainer on a Debian 12 machine without any container registry (as root), for `make images`
# and `--software-deployment-method apptainer`. Debian 12 has no apptainer and sid's needs glibc >= 2.38
# (bookworm: 2.36), so it goes into a Debian trixie root made by debootstrap from the apt mirror, which
# containers/bin/apptainer enters. Idempotent: a second run with the root in place does nothing.
set -euo pipefail
ROOT=${AMBS_APPTAINER_ROOT:-/var/cache/ambs-apptainer/root}
MIRROR=${AMBS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
export DEBIAN_FRONTEND=noninteractive

[ -x "$ROOT/usr/bin/apptainer.real" ] && exit 0
[ "$(id -u)" = 0 ] || { echo "setup-apptainer.sh: needs root (debootstrap, mounts)" >&2; exit 1; }
command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
[ -e "$ROOT/etc/debian_version" ] || debootstrap --variant=minbase trixie "$ROOT" "$MIRROR"
cat >"$ROOT/etc/apt/sources.list" <<SOURCES
deb $MIRROR trixie main
deb $MIRROR sid main
SOURCES
printf 'Package: *\nPin: release n=sid\nPin-Priority: 100\n' >"$ROOT/etc/apt/preferences.d/sid"
# A mirror's sid Release file can be past its Valid-Until date (snapshots).
echo 'Acquire::Check-Valid-Until "false";' >"$ROOT/etc/apt/apt.conf.d/99no-valid-until"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
chroot "$ROOT" apt-get update -qq
# debootstrap for the images' `Bootstrap: debootstrap`
chroot "$ROOT" apt-get install -y -qq apptainer/sid debootstrap ca-certificates >/dev/null
# Root on such a VM may lack CAP_SYS_RESOURCE while apptainer (as root) asks for every capability, and
# `apptainer build` runs %post through a nested `apptainer exec` that ignores apptainer.conf: a wrapper
# adds --drop-caps CAP_SYS_RESOURCE to exec/run/shell/test.
chroot "$ROOT" dpkg-divert --local --rename --divert /usr/bin/apptainer.real --add /usr/bin/apptainer
cat >"$ROOT/usr/bin/apptainer" <<'WRAPPER'
#!/bin/bash
args=()
command_seen=
for arg in "$@"; do
  args+=("$arg")
  if [ -z "$command_seen" ] && [[ "$arg" != -* ]]; then
    command_seen=1
    case "$arg" in exec | run | shell | test) args+=(--drop-caps CAP_SYS_RESOURCE) ;; esac
  fi
done
exec /usr/bin/apptainer.real "${args[@]}"
WRAPPER
chmod 755 "$ROOT/usr/bin/apptainer"
chroot "$ROOT" apptainer.real --version
