#!/usr/bin/env bash
# Installs what Ballast's build and tests use beyond Go, idempotently:
#   libsecp256k1 0.2.0  source of the C BIP340 verifier behind the
#                       libsecp256k1 build tag: Debian's source tarball,
#                       checked against a pinned SHA-256 and unpacked into
#                       internal/secp256k1/csrc/ (git-ignored), where the
#                       package compiles it in (make turns the tag on when it
#                       is there)
#   postgresql          the exchange's storage tests start a private cluster
#   test/ccxt           pinned npm packages for the CCXT end-to-end test
# Go modules (staticcheck included) come through the module proxy on first
# use. Without root or network, what is missing is reported and the tests
# that need it say so (without the library source they run pure Go);
# nothing else is skipped. A tarball whose checksum differs stops the
# script. With --secp-only it fetches the library source alone (make build
# does, so the binary people run has the fast verifier).
set -euo pipefail
cd "$(dirname "$0")/.."

secp_ver=0.2.0
secp_tar=libsecp256k1_${secp_ver}.orig.tar.xz
secp_url=http://deb.debian.org/debian/pool/main/libs/libsecp256k1/$secp_tar
# From Debian's libsecp256k1_0.2.0-2.dsc (Checksums-Sha256).
secp_sha256=07c1d76fc485936138c6572e94374df22ba41df06617926572b8a690fe8bc34b
secp_dir=internal/secp256k1/csrc
secp_src=$secp_dir/libsecp256k1-$secp_ver

# fetch_secp downloads the library source, checks it and unpacks it in
# place. It fails (non-zero) when the download does; a wrong checksum or
# an unexpected tarball exits the script.
fetch_secp() {
	# errexit does not apply in a function called as a condition: each
	# step checks for itself.
	local tmp got
	rm -rf "$secp_dir"/.fetch.* # left by an interrupted run
	if ! mkdir -p "$secp_dir" || ! tmp=$(mktemp -d "$secp_dir/.fetch.XXXXXX"); then
		echo "install-deps: cannot create a directory in $secp_dir" >&2
		exit 1
	fi
	# curl, or wget where curl is missing or fails.
	if ! { command -v curl >/dev/null &&
		curl -fsS --connect-timeout 20 --max-time 300 -o "$tmp/$secp_tar" "$secp_url"; } &&
		! { command -v wget >/dev/null &&
			wget -q --connect-timeout=20 --timeout=60 --tries=2 -O "$tmp/$secp_tar" "$secp_url"; }; then
		rm -rf "$tmp"
		return 1
	fi
	got=$(sha256sum "$tmp/$secp_tar" | cut -d' ' -f1)
	if [[ $got != "$secp_sha256" ]]; then
		rm -rf "$tmp"
		echo "install-deps: $secp_url has SHA-256 $got, want $secp_sha256: refusing it" >&2
		exit 1
	fi
	# Unpack beside the destination and move the tree in whole, so that an
	# interrupted run never leaves a partial source tree that make would
	# take for the real one.
	if ! tar -xJf "$tmp/$secp_tar" -C "$tmp" || [[ ! -f $tmp/libsecp256k1-$secp_ver/src/secp256k1.c ]]; then
		rm -rf "$tmp"
		echo "install-deps: $secp_tar does not unpack to libsecp256k1-$secp_ver/src/secp256k1.c" >&2
		exit 1
	fi
	rm -rf "$secp_src"
	if ! mv "$tmp/libsecp256k1-$secp_ver" "$secp_src"; then
		rm -rf "$tmp"
		echo "install-deps: cannot move the source to $secp_src" >&2
		exit 1
	fi
	rm -rf "$tmp"
}

if [[ ! -f $secp_src/src/secp256k1.c ]] && ! fetch_secp; then
	echo "install-deps: cannot download $secp_url; continuing without libsecp256k1 (pure-Go verifier)" >&2
fi
# --secp-only: just the library source (make build), not the test services.
if [[ ${1:-} == --secp-only ]]; then
	exit 0
fi

missing=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
	missing+=(postgresql)
fi

if ((${#missing[@]} > 0)); then
	if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
		echo "install-deps: missing ${missing[*]} (needs root and apt-get); continuing without" >&2
	else
		echo "install-deps: installing ${missing[*]}"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
fi

if [[ -f test/ccxt/package-lock.json && ! -d test/ccxt/node_modules ]]; then
	(cd test/ccxt && npm ci --no-audit --no-fund --loglevel=error)
fi
