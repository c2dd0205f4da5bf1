// Package psbt is Ballast's partially signed transaction: an unsigned
// transaction with what each signer needs to check and sign it offline (the
// outputs it spends, the policies behind policy locks, which wallet keys
// can sign) and the signatures collected so far. It follows BIP174's roles:
// a creator (the watching wallet) makes it, signers add partial signatures,
// a combiner merges copies, a finalizer builds the witnesses, and Extract
// returns the network transaction. docs/wallet.md specifies the encoding.
//
// Encoding (all integers little-endian, CompactSize as in the wire format,
// minimal forms only; every count is checked against the bytes left before
// allocating):
//
//	packet  = magic "bpsbt" 0xff ‖ version u8 (1) ‖ varbytes(unsigned tx, no witnesses)
//	          ‖ input × len(tx.inputs) ‖ output × len(tx.outputs)
//	input   = varbytes(spent output: wire TxOut encoding) ‖ varbytes(policy encoding or empty)
//	          ‖ CompactSize n ‖ derivation × n ‖ CompactSize m ‖ (x-only key 32 ‖ signature 64) × m
//	          ‖ CompactSize w ‖ varbytes(item) × w          (final witness; w = 0: not final)
//	output  = CompactSize n ‖ derivation × n                 (keys of the wallet's own outputs)
//	derivation = x-only key 32 ‖ master fingerprint 4 ‖ CompactSize depth ‖ u32 × depth
//
// Keys within an input are sorted and unique, so a packet has one encoding
// and Decode(Encode(p)) == p.
package psbt
