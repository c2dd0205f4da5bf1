package p2p

import (
	"math/rand/v2"
	"slices"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/p2p/message"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Compact block relay (BIP152-style). Every peer is told we understand
// compact blocks; up to maxHBPeers are asked for high-bandwidth mode, in
// which a new block is pushed as a cmpctblock (header, short ids, coinbase)
// as soon as the sender has connected it. The receiver rebuilds the block
// from its mempool and asks for what it lacks with getblocktxn; when short
// ids collide or the rebuilt block does not match its header it falls back
// to fetching the full block.

// maxHBPeers is how many peers we ask to push compact blocks.
const maxHBPeers = 3

// partialBlock is a compact block waiting for the transactions we lacked.
type partialBlock struct {
	hash    chainhash.Hash
	header  wire.BlockHeader
	txs     []*wire.Tx
	missing []int
}

// offerCompact tells a new peer we speak compact blocks, asking it for
// high-bandwidth announcements while we have fewer than maxHBPeers.
func (s *Server) offerCompact(p *peer) {
	s.mu.Lock()
	hb := len(s.hbPeers) < maxHBPeers
	if hb {
		s.hbPeers = append(s.hbPeers, p)
	}
	s.mu.Unlock()
	p.send(&message.SendCmpct{Announce: hb, Version: message.CompactVersion})
}

// promoteHB makes p, which just gave us a new block first, one of our
// high-bandwidth peers, demoting the longest-serving one when full (as Core
// does, so the fastest relayers push to us).
func (s *Server) promoteHB(p *peer) {
	s.mu.Lock()
	if slices.Contains(s.hbPeers, p) {
		s.mu.Unlock()
		return
	}
	var demoted *peer
	s.hbPeers = append(s.hbPeers, p)
	if len(s.hbPeers) > maxHBPeers {
		demoted, s.hbPeers = s.hbPeers[0], s.hbPeers[1:]
	}
	s.mu.Unlock()
	p.trySend(&message.SendCmpct{Announce: true, Version: message.CompactVersion})
	if demoted != nil {
		demoted.trySend(&message.SendCmpct{Announce: false, Version: message.CompactVersion})
	}
}

func (s *Server) dropHB(p *peer) {
	s.mu.Lock()
	s.hbPeers = slices.DeleteFunc(s.hbPeers, func(q *peer) bool { return q == p })
	s.mu.Unlock()
}

func (s *Server) handleSendCmpct(p *peer, m *message.SendCmpct) {
	if m.Version != message.CompactVersion {
		return // a version we do not speak: the peer gets headers
	}
	p.cmpct.Store(true)
	p.cmpctHB.Store(m.Announce)
}

// newCmpctBlock builds the compact form of b: the coinbase prefilled, every
// other transaction as the short id of its wtxid.
func newCmpctBlock(b *wire.Block) *message.CmpctBlock {
	m := &message.CmpctBlock{Header: b.Header, Nonce: rand.Uint64(),
		Prefilled: []message.PrefilledTx{{Index: 0, Tx: b.Transactions[0]}}}
	k0, k1 := message.ShortIDKeys(&b.Header, m.Nonce)
	m.ShortIDs = make([]uint64, 0, len(b.Transactions)-1)
	for _, tx := range b.Transactions[1:] {
		m.ShortIDs = append(m.ShortIDs, message.ShortID(k0, k1, tx.WitnessHash()))
	}
	return m
}

// handleCmpctBlock validates the header, rebuilds the block from the
// prefilled transactions and the mempool, and either submits it or asks the
// peer for the missing transactions.
func (s *Server) handleCmpctBlock(p *peer, m *message.CmpctBlock) {
	hash := m.Header.BlockHash()
	p.markBlock(hash)
	c := s.cfg.Chain
	if c.HaveBlock(hash) {
		return
	}
	y := s.sync
	// Claim the download so the header below does not schedule a getdata.
	// A block another peer is already delivering (several high-bandwidth
	// peers push the same block) is left to that peer: rebuilding it twice
	// costs a second blocktxn round trip and validation for nothing. If
	// that peer stalls, the claim expires and the block is fetched anew.
	y.mu.Lock()
	if r, ok := y.inflight[hash]; (ok && r.p != p) || y.queued[hash] > 0 || y.waiting[hash] {
		y.mu.Unlock()
		return
	}
	y.inflight[hash] = request{p: p, at: s.cfg.Now()}
	y.mu.Unlock()
	// Stored between the check above and the claim (the queue settles a
	// block only after connecting it): nothing left to do.
	if c.HaveBlock(hash) {
		y.release(p, hash)
		return
	}
	y.handleHeaders(p, []wire.BlockHeader{m.Header})
	y.mu.Lock()
	_, valid := y.hdrs[hash]
	y.mu.Unlock()
	if !valid {
		bi, err := c.BlockInfo(hash)
		valid = err == nil && !bi.Invalid
	}
	if !valid { // invalid (already punished) or not connecting (headers asked)
		y.release(p, hash)
		return
	}

	n := m.TxCount()
	txs := make([]*wire.Tx, n)
	for _, pf := range m.Prefilled {
		txs[pf.Index] = pf.Tx
	}
	slot := make(map[uint64]int, len(m.ShortIDs))
	j := 0
	for i := range txs {
		if txs[i] != nil {
			continue
		}
		if j >= len(m.ShortIDs) {
			break
		}
		if _, dup := slot[m.ShortIDs[j]]; dup {
			// Two of the block's transactions share a short id: only
			// the full block will do.
			s.requestFullBlock(p, hash)
			return
		}
		slot[m.ShortIDs[j]] = i
		j++
	}
	if j != len(m.ShortIDs) {
		s.misbehave(p, banScore, "compact block with repeated prefilled indexes")
		return
	}
	k0, k1 := message.ShortIDKeys(&m.Header, m.Nonce)
	collided := make(map[int]bool)
	pool := s.cfg.Pool
	for _, id := range pool.TxIDs() {
		tx := pool.Get(id)
		if tx == nil {
			continue
		}
		if i, ok := slot[message.ShortID(k0, k1, tx.WitnessHash())]; ok {
			if txs[i] != nil {
				collided[i] = true
			}
			txs[i] = tx
		}
	}
	var missing []int
	for i := range txs {
		if txs[i] == nil || collided[i] {
			txs[i] = nil
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		s.cmpctRebuilt.Add(1)
		s.completeCompact(p, hash, m.Header, txs)
		return
	}
	p.mu.Lock()
	p.partial = &partialBlock{hash: hash, header: m.Header, txs: txs, missing: missing}
	p.mu.Unlock()
	p.send(&message.GetBlockTxn{Block: hash, Indexes: missing})
}

// handleBlockTxn fills a partial block with the transactions we asked for.
func (s *Server) handleBlockTxn(p *peer, m *message.BlockTxn) {
	p.mu.Lock()
	pb := p.partial
	if pb == nil || pb.hash != m.Block {
		p.mu.Unlock()
		return // not asked for (or superseded): ignored
	}
	p.partial = nil
	p.mu.Unlock()
	if len(m.Txs) != len(pb.missing) {
		s.misbehave(p, banScore, "blocktxn with the wrong number of transactions")
		return
	}
	for k, i := range pb.missing {
		pb.txs[i] = m.Txs[k]
	}
	s.cmpctWithTxn.Add(1)
	s.completeCompact(p, pb.hash, pb.header, pb.txs)
}

// completeCompact submits a rebuilt block. One that does not match its
// header (a short-id collision with a mempool transaction, or a different
// witness) is not the peer's fault: the full block is fetched instead.
func (s *Server) completeCompact(p *peer, hash chainhash.Hash, h wire.BlockHeader, txs []*wire.Tx) {
	b := &wire.Block{Header: h, Transactions: txs}
	if err := consensus.CheckBlockSanity(consensus.NewBlock(b), s.cfg.Params); err != nil {
		s.log.Debug("compact block did not rebuild; fetching it whole", "block", hash.String(), "err", err)
		s.requestFullBlock(p, hash)
		return
	}
	s.promoteHB(p)
	s.sync.receiveBlock(p, b)
}

func (s *Server) requestFullBlock(p *peer, hash chainhash.Hash) {
	s.cmpctFallback.Add(1)
	s.sync.mu.Lock()
	s.sync.inflight[hash] = request{p: p, at: s.cfg.Now()}
	s.sync.mu.Unlock()
	p.send(&message.GetData{List: []message.InvVect{{Type: message.InvBlock, Hash: hash}}})
}

// serveBlockTxn answers getblocktxn from a stored block.
func (s *Server) serveBlockTxn(p *peer, m *message.GetBlockTxn) {
	b, err := s.cfg.Chain.Block(m.Block)
	if err != nil {
		p.send(&message.NotFound{List: []message.InvVect{{Type: message.InvBlock, Hash: m.Block}}})
		return
	}
	out := &message.BlockTxn{Block: m.Block, Txs: make([]*wire.Tx, 0, len(m.Indexes))}
	for _, i := range m.Indexes {
		if i >= len(b.Transactions) {
			s.misbehave(p, banScore, "getblocktxn index out of range")
			return
		}
		out.Txs = append(out.Txs, b.Transactions[i])
	}
	p.send(out)
}
