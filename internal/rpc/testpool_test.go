package rpc

import (
	"context"
	"errors"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/wire"
)

// The testNode's mempool, fee estimator, network and mining backends.

// MempoolBackend.

func (n *testNode) TestAccept(_ context.Context, txs []*wire.Tx) ([]AcceptResult, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.testAccept(txs), nil
}

func (n *testNode) testAccept(txs []*wire.Tx) []AcceptResult {
	view := consensus.NewUtxoView(n.chain.Utxos)
	spent := map[wire.OutPoint]bool{}
	height := n.chain.Tip.Height + 1
	for _, e := range n.pool {
		view.AddTxOuts(e.tx, e.tx.TxHash(), height)
		for _, in := range e.tx.TxIn {
			spent[in.PrevOut] = true
		}
	}
	out := make([]AcceptResult, len(txs))
	failed := false
	for i, tx := range txs {
		r := &out[i]
		r.TxID, r.WTxID = tx.TxHash(), tx.WitnessHash()
		if failed { // as the real pool: later package members are not checked
			r.Skipped = true
			continue
		}
		reject := func(reason string) {
			r.RejectReason = reason
			failed = len(txs) > 1
			if failed {
				r.PackageError = "transaction failed"
			}
		}
		if n.inPool(r.TxID) {
			reject("txn-already-in-mempool")
			continue
		}
		if err := consensus.CheckTransactionSanity(tx, n.p); err != nil {
			reject(ruleReason(err))
			continue
		}
		conflict := false
		for _, in := range tx.TxIn {
			conflict = conflict || spent[in.PrevOut]
		}
		if conflict {
			reject("txn-mempool-conflict")
			continue
		}
		res, err := consensus.CheckTxInputs(tx, height, n.chain.Tip.MedianTime, view, n.p, n.chain.MedianTime)
		if errors.Is(err, consensus.ErrMissingTxOut) {
			r.MissingInputs = true
			reject("missing-inputs")
			continue
		}
		if err != nil {
			reject(ruleReason(err))
			continue
		}
		if err := consensus.VerifyTxSpends(tx, res.PrevOuts); err != nil {
			reject(ruleReason(err))
			continue
		}
		vsize := vsizeOf(tx)
		if res.Fee < feeFor(n.minRelay, vsize) {
			reject("min relay fee not met")
			continue
		}
		r.Allowed, r.VSize, r.Fee = true, vsize, res.Fee
		view.AddTxOuts(tx, r.TxID, height)
		for _, in := range tx.TxIn {
			spent[in.PrevOut] = true
		}
	}
	return out
}

func ruleReason(err error) string {
	var re *consensus.RuleError
	if errors.As(err, &re) {
		return re.Kind.RejectReason()
	}
	return err.Error()
}

func (n *testNode) inPool(txid chainhash.Hash) bool {
	for _, e := range n.pool {
		if e.tx.TxHash() == txid {
			return true
		}
	}
	return false
}

func (n *testNode) Submit(_ context.Context, tx *wire.Tx) (AcceptResult, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	r := n.testAccept([]*wire.Tx{tx})[0]
	if r.Allowed {
		n.pool = append(n.pool, poolTx{tx: tx, fee: r.Fee, time: 1767300000})
		n.poolSeq++
	}
	return r, nil
}

func (n *testNode) Info(context.Context) (MempoolInfo, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	m := MempoolInfo{Loaded: true, MaxMempool: 300_000_000, MempoolMinFee: n.minRelay, MinRelayTxFee: n.minRelay,
		IncrementalRelayFee: 1000, FullRBF: true}
	for _, e := range n.pool {
		m.Size++
		m.Bytes += vsizeOf(e.tx)
		m.Usage += int64(e.tx.SerializeSize()) * 3
		m.TotalFee += e.fee
	}
	return m, nil
}

func (n *testNode) entry(e poolTx) MempoolEntry {
	vs := vsizeOf(e.tx)
	return MempoolEntry{TxID: e.tx.TxHash(), WTxID: e.tx.WitnessHash(), VSize: vs, Weight: int64(e.tx.Weight()),
		Time: e.time, Height: n.chain.Tip.Height, DescendantCount: 1, DescendantSize: vs, AncestorCount: 1,
		AncestorSize: vs, Fee: e.fee, ModifiedFee: e.fee, AncestorFees: e.fee, DescendantFees: e.fee,
		BIP125Replaceable: e.tx.TxIn[0].Sequence < 0xfffffffe}
}

func (n *testNode) Entries(context.Context) ([]MempoolEntry, uint64, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]MempoolEntry, len(n.pool))
	for i, e := range n.pool {
		out[i] = n.entry(e)
	}
	return out, n.poolSeq, nil
}

func (n *testNode) Entry(_ context.Context, txid chainhash.Hash) (MempoolEntry, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, e := range n.pool {
		if e.tx.TxHash() == txid {
			return n.entry(e), nil
		}
	}
	return MempoolEntry{}, ErrNotFound
}

func (n *testNode) Tx(_ context.Context, txid chainhash.Hash) (*wire.Tx, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, e := range n.pool {
		if e.tx.TxHash() == txid {
			return e.tx, nil
		}
	}
	return nil, ErrNotFound
}

func (n *testNode) IsSpent(_ context.Context, op wire.OutPoint) (bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, e := range n.pool {
		for _, in := range e.tx.TxIn {
			if in.PrevOut == op {
				return true, nil
			}
		}
	}
	return false, nil
}

// FeeEstimator: a fixed 2000 base units per kvB up to 100 blocks, no data
// beyond.
func (n *testNode) EstimateSmartFee(_ context.Context, target int, _ bool) (FeeEstimate, error) {
	if target > 100 {
		return FeeEstimate{Blocks: 100}, nil
	}
	return FeeEstimate{FeeRate: 2000, Blocks: target}, nil
}

// NetworkBackend.
func (n *testNode) NetworkInfo(context.Context) (NetworkInfo, error) {
	return NetworkInfo{Version: 10000, Subversion: "/Ballast:0.1.0/", ProtocolVersion: 1, LocalServices: "0000000000000409",
		LocalServicesNames: []string{"NETWORK", "WITNESS"}, LocalRelay: true, NetworkActive: true,
		RelayFee: Amount(n.minRelay), IncrementalFee: 1000}, nil
}

// MiningBackend.

func (n *testNode) GenerateToLock(_ context.Context, count int, lock wire.Lock, _ uint64) ([]chainhash.Hash, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var hashes []chainhash.Hash
	for range count {
		txs := make([]*wire.Tx, len(n.pool))
		for i, e := range n.pool {
			txs[i] = e.tx
		}
		b, err := n.mineLocked(txs, &lock)
		if err != nil {
			return hashes, err
		}
		hashes = append(hashes, b.BlockHash())
	}
	return hashes, nil
}

func (n *testNode) GenerateBlock(_ context.Context, lock wire.Lock, txs []*wire.Tx, submit bool) (*wire.Block, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if submit {
		return n.mineLocked(txs, &lock)
	}
	fees, err := n.feesOf(txs)
	if err != nil {
		return nil, err
	}
	prev := n.gen.Tip
	b := n.gen.NextBlock(txs, chaingen.BlockOpts{Fees: fees, Munge: func(b *wire.Block) { b.Transactions[0].TxOut[0].Lock = lock }})
	n.gen.Rewind(prev)
	return b, nil
}
