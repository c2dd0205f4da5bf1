#!/usr/bin/env bash
# Installs what Ballast's build and tests use beyond Go, idempotently:
#   libsecp256k1-dev  the C BIP340 verifier behind the libsecp256k1 build tag
#   postgresql        the exchange's storage tests start a private cluster
#   test/ccxt         pinned npm packages for the CCXT end-to-end test
# Go modules (staticcheck included) come through the module proxy on first
# use. Without root, missing system packages are reported and the tests that
# need them say so; nothing else is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
if ! printf '#include <secp256k1_schnorrsig.h>\n' | "${CC:-cc}" -E -x c - >/dev/null 2>&1; then
	missing+=(libsecp256k1-dev)
fi
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
