package chain

import (
	"encoding/binary"
	"encoding/json"
	"errors"

	"github.com/ballast-chain/ballast/internal/asset"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/store"
	"github.com/ballast-chain/ballast/internal/wire"
)

// The asset registry. Unlike the optional indexes it is consensus state
// (reissuance and attestation rules read it), so it is always kept, in the
// same atomic batch as each block's UTXO changes:
//
//	'x' ‖ asset id                         -> AssetInfo (current)
//	'w' ‖ asset id ‖ height (BE)           -> AssetInfo as of that block
//	'y' ‖ asset id ‖ height ‖ tx ‖ seq (BE) -> AssetEvent
//
// Snapshots link to the previous one (PrevHeight), so disconnecting a
// block restores an asset's state with two reads, without scanning.
const (
	prefixAsset      = 'x'
	prefixAssetSnap  = 'w'
	prefixAssetEvent = 'y'
)

var keyAssets = []byte("m/assets")

// AssetInfo is the registry's record of one asset.
type AssetInfo struct {
	ID           wire.AssetID    `json:"id"`
	Contract     []byte          `json:"contract"`
	IssueTxID    chainhash.Hash  `json:"issue_txid"`
	IssueHeight  int32           `json:"issue_height"`
	Issued       int64           `json:"issued"`   // issuance and reissuances, base units
	Burned       int64           `json:"burned"`   // every burn, redemptions included
	Redeemed     int64           `json:"redeemed"` // burns carrying a redemption reference
	Attestation  []byte          `json:"attestation,omitempty"`
	AttestTxID   *chainhash.Hash `json:"attest_txid,omitempty"`
	AttestHeight int32           `json:"attest_height,omitempty"`
	Attestations int             `json:"attestations"`
	Height       int32           `json:"height"`      // last block that changed it
	PrevHeight   int32           `json:"prev_height"` // the snapshot before; -1 at issuance
}

// Supply returns the circulating supply: issued minus burned.
func (a *AssetInfo) Supply() int64 { return a.Issued - a.Burned }

// Event kinds in an asset's history.
const (
	EventIssue   = "issue"
	EventReissue = "reissue"
	EventBurn    = "burn"
	EventRedeem  = "redeem"
	EventAttest  = "attest"
)

// AssetEvent is one entry of an asset's history.
type AssetEvent struct {
	Kind      string         `json:"kind"`
	Height    int32          `json:"height"`
	TxID      chainhash.Hash `json:"txid"`
	Amount    int64          `json:"amount,omitempty"`
	Reference []byte         `json:"reference,omitempty"` // redemption reference
	Payload   []byte         `json:"payload,omitempty"`   // attestation payload
}

func assetKey(prefix byte, id wire.AssetID, rest ...uint32) []byte {
	k := make([]byte, 0, 33+4*len(rest))
	k = append(k, prefix)
	k = append(k, id[:]...)
	for _, v := range rest {
		k = binary.BigEndian.AppendUint32(k, v)
	}
	return k
}

// blockAssetEvents lists a block's asset events by asset, assets in order
// of first appearance.
func blockAssetEvents(blk *consensus.Block, height int32) ([]wire.AssetID, map[wire.AssetID][]AssetEvent) {
	var order []wire.AssetID
	evs := make(map[wire.AssetID][]AssetEvent)
	add := func(id wire.AssetID, e AssetEvent) {
		if _, ok := evs[id]; !ok {
			order = append(order, id)
		}
		evs[id] = append(evs[id], e)
	}
	for i, tx := range blk.Msg.Transactions[1:] {
		txid := blk.TxIDs[i+1]
		for _, r := range tx.Records {
			switch r.Type {
			case wire.RecordIssue:
				p, c, err := asset.DecodeIssue(r.Payload)
				if err != nil {
					continue // cannot happen in a connected block
				}
				id := asset.ID(tx.TxIn[p.Input].PrevOut, c.Hash())
				add(id, AssetEvent{Kind: EventIssue, Height: height, TxID: txid, Amount: int64(p.Amount), Payload: p.Contract})
			case wire.RecordReissue:
				if p, err := asset.DecodeReissue(r.Payload); err == nil {
					add(p.Asset, AssetEvent{Kind: EventReissue, Height: height, TxID: txid, Amount: int64(p.Amount)})
				}
			case wire.RecordAttestation:
				if p, err := asset.DecodeAttestation(r.Payload); err == nil {
					add(p.Asset, AssetEvent{Kind: EventAttest, Height: height, TxID: txid, Payload: r.Payload})
				}
			}
		}
		for _, o := range tx.TxOut {
			if o.Asset.IsNative() || o.Lock.Kind != wire.LockBurn {
				continue
			}
			e := AssetEvent{Kind: EventBurn, Height: height, TxID: txid, Amount: o.Value}
			if len(o.Lock.Data) > 0 {
				e.Kind, e.Reference = EventRedeem, o.Lock.Data
			}
			add(o.Asset, e)
		}
	}
	return order, evs
}

