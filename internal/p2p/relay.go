package p2p

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/p2p/message"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Orphan transaction pool limits.
const (
	maxOrphanTxs    = 100
	maxOrphanTxSize = 100_000
	orphanTxExpiry  = 20 * time.Minute
	txRequestExpiry = 30 * time.Second
	maxRejects      = 50_000
)

// relay announces new blocks (a header to peers that asked for headers, an
// inv otherwise) and trickles the mempool's new transactions to every peer
// on a timer, fetches announced transactions once, and keeps transactions
// whose parents are missing in a small orphan pool.
type relay struct {
	s *Server

	announced map[chainhash.Hash]struct{} // pool txids already announced
	lastTip   chainhash.Hash

	// mu guards the maps below (read loops of many peers use them).
	mu        sync.Mutex
	requested map[chainhash.Hash]time.Time
	rejects   map[chainhash.Hash]struct{}
	orphans   map[chainhash.Hash]orphanTx
}

type orphanTx struct {
	tx      *wire.Tx
	from    *peer
	expires time.Time
}

func newRelay(s *Server) *relay {
	return &relay{s: s, announced: make(map[chainhash.Hash]struct{}), requested: make(map[chainhash.Hash]time.Time), rejects: make(map[chainhash.Hash]struct{}),
		orphans: make(map[chainhash.Hash]orphanTx)}
}

func (r *relay) run(ctx context.Context) error {
	t := time.NewTicker(r.s.cfg.TrickleInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-r.s.tipAnn:
			r.announceTip()
		case <-t.C:
			r.trickle()
			r.expire()
		}
	}
}

func (r *relay) peerReady(p *peer) {
	// A new peer learns our whole mempool at the next trickle.
	var inv []message.InvVect
	for _, id := range r.s.cfg.Pool.TxIDs() {
		p.markTx(id)
		inv = append(inv, message.InvVect{Type: message.InvTx, Hash: id})
	}
	sendInv(p, inv)
}

func sendInv(p *peer, inv []message.InvVect) {
	for len(inv) > 0 {
		n := min(len(inv), message.MaxInv)
		p.trySend(&message.Inv{List: inv[:n]})
		inv = inv[n:]
	}
}

// maxAnnounceHeaders is how many headers an announcement carries to a peer
// that is behind; further behind, it gets an inv and asks for headers.
const maxAnnounceHeaders = 8

// announceTip tells every peer that does not know it about the new tip: a
// cmpctblock to high-bandwidth compact peers that know its parent, else the
// headers the peer lacks (up to 8) to peers that asked for headers, else an
// inv.
func (r *relay) announceTip() {
	c := r.s.cfg.Chain
	tip := c.Tip()
	if tip.Hash == r.lastTip {
		return
	}
	r.lastTip = tip.Hash
	r.mu.Lock()
	clear(r.rejects) // a new block can make rejected transactions valid
	r.mu.Unlock()
	var cmpct *message.CmpctBlock
	for _, p := range r.s.established() {
		if p.knowsBlock(tip.Hash) {
			continue
		}
		hdrs := r.unknownHeaders(p, tip.Hash)
		p.markBlock(tip.Hash)
		switch {
		case len(hdrs) == 1 && p.cmpctHB.Load():
			if cmpct == nil {
				b, err := c.Block(tip.Hash)
				if err != nil {
					return
				}
				cmpct = newCmpctBlock(b)
			}
			p.trySend(cmpct)
		case len(hdrs) > 0 && len(hdrs) <= maxAnnounceHeaders && p.sendHeaders.Load():
			p.trySend(&message.Headers{List: hdrs})
		default:
			p.trySend(&message.Inv{List: []message.InvVect{{Type: message.InvBlock, Hash: tip.Hash}}})
		}
	}
}

// unknownHeaders returns the headers from the first block p is not known to
// have up to tip, oldest first; more than maxAnnounceHeaders means too many.
func (r *relay) unknownHeaders(p *peer, tip chainhash.Hash) []wire.BlockHeader {
	var out []wire.BlockHeader
	for h := tip; len(out) <= maxAnnounceHeaders && !p.knowsBlock(h); {
		bi, err := r.s.cfg.Chain.BlockInfo(h)
		if err != nil {
			break
		}
		out = append(out, bi.Header)
		if bi.Height == 0 {
			break
		}
		h = bi.Header.PrevBlock
	}
	slices.Reverse(out)
	return out
}

