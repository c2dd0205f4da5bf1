#!/usr/bin/env bash
# Installs the system packages Ballast's build and tests use, idempotently:
#   libsecp256k1-dev  the C BIP340 verifier behind the libsecp256k1 build tag
# Go modules (staticcheck included) come through the module proxy on first
# use and need nothing here. Without root, missing packages are reported and
# the build falls back to what is installed (pure-Go verification).
set -euo pipefail

missing=()
if ! printf '#include <secp256k1_schnorrsig.h>\n' | "${CC:-cc}" -E -x c - >/dev/null 2>&1; then
	missing+=(libsecp256k1-dev)
fi

if ((${#missing[@]} == 0)); then
	exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
	echo "install-deps: missing ${missing[*]} (needs root and apt-get); continuing without" >&2
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