// stageAssets adds (connect) or removes (disconnect) a block's changes to
// the asset registry in b. A read failure drops the registry's marker in
// the same batch, so the next start rebuilds it from the blocks, and
// FetchAsset refuses to answer until then.
func (c *Chain) stageAssets(b *store.Batch, blk *consensus.Block, height int32, connect bool) {
	order, evs := blockAssetEvents(blk, height)
	for _, id := range order {
		var err error
		if connect {
			err = c.connectAsset(b, id, height, evs[id])
		} else {
			err = c.disconnectAsset(b, id, height, len(evs[id]))
		}
		if err != nil {
			c.log.Error("asset registry update failed; it will be rebuilt at the next start", "asset", id.String(), "err", err)
			b.Delete(keyAssets)
			return
		}
	}
}

func (c *Chain) readAsset(k []byte) (*AssetInfo, error) {
	v, err := c.db.Get(k)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var a AssetInfo
	if err := json.Unmarshal(v, &a); err != nil {
		return nil, chainErr(ErrCorrupt, "asset record: %v", err)
	}
	return &a, nil
}

func (c *Chain) connectAsset(b *store.Batch, id wire.AssetID, height int32, evs []AssetEvent) error {
	cur, err := c.readAsset(assetKey(prefixAsset, id))
	if err != nil {
		return err
	}
	var next AssetInfo
	if cur != nil {
		next = *cur
		next.PrevHeight = cur.Height
	} else {
		next = AssetInfo{ID: id, PrevHeight: -1}
	}
	next.Height = height
	for i, e := range evs {
		switch e.Kind {
		case EventIssue:
			next.Contract, next.IssueTxID, next.IssueHeight = e.Payload, e.TxID, height
			next.Issued += e.Amount
		case EventReissue:
			next.Issued += e.Amount
		case EventBurn:
			next.Burned += e.Amount
		case EventRedeem:
			next.Burned += e.Amount
			next.Redeemed += e.Amount
		case EventAttest:
			txid := e.TxID
			next.Attestation, next.AttestTxID, next.AttestHeight = e.Payload, &txid, height
			next.Attestations++
		}
		v, _ := json.Marshal(e)
		b.Set(assetKey(prefixAssetEvent, id, uint32(height), uint32(i)), v)
	}
	v, _ := json.Marshal(&next)
	b.Set(assetKey(prefixAsset, id), v)
	b.Set(assetKey(prefixAssetSnap, id, uint32(height)), v)
	return nil
}

func (c *Chain) disconnectAsset(b *store.Batch, id wire.AssetID, height int32, nEvents int) error {
	for i := range nEvents {
		b.Delete(assetKey(prefixAssetEvent, id, uint32(height), uint32(i)))
	}
	b.Delete(assetKey(prefixAssetSnap, id, uint32(height)))
	cur, err := c.readAsset(assetKey(prefixAsset, id))
	if err != nil {
		return err
	}
	if cur == nil || cur.Height != height {
		return chainErr(ErrCorrupt, "asset %s: registry is not at height %d", id, height)
	}
	if cur.PrevHeight < 0 {
		b.Delete(assetKey(prefixAsset, id))
		return nil
	}
	prev, err := c.db.Get(assetKey(prefixAssetSnap, id, uint32(cur.PrevHeight)))
	if err != nil {
		return chainErr(ErrCorrupt, "asset %s: snapshot at %d: %v", id, cur.PrevHeight, err)
	}
	b.Set(assetKey(prefixAsset, id), prev)
	return nil
}

