package chain

import (
	"encoding/binary"
	"errors"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/store"
	"github.com/ballast-chain/ballast/internal/wire"
)

// stageIndexes adds (connect) or removes (disconnect) a block's entries in
// the enabled indexes, in the same batch as the block's UTXO changes, so the
// indexes can never disagree with the chain.
func (c *Chain) stageIndexes(b *store.Batch, blk *consensus.Block, height int32, spent []consensus.SpentOutput, connect bool) {
	if c.cfg.TxIndex {
		for i := range blk.Msg.Transactions {
			k := hashKey(prefixTx, blk.TxIDs[i])
			if connect {
				v := append(blk.Hash[:len(blk.Hash):len(blk.Hash)], 0, 0, 0, 0)
				binary.LittleEndian.PutUint32(v[32:], uint32(i))
				b.Set(k, v)
			} else {
				b.Delete(k)
			}
		}
	}
	if !c.cfg.AddrIndex {
		return
	}
	put := func(k []byte) {
		if connect {
			b.Set(k, nil)
		} else {
			b.Delete(k)
		}
	}
	for i, tx := range blk.Msg.Transactions {
		for j := range tx.TxOut {
			if l := tx.TxOut[j].Lock; l.Kind != wire.LockBurn {
				put(addrKey(l, height, blk.TxIDs[i], addrOut, uint32(j)))
			}
		}
	}
	// Spends, from the undo data: which lock each input unlocked. The undo
	// list follows the block's inputs in order.
	k := 0
	for i, tx := range blk.Msg.Transactions[1:] {
		for j := range tx.TxIn {
			if k >= len(spent) {
				return
			}
			put(addrKey(spent[k].Entry.Out.Lock, height, blk.TxIDs[i+1], addrIn, uint32(j)))
			k++
		}
	}
}

// syncIndexes builds an enabled index that the database does not have yet
// (by replaying the active chain's blocks), and deletes a disabled one so a
// later re-enable rebuilds it rather than trusting a stale copy.
func (c *Chain) syncIndexes() error {
	if err := c.syncAssets(); err != nil { // consensus state: always kept
		return err
	}
	for _, ix := range []struct {
		key     []byte
		prefix  byte
		enabled bool
		name    string
	}{{keyTxIndex, prefixTx, c.cfg.TxIndex, "txindex"}, {keyAddrIndex, prefixAddr, c.cfg.AddrIndex, "addrindex"}} {
		have, err := c.db.Has(ix.key)
		if err != nil {
			return err
		}
		switch {
		case ix.enabled && !have:
			if err := c.buildIndex(ix.key, ix.name); err != nil {
				return err
			}
		case !ix.enabled && have:
			if err := c.dropIndex(ix.key, ix.prefix); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Chain) buildIndex(key []byte, name string) error {
	c.log.Info("building index", "index", name, "blocks", len(c.active))
	// Build only this index: temporarily disable the other.
	saved := c.cfg
	defer func() { c.cfg = saved }()
	c.cfg.TxIndex = name == "txindex"
	c.cfg.AddrIndex = name == "addrindex"
	for _, n := range c.active[1:] {
		m, err := c.Block(n.hash)
		if err != nil {
			return err
		}
		raw, err := c.db.Get(hashKey(prefixUndo, n.hash))
		if err != nil {
			return chainErr(ErrCorrupt, "undo data of %s: %v", n.hash, err)
		}
		entries, err := decodeUndo(raw)
		if err != nil {
			return err
		}
		spent := make([]consensus.SpentOutput, len(entries))
		for i := range entries {
			spent[i].Entry = entries[i]
		}
		b := c.db.NewBatch()
		c.stageIndexes(b, consensus.NewBlock(m), n.height, spent, true)
		if err := b.Commit(); err != nil {
			return err
		}
	}
	b := c.db.NewBatch()
	b.Set(key, []byte{1})
	return b.Commit()
}

func (c *Chain) dropIndex(key []byte, prefix byte) error {
	b := c.db.NewBatch()
	b.Delete(key)
	err := c.db.Iterate([]byte{prefix}, func(k, _ []byte) (bool, error) {
		b.Delete(k)
		return true, nil
	})
	if err != nil {
		b.Discard()
		return err
	}
	return b.Commit()
}

// TxLocation is where the transaction index found a transaction.
type TxLocation struct {
	Block    chainhash.Hash
	Position uint32
}

// FindTx looks a confirmed transaction up in the transaction index.
func (c *Chain) FindTx(txid chainhash.Hash) (*wire.Tx, TxLocation, error) {
	if !c.cfg.TxIndex {
		return nil, TxLocation{}, chainErr(ErrNoIndex, "the transaction index is not enabled (-txindex)")
	}
	v, err := c.db.Get(hashKey(prefixTx, txid))
	if errors.Is(err, store.ErrNotFound) {
		return nil, TxLocation{}, chainErr(ErrUnknownBlock, "transaction %s not in the index", txid)
	}
	if err != nil {
		return nil, TxLocation{}, err
	}
	if len(v) != 36 {
		return nil, TxLocation{}, chainErr(ErrCorrupt, "tx index entry of %d bytes", len(v))
	}
	loc := TxLocation{Block: chainhash.Hash(v[:32]), Position: binary.LittleEndian.Uint32(v[32:])}
	m, err := c.Block(loc.Block)
	if err != nil {
		return nil, loc, err
	}
	if int(loc.Position) >= len(m.Transactions) {
		return nil, loc, chainErr(ErrCorrupt, "tx index points past block %s", loc.Block)
	}
	return m.Transactions[loc.Position], loc, nil
}

// AddrEntry is one address-index record: a transaction that paid to a lock
// (Spend false, Index = output) or spent from it (Spend true, Index = input).
type AddrEntry struct {
	Height int32
	TxID   chainhash.Hash
	Spend  bool
	Index  uint32
}

// AddrHistory returns up to limit entries for lock in chain order, skipping
// the first skip.
func (c *Chain) AddrHistory(lock wire.Lock, skip, limit int) ([]AddrEntry, error) {
	if !c.cfg.AddrIndex {
		return nil, chainErr(ErrNoIndex, "the address index is not enabled (-addrindex)")
	}
	prefix := addrPrefix(lock)
	var out []AddrEntry
	err := c.db.Iterate(prefix, func(k, _ []byte) (bool, error) {
		rest := k[len(prefix):]
		if len(rest) != 4+32+1+4 {
			return false, chainErr(ErrCorrupt, "address index key of %d bytes", len(k))
		}
		if skip > 0 {
			skip--
			return true, nil
		}
		out = append(out, AddrEntry{
			Height: int32(binary.BigEndian.Uint32(rest)),
			TxID:   chainhash.Hash(rest[4:36]),
			Spend:  rest[36] == addrIn,
			Index:  binary.BigEndian.Uint32(rest[37:]),
		})
		return limit <= 0 || len(out) < limit, nil
	})
	return out, err
}
