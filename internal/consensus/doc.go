// Package consensus holds Ballast's validation rules, staged as dcrd stages
// them so that each check runs as early as the data it needs allows:
//
//   - sanity (CheckTransactionSanity, CheckBlockSanity): needs nothing but the
//     block itself; proof of work, merkle root, witness commitment, sizes,
//     amounts, signature-check budget;
//   - positional (CheckHeaderPositional, CheckBlockPositional): needs the
//     ancestor headers; difficulty, median time past, future time, coinbase
//     height, transaction finality;
//   - contextual (ConnectBlock, CheckTxInputs): needs the UTXO set; inputs
//     exist and are mature, per-asset conservation, fees, sequence locks,
//     spending conditions, coinbase value.
//
// The package is pure: no I/O, no clock ("now" is an argument), no logging, no
// globals. A test enforces that it imports none of the packages that would
// break that.
package consensus