// syncAssets builds the registry when the database has none (a database
// from before assets, or one whose update failed), by replaying the
// active chain.
func (c *Chain) syncAssets() error {
	have, err := c.db.Has(keyAssets)
	if err != nil || have {
		return err
	}
	c.log.Info("building the asset registry", "blocks", len(c.active))
	b := c.db.NewBatch()
	for _, p := range []byte{prefixAsset, prefixAssetSnap, prefixAssetEvent} {
		if err := c.db.Iterate([]byte{p}, func(k, _ []byte) (bool, error) { b.Delete(k); return true, nil }); err != nil {
			b.Discard()
			return err
		}
	}
	if err := b.Commit(); err != nil {
		return err
	}
	for _, n := range c.active[1:] {
		m, err := c.Block(n.hash)
		if err != nil {
			return err
		}
		b := c.db.NewBatch()
		c.stageAssets(b, consensus.NewBlock(m), n.height, true)
		if err := b.Commit(); err != nil {
			return err
		}
	}
	b = c.db.NewBatch()
	b.Set(keyAssets, []byte{1})
	return b.Commit()
}

// fetchAsset reads the consensus view of an asset from db.
func fetchAsset(db *store.DB, id wire.AssetID) (*consensus.AssetState, error) {
	if ok, err := db.Has(keyAssets); err != nil {
		return nil, err
	} else if !ok {
		return nil, chainErr(ErrCorrupt, "the asset registry needs a rebuild (restart the node)")
	}
	v, err := db.Get(assetKey(prefixAsset, id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var a AssetInfo
	if err := json.Unmarshal(v, &a); err != nil {
		return nil, chainErr(ErrCorrupt, "asset record: %v", err)
	}
	ct, err := asset.DecodeContract(a.Contract)
	if err != nil {
		return nil, chainErr(ErrCorrupt, "asset %s contract: %v", id, err)
	}
	s := &consensus.AssetState{Contract: ct}
	if a.Attestation != nil {
		att, err := asset.DecodeAttestation(a.Attestation)
		if err != nil {
			return nil, chainErr(ErrCorrupt, "asset %s attestation: %v", id, err)
		}
		s.Attested, s.LatestAttestation = true, att.Time
	}
	return s, nil
}

// FetchAsset implements consensus.AssetSource for block connection.
func (u *utxoSet) FetchAsset(id wire.AssetID) (*consensus.AssetState, error) {
	return fetchAsset(u.db, id)
}

// FetchAsset implements consensus.AssetSource at the tip (the mempool and
// block templates validate against it).
func (c *Chain) FetchAsset(id wire.AssetID) (*consensus.AssetState, error) {
	return fetchAsset(c.db, id)
}

// Asset returns the registry's record of an asset, or nil if unknown.
func (c *Chain) Asset(id wire.AssetID) (*AssetInfo, error) {
	return c.readAsset(assetKey(prefixAsset, id))
}

// Assets lists every registered asset, ordered by id.
func (c *Chain) Assets() ([]*AssetInfo, error) {
	var out []*AssetInfo
	err := c.db.Iterate([]byte{prefixAsset}, func(_, v []byte) (bool, error) {
		var a AssetInfo
		if err := json.Unmarshal(v, &a); err != nil {
			return false, chainErr(ErrCorrupt, "asset record: %v", err)
		}
		out = append(out, &a)
		return true, nil
	})
	return out, err
}

// AssetHistory returns an asset's events in chain order, skipping skip and
// returning at most limit (0: all).
func (c *Chain) AssetHistory(id wire.AssetID, skip, limit int) ([]AssetEvent, error) {
	var out []AssetEvent
	err := c.db.Iterate(assetKey(prefixAssetEvent, id), func(_, v []byte) (bool, error) {
		if skip > 0 {
			skip--
			return true, nil
		}
		var e AssetEvent
		if err := json.Unmarshal(v, &e); err != nil {
			return false, chainErr(ErrCorrupt, "asset event: %v", err)
		}
		out = append(out, e)
		return limit <= 0 || len(out) < limit, nil
	})
	return out, err
}
