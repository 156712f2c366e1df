#!/bin/sh
# Install the Debian packages redmon needs to build and test, only those missing.
# Quiet when nothing is missing.  Runs apt-get as root, else through sudo, else
# prints the command and fails.
set -eu

# Every Debian package the build and the tests need; add new ones here.
PACKAGES="build-essential clang pkg-config python3 libjansson-dev libcmocka-dev libudev-dev libfreeipmi-dev libsensors-dev openipmi libcurl4-openssl-dev systemd mandoc bash-completion snmpd snmp snmptrapd libsnmp-dev smitools valgrind util-linux prometheus-alertmanager btrfs-progs"
# lvmraid: tests/integration/test_lvmraid.py runs the real dmsetup.
PACKAGES="$PACKAGES dmsetup"
# tests/integration/test_prometheus_rules.py: promtool checks and unit-tests the example rules.
PACKAGES="$PACKAGES prometheus"
# tests/integration/test_check_snmp.py: docs/snmp.md's check_snmp lines against the real snmpd.
# Debian ships check_snmp in monitoring-plugins-standard, not -basic (dpkg -S check_snmp).
PACKAGES="$PACKAGES monitoring-plugins-standard"
# CI steps beyond `make check` add theirs (the packaging step: debhelper, lintian).
PACKAGES="$PACKAGES ${REDMON_EXTRA_PACKAGES:-}"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case $status in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: run as root: apt-get update && apt-get install -y$missing" >&2
	exit 1
fi

echo "install-deps: installing$missing"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086 # one word per package
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
