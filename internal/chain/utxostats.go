package chain

import (
	"crypto/sha256"
	"errors"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/store"
	"github.com/ballast-chain/ballast/internal/wire"
)

// UtxoStats summarises the UTXO set (gettxoutsetinfo).
type UtxoStats struct {
	Height       int32
	BestBlock    chainhash.Hash
	Transactions int64 // distinct transactions with unspent outputs
	Outputs      int64
	Bytes        int64 // serialized size of the entries
	// Amounts holds the total unspent amount per asset (the native coin
	// under wire.NativeAsset).
	Amounts map[wire.AssetID]int64
	// Hash is SHA-256 over every entry as stored (key ‖ value), in key
	// order; zero unless asked for. Two nodes at the same tip agree on it.
	Hash chainhash.Hash
}

// UtxoStats scans the whole UTXO set. It holds the chain's read lock for the
// scan so the result describes one tip.
func (c *Chain) UtxoStats(withHash bool) (UtxoStats, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	tip := c.active[len(c.active)-1]
	st := UtxoStats{Height: tip.height, BestBlock: tip.hash, Amounts: map[wire.AssetID]int64{}}
	h := sha256.New()
	var lastTx chainhash.Hash
	first := true
	err := c.db.Iterate([]byte{prefixUtxo}, func(k, v []byte) (bool, error) {
		e, _, err := decodeUtxo(v)
		if err != nil {
			return false, err
		}
		st.Outputs++
		st.Bytes += int64(len(k) + len(v))
		st.Amounts[e.Out.Asset] += e.Out.Value
		if txid := chainhash.Hash(k[1:33]); first || txid != lastTx {
			st.Transactions++
			lastTx, first = txid, false
		}
		if withHash {
			h.Write(k)
			h.Write(v)
		}
		return true, nil
	})
	if withHash {
		h.Sum(st.Hash[:0])
	}
	return st, err
}

// BlockUndo returns the outputs a connected block spent, in the order it
// spent them (the inputs of its transactions after the coinbase, in order),
// or ErrUnknownBlock if the block has no undo data (never connected).
func (c *Chain) BlockUndo(hash chainhash.Hash) (*consensus.BlockUndo, error) {
	raw, err := c.db.Get(hashKey(prefixUndo, hash))
	if errors.Is(err, store.ErrNotFound) {
		return nil, chainErr(ErrUnknownBlock, "no undo data for block %s", hash)
	}
	if err != nil {
		return nil, err
	}
	entries, err := decodeUndo(raw)
	if err != nil {
		return nil, err
	}
	m, err := c.Block(hash)
	if err != nil {
		return nil, err
	}
	u := &consensus.BlockUndo{Spent: make([]consensus.SpentOutput, 0, len(entries))}
	k := 0
	for _, tx := range m.Transactions[1:] {
		for _, in := range tx.TxIn {
			if k >= len(entries) {
				return nil, chainErr(ErrCorrupt, "undo data of %s is short", hash)
			}
			u.Spent = append(u.Spent, consensus.SpentOutput{OutPoint: in.PrevOut, Entry: entries[k]})
			k++
		}
	}
	return u, nil
}
