#!/bin/sh
# Put the MIB modules REDMON-MIB imports into a build directory (default
# build/mibs), for smilint and the net-snmp tools: SNMPv2-SMI, SNMPv2-TC,
# SNMPv2-CONF, SNMPv2-MIB and SNMP-FRAMEWORK-MIB from Debian's erlang-snmp
# package (Debian strips the IETF MIBs from its net-snmp packages; erlang-snmp
# in main ships them as .mib text), and NET-SNMP-MIB from the installed
# net-snmp MIB directory.
# Nothing of this is committed: it is extracted at build or test time.
#
# Usage: scripts/fetch-base-mibs.sh [OUTDIR]
#   REDMON_ERLANG_SNMP_DEB=FILE  use this erlang-snmp .deb instead of downloading one
# Quiet and quick when OUTDIR is complete already; exits non-zero with a
# message on stderr when the modules cannot be had.
set -eu

out=${1:-build/mibs}
want="SNMPv2-SMI SNMPv2-TC SNMPv2-CONF SNMPv2-MIB SNMP-FRAMEWORK-MIB"
netsnmp_dir=${REDMON_NETSNMP_MIBDIR:-/usr/share/snmp/mibs}

complete() {
	for m in $want; do
		[ -s "$out/$m.mib" ] || return 1
	done
	[ -s "$out/NET-SNMP-MIB.txt" ]
}
complete && exit 0

mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/redmon-mibs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

deb=${REDMON_ERLANG_SNMP_DEB:-}
if [ -z "$deb" ]; then
	# apt-get download writes into the current directory; as root it warns
	# that the download is unsandboxed, which is harmless here.
	if ! (cd "$tmp" && apt-get download erlang-snmp >"$tmp/apt.log" 2>&1); then
		if [ "$(id -u)" -eq 0 ]; then
			apt-get update -q >>"$tmp/apt.log" 2>&1 || true
			(cd "$tmp" && apt-get download erlang-snmp >>"$tmp/apt.log" 2>&1) || true
		fi
	fi
	for f in "$tmp"/erlang-snmp_*.deb; do
		[ -e "$f" ] && deb=$f
	done
	if [ -z "$deb" ]; then
		echo "fetch-base-mibs: cannot download erlang-snmp:" >&2
		cat "$tmp/apt.log" >&2
		exit 1
	fi
fi
dpkg-deb -x "$deb" "$tmp/x"
for m in $want; do
	src=$(find "$tmp/x/usr/lib/erlang/lib" -path "*/mibs/$m.mib" | head -n 1)
	if [ -z "$src" ]; then
		echo "fetch-base-mibs: $m.mib is not in $deb" >&2
		exit 1
	fi
	# Copy then rename, so a concurrent reader never sees half a file.
	cp "$src" "$out/.$m.mib.tmp"
	mv "$out/.$m.mib.tmp" "$out/$m.mib"
done
if [ ! -s "$netsnmp_dir/NET-SNMP-MIB.txt" ]; then
	echo "fetch-base-mibs: $netsnmp_dir/NET-SNMP-MIB.txt is missing (install libsnmp-base)" >&2
	exit 1
fi
cp "$netsnmp_dir/NET-SNMP-MIB.txt" "$out/.NET-SNMP-MIB.txt.tmp"
mv "$out/.NET-SNMP-MIB.txt.tmp" "$out/NET-SNMP-MIB.txt"
