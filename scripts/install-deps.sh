#!/bin/sh
# Installs the Debian packages named as arguments that are missing, when run
# as root with apt-get available. Otherwise it only reports what is missing;
# tests that need a missing tool skip locally and fail in CI.
set -eu
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing >/dev/null
else
	echo "missing system packages (run make test as root to install):$missing"
fi
