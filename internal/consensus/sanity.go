package consensus

import (
	"errors"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/merkle"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/wire"
)

// amountLimit returns the largest amount, or sum of amounts, allowed for an
// asset.
func amountLimit(a wire.AssetID, p *params.Params) int64 {
	if a.IsNative() {
		return p.MaxMoney
	}
	return MaxAssetAmount
}

// assetSums accumulates per-asset totals. Transactions touch few assets, so a
// slice beats a map and does not allocate for the first few.
type assetSums struct {
	inline [4]assetSum
	sums   []assetSum
}

type assetSum struct {
	asset wire.AssetID
	total int64
}

func (s *assetSums) reset() {
	if s.sums == nil {
		s.sums = s.inline[:0]
	}
	s.sums = s.sums[:0]
}

// add adds v to the asset's total and reports whether the total stays within
// limit. Both v and the total are in [0, limit] with limit < 2^62, so the sum
// cannot overflow.
func (s *assetSums) add(a wire.AssetID, v, limit int64) bool {
	for i := range s.sums {
		if s.sums[i].asset == a {
			s.sums[i].total += v
			return s.sums[i].total <= limit
		}
	}
	s.sums = append(s.sums, assetSum{asset: a, total: v})
	return v <= limit
}

func (s *assetSums) get(a wire.AssetID) int64 {
	for i := range s.sums {
		if s.sums[i].asset == a {
			return s.sums[i].total
		}
	}
	return 0
}

// checkOutputs checks every output's amount and the per-asset sums.
func checkOutputs(tx *wire.Tx, p *params.Params, sums *assetSums) error {
	sums.reset()
	for i := range tx.TxOut {
		o := &tx.TxOut[i]
		if o.Value < 0 {
			return ruleError(ErrNegativeAmount, "output %d has negative value %d", i, o.Value)
		}
		limit := amountLimit(o.Asset, p)
		if o.Value > limit {
			return ruleError(ErrAmountTooLarge, "output %d value %d exceeds the limit %d for asset %s", i, o.Value, limit, o.Asset)
		}
		if !sums.add(o.Asset, o.Value, limit) {
			return ruleError(ErrAmountTooLarge, "outputs of asset %s sum past the limit %d", o.Asset, limit)
		}
	}
	return nil
}

// CheckTransactionSanity checks the rules a transaction must meet on its own:
// inputs and outputs present, size, amounts in range per asset, no duplicate
// inputs, coinbase shape.
func CheckTransactionSanity(tx *wire.Tx, p *params.Params) error {
	if len(tx.TxIn) == 0 {
		return ruleError(ErrNoTxInputs, "transaction has no inputs")
	}
	if len(tx.TxOut) == 0 {
		return ruleError(ErrNoTxOutputs, "transaction has no outputs")
	}
	if w := tx.Weight(); w > MaxTxWeight {
		return ruleError(ErrTxTooBig, "transaction weight %d exceeds %d", w, MaxTxWeight)
	}
	var sums assetSums
	if err := checkOutputs(tx, p, &sums); err != nil {
		return err
	}
	if err := checkRecordsSanity(tx); err != nil {
		return err
	}
	if tx.IsCoinBase() {
		n := len(tx.TxIn[0].CoinbaseData)
		if n < wire.MinCoinbaseDataSize || n > wire.MaxCoinbaseDataSize {
			return ruleError(ErrBadCoinbaseData, "coinbase data is %d bytes, want %d..%d", n, wire.MinCoinbaseDataSize, wire.MaxCoinbaseDataSize)
		}
		for i := range tx.TxOut {
			if !tx.TxOut[i].Asset.IsNative() {
				return ruleError(ErrCoinbaseAsset, "coinbase output %d carries issued asset %s", i, tx.TxOut[i].Asset)
			}
		}
		return nil
	}
	for i := range tx.TxIn {
		if tx.TxIn[i].PrevOut.IsNull() {
			return ruleError(ErrNullPrevOut, "input %d of a non-coinbase spends the null outpoint", i)
		}
	}
	return checkDuplicateInputs(tx)
}

func checkDuplicateInputs(tx *wire.Tx) error {
	ins := tx.TxIn
	if len(ins) <= 16 {
		for i := 1; i < len(ins); i++ {
			for j := 0; j < i; j++ {
				if ins[i].PrevOut == ins[j].PrevOut {
					return ruleError(ErrDuplicateTxInputs, "inputs %d and %d both spend %s:%d", j, i, ins[i].PrevOut.Hash, ins[i].PrevOut.Index)
				}
			}
		}
		return nil
	}
	seen := make(map[wire.OutPoint]int, len(ins))
	for i := range ins {
		if j, ok := seen[ins[i].PrevOut]; ok {
			return ruleError(ErrDuplicateTxInputs, "inputs %d and %d both spend %s:%d", j, i, ins[i].PrevOut.Hash, ins[i].PrevOut.Index)
		}
		seen[ins[i].PrevOut] = i
	}
	return nil
}

