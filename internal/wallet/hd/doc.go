// Package hd implements hierarchical deterministic keys: BIP39 mnemonics
// (through github.com/tyler-smith/go-bip39, English word list) and BIP32
// derivation on secp256k1 with btcec, plus the derivation paths the Ballast
// wallet uses (docs/wallet.md):
//
//	single-key wallets  m/86'/<coin>'/<account>'/<chain>/<index>
//	multisig cosigners  m/48'/<coin>'/<account>'/4'/<chain>/<index>
//
// chain 0 receives, chain 1 is change. <coin> is 7771 on mainnet and 1 on
// testnet and regtest. Extended keys serialize as BIP32's base58check
// "xprv"/"xpub" (mainnet) and "tprv"/"tpub" (other networks).
//
// The package is pure: no I/O, no clock, no logging. Private material is
// held in types whose String and LogValue print "[redacted]".
package hd
