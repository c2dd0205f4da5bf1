package node

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"

	"github.com/ballast-chain/ballast/internal/chain"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/mempool"
	"github.com/ballast-chain/ballast/internal/mining"
	"github.com/ballast-chain/ballast/internal/rpc"
	"github.com/ballast-chain/ballast/internal/wire"
)

// The RPC server's backends, as thin adapters over the node's services.

// rpcErr maps chain errors to the RPC layer's sentinel errors.
func rpcErr(err error) error {
	switch {
	case errors.Is(err, chain.ErrUnknownBlock):
		return errors.Join(rpc.ErrNotFound, err)
	case errors.Is(err, chain.ErrNoIndex):
		return errors.Join(rpc.ErrNoTxIndex, err)
	}
	return err
}

type chainBackend struct{ n *Node }

func blockInfo(bi chain.BlockInfo) rpc.BlockInfo {
	return rpc.BlockInfo{Hash: bi.Hash, Header: bi.Header, Height: bi.Height, MedianTime: bi.MedianTime,
		ChainWork: new(big.Int).SetBytes(bi.ChainWork), NumTx: int(bi.NumTx), InMainChain: bi.InActive, Next: bi.Next}
}

func (b chainBackend) ChainState(context.Context) (rpc.ChainState, error) {
	tip := b.n.Chain.Tip()
	bi, err := b.n.Chain.BlockInfo(tip.Hash)
	if err != nil {
		return rpc.ChainState{}, err
	}
	st := rpc.ChainState{Tip: blockInfo(bi), Headers: tip.Height, VerificationProgress: 1}
	if b.n.P2P != nil {
		st.Headers, st.InitialBlockDownload, st.VerificationProgress = b.n.P2P.SyncState()
	}
	return st, nil
}

func (b chainBackend) BlockHash(_ context.Context, height int32) (chainhash.Hash, error) {
	h, err := b.n.Chain.BlockHash(height)
	return h, rpcErr(err)
}

func (b chainBackend) BlockInfo(_ context.Context, hash chainhash.Hash) (rpc.BlockInfo, error) {
	bi, err := b.n.Chain.BlockInfo(hash)
	if err != nil {
		return rpc.BlockInfo{}, rpcErr(err)
	}
	return blockInfo(bi), nil
}

func (b chainBackend) Block(_ context.Context, hash chainhash.Hash) (*wire.Block, error) {
	bi, err := b.n.Chain.BlockInfo(hash)
	if err != nil {
		return nil, rpcErr(err)
	}
	if !bi.HaveData {
		return nil, rpc.ErrBlockUnavailable
	}
	m, err := b.n.Chain.Block(hash)
	return m, rpcErr(err)
}

func (b chainBackend) BlockUndo(_ context.Context, hash chainhash.Hash) (*consensus.BlockUndo, error) {
	u, err := b.n.Chain.BlockUndo(hash)
	if errors.Is(err, chain.ErrUnknownBlock) {
		return nil, nil
	}
	return u, err
}

func (b chainBackend) ChainTips(context.Context) ([]rpc.ChainTip, error) {
	tips := b.n.Chain.ChainTips()
	out := make([]rpc.ChainTip, len(tips))
	for i, t := range tips {
		out[i] = rpc.ChainTip{Height: t.Height, Hash: t.Hash, BranchLen: t.BranchLen, Status: string(t.Status)}
	}
	return out, nil
}

func (b chainBackend) FetchUtxo(_ context.Context, op wire.OutPoint) (*consensus.UtxoEntry, error) {
	return b.n.Chain.FetchUtxo(op)
}

func (b chainBackend) UtxoSetInfo(_ context.Context, withHash bool) (rpc.UtxoSetInfo, error) {
	st, err := b.n.Chain.UtxoStats(withHash)
	if err != nil {
		return rpc.UtxoSetInfo{}, err
	}
	return rpc.UtxoSetInfo{Height: st.Height, BestBlock: st.BestBlock, Transactions: st.Transactions,
		TxOuts: st.Outputs, BogoSize: st.Bytes + 50*st.Outputs, Hash: st.Hash,
		TotalAmount: st.Amounts[wire.NativeAsset], DiskSize: st.Bytes}, nil
}

func (b chainBackend) TxBlock(_ context.Context, txid chainhash.Hash) (chainhash.Hash, error) {
	_, loc, err := b.n.Chain.FindTx(txid)
	if err != nil {
		return chainhash.Hash{}, rpcErr(err)
	}
	return loc.Block, nil
}

func (b chainBackend) InvalidateBlock(_ context.Context, hash chainhash.Hash) error {
	return rpcErr(b.n.Chain.InvalidateBlock(hash))
}

func (b chainBackend) ReconsiderBlock(_ context.Context, hash chainhash.Hash) error {
	return rpcErr(b.n.Chain.ReconsiderBlock(hash))
}

