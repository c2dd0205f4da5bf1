// Package wire defines Ballast's consensus encodings: the 80-byte block
// header, transactions with multi-asset outputs, policy locks and segregated
// witnesses, and blocks. It is pure: no I/O beyond byte slices, no clock.
//
// Decoders work on byte slices, check every count and length against a limit
// and against the bytes that remain before allocating, and reject every
// non-canonical encoding (non-minimal CompactSize integers, a witness flag
// with no witness data, trailing bytes, unknown lock kinds, a non-zero asset
// tag carrying the native asset id). Encoding a decoded value therefore
// reproduces the input bytes exactly. docs/protocol.md specifies the formats
// byte by byte.
package wire
