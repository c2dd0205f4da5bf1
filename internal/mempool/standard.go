package mempool

import (
	"github.com/ballast-chain/ballast/internal/wire"
)

const (
	// minStandardTxBaseSize: transactions whose txid encoding is shorter
	// are not relayed. A 64-byte one could pass for an inner merkle node
	// (CVE-2017-12842); Core's MIN_STANDARD_TX_NONWITNESS_SIZE.
	minStandardTxBaseSize = 65
	// keySpendInputVSize is the virtual size of the cheapest spend of an
	// output: a key-lock input, 40 bytes (outpoint and sequence; Ballast
	// inputs carry no script) plus a 66-byte witness (item count, length,
	// 64-byte signature) at a quarter weight, rounded down as Core rounds
	// its 107/4.
	keySpendInputVSize = 32 + 4 + 4 + (1+1+64)/4
)

// DustThreshold returns the smallest value a native output may carry: what
// creating and later spending it costs at the dust relay fee rate (Core's
// GetDustThreshold; for a key-lock output at 3,000 per kvB this is
// (42 + 56) × 3 = 294 base units).
func DustThreshold(out *wire.TxOut, dustRelayFeeRate FeeRate) int64 {
	return dustRelayFeeRate.Fee(int64(out.EncodedLen()) + keySpendInputVSize)
}

// checkStandard applies the rules a transaction must meet on its own to be
// relayed (Core's IsStandardTx and the size floor), after consensus sanity.
func (p *Pool) checkStandard(tx *wire.Tx, weight int) error {
	if tx.Version < 1 || tx.Version > 2 {
		return ruleError(ErrVersion, "version %d", tx.Version)
	}
	if weight > p.cfg.MaxTxWeight {
		return ruleError(ErrTxSize, "weight %d > %d", weight, p.cfg.MaxTxWeight)
	}
	// Asset records (docs/assets.md) are standard in small numbers; an
	// undefined type is left to consensus to reject.
	if len(tx.Records) > 16 {
		return ruleError(ErrRecord, "%d records", len(tx.Records))
	}
	burns := 0
	for i := range tx.TxOut {
		out := &tx.TxOut[i]
		if !out.Asset.IsNative() {
			// Issued assets have no fee value to weigh against; an empty
			// output is simply useless. Burns of issued assets (redemptions)
			// are how supply leaves circulation: any number is standard.
			if out.Value <= 0 {
				return ruleError(ErrDust, "output %d: zero amount of asset %s", i, out.Asset)
			}
			continue
		}
		if out.Lock.Kind == wire.LockBurn {
			burns++
			continue
		}
		if floor := DustThreshold(out, p.cfg.DustRelayFeeRate); out.Value < floor {
			return ruleError(ErrDust, "output %d: %d < %d", i, out.Value, floor)
		}
	}
	if burns > 1 {
		return ruleError(ErrMultiBurn, "%d native burn outputs, at most 1", burns)
	}
	if n := tx.BaseSize(); n < minStandardTxBaseSize {
		return ruleError(ErrTxSizeSmall, "%d bytes without witness < %d", n, minStandardTxBaseSize)
	}
	return nil
}