// DumpBlocks writes the file beside its final name and renames it when
// complete and synced, so a file at path is always whole; an existing file
// is refused (O_EXCL on both names).
func (b chainBackend) DumpBlocks(ctx context.Context, path string, start, end int32) (rpc.DumpResult, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(b.n.cfg.DataDir, path)
	}
	if _, err := os.Lstat(path); err == nil {
		return rpc.DumpResult{}, fmt.Errorf("%s already exists", path)
	}
	tmp := path + ".incomplete"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return rpc.DumpResult{}, err
	}
	fail := func(err error) (rpc.DumpResult, error) {
		f.Close()
		os.Remove(tmp)
		return rpc.DumpResult{}, rpcErr(err)
	}
	if end < 0 {
		end = b.n.Chain.Tip().Height
	}
	n, err := b.n.Chain.ExportBlocks(ctx, f, start, end)
	if err != nil {
		return fail(err)
	}
	st, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return rpc.DumpResult{}, err
	}
	if err := os.Link(tmp, path); err != nil { // fails if path appeared meanwhile
		os.Remove(tmp)
		return rpc.DumpResult{}, err
	}
	os.Remove(tmp)
	return rpc.DumpResult{Path: path, Start: start, End: start + int32(n) - 1, Blocks: n, Bytes: st.Size()}, nil
}

type poolBackend struct{ n *Node }

func acceptResult(r mempool.TestResult) rpc.AcceptResult {
	out := rpc.AcceptResult{TxID: r.TxID, WTxID: r.WTxID, Allowed: r.Allowed, RejectReason: r.RejectReason,
		Skipped: !r.Checked, VSize: r.VSize, Fee: r.Fee}
	if r.Err != nil && errors.Is(r.Err, consensus.ErrMissingTxOut) {
		out.MissingInputs = true
	}
	return out
}

func (b poolBackend) TestAccept(_ context.Context, txs []*wire.Tx) ([]rpc.AcceptResult, error) {
	rs := b.n.Pool.TestAccept(txs)
	out := make([]rpc.AcceptResult, len(rs))
	for i, r := range rs {
		out[i] = acceptResult(r)
	}
	return out, nil
}

func (b poolBackend) Submit(_ context.Context, tx *wire.Tx) (rpc.AcceptResult, error) {
	res, err := b.n.Pool.Accept(tx)
	if err != nil {
		var re *mempool.RuleError
		var ce *consensus.RuleError
		if !errors.As(err, &re) && !errors.As(err, &ce) {
			return rpc.AcceptResult{}, err
		}
		return rpc.AcceptResult{TxID: tx.TxHash(), WTxID: tx.WitnessHash(), RejectReason: mempool.RejectReason(err),
			MissingInputs: errors.Is(err, consensus.ErrMissingTxOut)}, nil
	}
	b.n.poolSeq.Add(1)
	return rpc.AcceptResult{TxID: res.TxID, WTxID: res.WTxID, Allowed: true, VSize: res.VSize, Fee: res.Fee}, nil
}

func (b poolBackend) Info(context.Context) (rpc.MempoolInfo, error) {
	in := b.n.Pool.Info()
	return rpc.MempoolInfo{Loaded: in.Loaded, Size: int64(in.Size), Bytes: in.Bytes, Usage: in.Usage,
		TotalFee: in.TotalFee, MaxMempool: in.MaxMempool, MempoolMinFee: int64(in.MempoolMinFee),
		MinRelayTxFee: int64(in.MinRelayTxFee), IncrementalRelayFee: int64(in.IncrementalRelayFee),
		FullRBF: in.FullRBF}, nil
}

func entry(e mempool.EntryInfo) rpc.MempoolEntry {
	return rpc.MempoolEntry{TxID: e.TxID, WTxID: e.WTxID, VSize: e.VSize, Weight: int64(e.Weight),
		Time: e.Time.Unix(), Height: e.Height, DescendantCount: int64(e.DescendantCount),
		DescendantSize: e.DescendantSize, AncestorCount: int64(e.AncestorCount), AncestorSize: e.AncestorSize,
		Fee: e.Fees.Base, ModifiedFee: e.Fees.Modified, AncestorFees: e.Fees.Ancestor,
		DescendantFees: e.Fees.Descendant, Depends: e.Depends, SpentBy: e.SpentBy,
		BIP125Replaceable: e.BIP125Replaceable}
}

func (b poolBackend) Entries(context.Context) ([]rpc.MempoolEntry, uint64, error) {
	ids := b.n.Pool.TxIDs()
	out := make([]rpc.MempoolEntry, 0, len(ids))
	for _, id := range ids {
		if e, ok := b.n.Pool.Entry(id); ok {
			out = append(out, entry(e))
		}
	}
	return out, b.n.poolSeq.Load(), nil
}

func (b poolBackend) Entry(_ context.Context, txid chainhash.Hash) (rpc.MempoolEntry, error) {
	e, ok := b.n.Pool.Entry(txid)
	if !ok {
		return rpc.MempoolEntry{}, rpc.ErrNotFound
	}
	return entry(e), nil
}