// trickle announces transactions that entered the pool since the last
// round, in one inv per peer.
func (r *relay) trickle() {
	ids := r.s.cfg.Pool.TxIDs()
	now := make(map[chainhash.Hash]struct{}, len(ids))
	var fresh []chainhash.Hash
	for _, id := range ids {
		now[id] = struct{}{}
		if _, ok := r.announced[id]; !ok {
			fresh = append(fresh, id)
		}
	}
	r.announced = now
	if len(fresh) == 0 {
		return
	}
	for _, p := range r.s.established() {
		var inv []message.InvVect
		for _, id := range fresh {
			if !p.knowsTx(id) {
				p.markTx(id)
				inv = append(inv, message.InvVect{Type: message.InvTx, Hash: id})
			}
		}
		sendInv(p, inv)
	}
}

func (r *relay) expire() {
	now := r.s.cfg.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for h, t := range r.requested {
		if now.Sub(t) > txRequestExpiry {
			delete(r.requested, h)
		}
	}
	for h, o := range r.orphans {
		if now.After(o.expires) {
			delete(r.orphans, h)
		}
	}
}

// requestTxs asks p for announced transactions we neither have nor asked
// another peer for.
func (r *relay) requestTxs(p *peer, txs []chainhash.Hash) {
	now := r.s.cfg.Now()
	var want []message.InvVect
	r.mu.Lock()
	for _, h := range txs {
		_, asked := r.requested[h]
		_, rejected := r.rejects[h]
		_, orphan := r.orphans[h]
		if asked || rejected || orphan || r.s.cfg.Pool.Has(h) {
			continue
		}
		r.requested[h] = now
		want = append(want, message.InvVect{Type: message.InvTx, Hash: h})
	}
	r.mu.Unlock()
	if len(want) > 0 {
		p.send(&message.GetData{List: want})
	}
}

// handleTx offers a relayed transaction to the mempool; one with missing
// inputs waits in the orphan pool, and one that breaks a consensus rule
// costs its sender.
func (r *relay) handleTx(p *peer, tx *wire.Tx) {
	txid := tx.TxHash()
	p.markTx(txid)
	r.mu.Lock()
	delete(r.requested, txid)
	r.mu.Unlock()
	if r.s.cfg.Pool.Has(txid) {
		return
	}
	_, err := r.s.cfg.Pool.Accept(tx)
	switch {
	case err == nil:
		p.addUseful()
		r.acceptOrphans(txid)
	case errors.Is(err, consensus.ErrMissingTxOut):
		r.addOrphan(tx, p)
	default:
		r.mu.Lock()
		if len(r.rejects) >= maxRejects {
			clear(r.rejects)
		}
		r.rejects[txid] = struct{}{}
		r.mu.Unlock()
		var re *consensus.RuleError
		if errors.As(err, &re) {
			r.s.misbehave(p, 10, "invalid transaction: "+err.Error())
		}
	}
}

func (r *relay) addOrphan(tx *wire.Tx, p *peer) {
	if tx.SerializeSize() > maxOrphanTxSize {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.orphans) >= maxOrphanTxs {
		for h := range r.orphans { // map order: a random victim
			delete(r.orphans, h)
			break
		}
	}
	r.orphans[tx.TxHash()] = orphanTx{tx: tx, from: p, expires: r.s.cfg.Now().Add(orphanTxExpiry)}
}

// acceptOrphans retries orphans that spend the outputs of parent, and their
// own children in turn.
func (r *relay) acceptOrphans(parent chainhash.Hash) {
	queue := []chainhash.Hash{parent}
	for len(queue) > 0 {
		h := queue[0]
		queue = queue[1:]
		var kids []orphanTx
		r.mu.Lock()
		for id, o := range r.orphans {
			for _, in := range o.tx.TxIn {
				if in.PrevOut.Hash == h {
					kids = append(kids, o)
					delete(r.orphans, id)
					break
				}
			}
		}
		r.mu.Unlock()
		for _, o := range kids {
			if _, err := r.s.cfg.Pool.Accept(o.tx); err == nil {
				queue = append(queue, o.tx.TxHash())
			} else if errors.Is(err, consensus.ErrMissingTxOut) {
				r.addOrphan(o.tx, o.from)
			}
		}
	}
}

// orphanCount returns the orphan pool's size.
func (r *relay) orphanCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.orphans)
}
