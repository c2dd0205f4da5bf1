// Package pow is Ballast's proof-of-work arithmetic: the compact ("nBits")
// target encoding, the proof-of-work check and chain work, the ASERT
// difficulty algorithm (aserti3-2d), median time past and the block subsidy.
//
// Everything here is a pure function of its arguments: no I/O, no clock, no
// logging and no package-level state. Time, heights and network parameters
// come in as arguments, so the consensus and mining packages can call it from
// anywhere and tests can pin every input. The rules are those of Bitcoin Core
// (compact encoding, CheckProofOfWork, GetBlockProof, GetMedianTimePast,
// GetBlockSubsidy) and of decred's DCP0011 form of ASERT, checked against
// their published test cases; docs/protocol.md §6 states them byte by byte.
//
// Rule violations are *RuleError values that unwrap to an ErrorKind:
//
//	if errors.Is(err, pow.ErrHighHash) { ... }
package pow