func (b poolBackend) Tx(_ context.Context, txid chainhash.Hash) (*wire.Tx, error) {
	tx := b.n.Pool.Get(txid)
	if tx == nil {
		return nil, rpc.ErrNotFound
	}
	return tx, nil
}

func (b poolBackend) IsSpent(_ context.Context, op wire.OutPoint) (bool, error) {
	_, ok := b.n.Pool.Spender(op)
	return ok, nil
}

type feeBackend struct{ n *Node }

func (b feeBackend) EstimateSmartFee(_ context.Context, target int, conservative bool) (rpc.FeeEstimate, error) {
	est, err := b.n.Pool.EstimateSmartFee(target, conservative)
	if errors.Is(err, mempool.ErrNoFeeEstimate) {
		return rpc.FeeEstimate{Blocks: est.Blocks}, nil
	}
	if err != nil {
		return rpc.FeeEstimate{}, err
	}
	return rpc.FeeEstimate{FeeRate: int64(est.FeeRate), Blocks: est.Blocks}, nil
}

type netBackend struct{ n *Node }

// NetworkInfo reports the node's connections, listening address and relay
// policy.
func (b netBackend) NetworkInfo(context.Context) (rpc.NetworkInfo, error) {
	in := b.n.Pool.Info()
	ni := rpc.NetworkInfo{Version: 10000, Subversion: "/Ballast:0.1.0/", ProtocolVersion: 1,
		LocalServices: "0000000000000000", NetworkActive: false,
		RelayFee: rpc.Amount(in.MinRelayTxFee), IncrementalFee: rpc.Amount(in.IncrementalRelayFee)}
	if b.n.P2P != nil {
		ni.NetworkActive, ni.LocalRelay = true, true
		ni.LocalServices, ni.LocalServicesNames = "0000000000000001", []string{"NETWORK"}
		ni.ConnectionsIn, ni.ConnectionsOut = b.n.P2P.Counts()
		ni.Connections = ni.ConnectionsIn + ni.ConnectionsOut
		ni.Networks = []rpc.NetworkReach{{Name: "ipv4", Reachable: true}, {Name: "ipv6", Reachable: true}}
		ni.LocalAddresses = b.n.localAddresses()
	}
	return ni, nil
}

type miningBackend struct{ n *Node }

// template builds a block on the tip from the mempool's best packages.
func (b miningBackend) template(lock wire.Lock, txs []*wire.Tx) (*mining.Template, error) {
	var chosen []mining.TemplateTx
	if txs == nil {
		for _, t := range b.n.Pool.SelectForBlock(consensus.MaxBlockWeight - 8000) {
			chosen = append(chosen, mining.TemplateTx{Tx: t.Tx, Fee: t.Fee})
		}
	} else {
		// generateblock: the caller's transactions; fees from the chain
		// and pool view.
		view := consensus.NewUtxoView(b.n.Pool)
		tip := b.n.Chain.Tip()
		for _, tx := range txs {
			ins, err := consensus.CheckTxInputs(tx, tip.Height+1, tip.MedianTime, view, b.n.cfg.Params, b.n.Chain.MedianTimePast)
			if err != nil {
				return nil, err
			}
			view.AddTxOuts(tx, tx.TxHash(), tip.Height+1)
			chosen = append(chosen, mining.TemplateTx{Tx: tx, Fee: ins.Fee})
		}
	}
	return mining.NewTemplate(mining.TemplateConfig{Params: b.n.cfg.Params, Parent: b.n.Chain.Tip(), Payout: lock,
		Now: b.n.cfg.Now().Unix(), CoinbaseTag: []byte("/ballast/")}, chosen)
}

// GenerateToLock mines up to count blocks, trying at most maxTries nonces
// in all, as generatetoaddress does.
func (b miningBackend) GenerateToLock(ctx context.Context, count int, lock wire.Lock, maxTries uint64) ([]chainhash.Hash, error) {
	var hashes []chainhash.Hash
	left := maxTries
	for range count {
		if left == 0 {
			break
		}
		t, err := b.template(lock, nil)
		if err != nil {
			return hashes, err
		}
		tries, err := mining.Solve(ctx, t, left)
		left -= min(tries, left)
		if errors.Is(err, mining.ErrMaxTries) {
			break // Core returns the blocks found within the budget
		}
		if err != nil {
			return hashes, err
		}
		if _, err := b.n.SubmitBlock(t.Block); err != nil {
			return hashes, err
		}
		hashes = append(hashes, t.Block.BlockHash())
	}
	return hashes, nil
}

func (b miningBackend) GenerateBlock(ctx context.Context, lock wire.Lock, txs []*wire.Tx, submit bool) (*wire.Block, error) {
	if txs == nil {
		txs = []*wire.Tx{}
	}
	t, err := b.template(lock, txs)
	if err != nil {
		return nil, err
	}
	if _, err := mining.Solve(ctx, t, 0); err != nil {
		return nil, err
	}
	if submit {
		if _, err := b.n.SubmitBlock(t.Block); err != nil {
			return nil, err
		}
	}
	return t.Block, nil
}
