// Package wallet is Ballast's wallet service: HD keys from a BIP39 mnemonic
// (package hd), encrypted at rest with argon2id and XChaCha20-Poly1305,
// stored one file per wallet, following the chain through the node's block
// notifications (reorganisations included), selecting coins (package
// coinselect), paying any asset with fees in the native coin, replacing by
// fee, and signing partially signed transactions (package psbt) for
// watch-only and k-of-n multisig wallets. docs/wallet.md describes the
// design, the file format and the RPC methods (package wallet/walletrpc).
//
// A Manager holds the loaded wallets of one node; each Wallet is safe for
// concurrent use. Secrets (the mnemonic, the passphrase, private keys) live
// only in types that print "[redacted]" and are never logged, returned in
// errors or put in RPC results.
package wallet