// CheckHeaderSanity checks what a header proves on its own: its version and
// its proof of work against its own target and the network's limit.
func CheckHeaderSanity(h *wire.BlockHeader, hash chainhash.Hash, p *params.Params) error {
	if h.Version < 1 {
		return ruleError(ErrBadVersion, "block version %d is below 1", h.Version)
	}
	if err := pow.CheckProofOfWork(hash, h.Bits, p.PowLimit); err != nil {
		switch {
		case errors.Is(err, pow.ErrHighHash):
			return &RuleError{Kind: ErrHighHash, Description: "block hash above its target", Cause: err}
		default:
			return &RuleError{Kind: ErrBadTarget, Description: "invalid target bits", Cause: err}
		}
	}
	return nil
}

// CheckBlockSanity checks everything a block proves on its own: proof of
// work, one leading coinbase, weight, each transaction's sanity, merkle root
// and the CVE-2012-2459 mutation, duplicate transactions, the witness
// commitment and the signature-check budget.
func CheckBlockSanity(b *Block, p *params.Params) error {
	m := b.Msg
	if err := CheckHeaderSanity(&m.Header, b.Hash, p); err != nil {
		return err
	}
	txs := m.Transactions
	if len(txs) == 0 {
		return ruleError(ErrNoTransactions, "block has no transactions")
	}
	if w := m.Weight(); w > MaxBlockWeight {
		return ruleError(ErrBlockWeightTooHigh, "block weight %d exceeds %d", w, MaxBlockWeight)
	}
	if !txs[0].IsCoinBase() {
		return ruleError(ErrFirstTxNotCoinbase, "first transaction is not a coinbase")
	}
	for i, tx := range txs[1:] {
		if tx.IsCoinBase() {
			return ruleError(ErrMultipleCoinbases, "transaction %d is a second coinbase", i+1)
		}
	}
	for i, tx := range txs {
		if err := CheckTransactionSanity(tx, p); err != nil {
			return wrapTx(err, i, b.TxIDs[i])
		}
	}
	root, mutated := merkle.RootOf(b.TxIDs)
	if root != m.Header.MerkleRoot {
		return ruleError(ErrBadMerkleRoot, "merkle root %s, header says %s", root, m.Header.MerkleRoot)
	}
	if mutated {
		return ruleError(ErrDuplicateTx, "merkle tree is mutated (CVE-2012-2459): a transaction is duplicated")
	}
	if err := checkDuplicateTxs(b.TxIDs); err != nil {
		return err
	}
	if err := checkWitnessCommitment(m); err != nil {
		return err
	}
	checks := 0
	for _, tx := range txs[1:] {
		for i := range tx.TxIn {
			checks += policy.CountSigChecks(tx.TxIn[i].Witness)
		}
		checks += recordSigChecks(tx)
	}
	if checks > MaxBlockSigChecks {
		return ruleError(ErrTooManySigChecks, "block needs %d signature checks, limit %d", checks, MaxBlockSigChecks)
	}
	return nil
}

func checkDuplicateTxs(ids []chainhash.Hash) error {
	seen := make(map[chainhash.Hash]struct{}, len(ids))
	for i := range ids {
		if _, dup := seen[ids[i]]; dup {
			return ruleError(ErrDuplicateTx, "transaction %s appears twice", ids[i])
		}
		seen[ids[i]] = struct{}{}
	}
	return nil
}

// checkWitnessCommitment checks the coinbase's commitment to every wtxid.
// Every block carries it (unlike Bitcoin, where blocks without witness data
// may omit it): Ballast spends always have witnesses, and one rule is simpler.
func checkWitnessCommitment(m *wire.Block) error {
	cb := m.Transactions[0]
	w := cb.TxIn[0].Witness
	if len(w) != 1 || len(w[0]) != 32 {
		return ruleError(ErrBadCoinbaseWitness, "coinbase witness must be one 32-byte item")
	}
	idx := wire.FindWitnessCommitment(cb)
	if idx < 0 {
		return ruleError(ErrMissingWitnessCommitment, "coinbase has no witness commitment output")
	}
	wtxids := make([]chainhash.Hash, len(m.Transactions))
	for i, tx := range m.Transactions[1:] {
		wtxids[i+1] = tx.WitnessHash()
	}
	root, _ := merkle.Root(wtxids)
	want := wire.WitnessCommitment(root, w[0])
	var got chainhash.Hash
	copy(got[:], cb.TxOut[idx].Lock.Data[4:])
	if got != want {
		return ruleError(ErrBadWitnessCommitment, "witness commitment %s, computed %s", got, want)
	}
	return nil
}
