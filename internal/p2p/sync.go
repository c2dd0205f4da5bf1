package p2p

import (
	"context"
	"errors"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ballast-chain/ballast/internal/chain"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/p2p/message"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Download limits: blocks requested ahead of the tip, per peer in flight, and
// bytes of blocks waiting for their parent.
const (
	downloadWindow  = 1024
	maxInFlight     = 64
	maxPendingBytes = 256 << 20
	// maxTipAge: a tip older than this means the node is still catching up.
	maxTipAge = 24 * time.Hour
)

// syncer is headers-first sync: headers are validated into a tree ahead of
// the chain, the blocks on the best header chain are requested from every
// peer that has them (several at once, a window ahead of the tip), arrive in
// any order and are connected in order. A request that is not answered in
// StallTimeout moves to another peer; a peer holding up the lowest missing
// block is disconnected.
type syncer struct {
	s *Server

	mu       sync.Mutex
	hdrs     map[chainhash.Hash]*hdrNode
	best     *hdrNode
	path     []*hdrNode // best's ancestors missing from the chain, lowest first
	next     int        // path[:next] are known to be stored
	inflight map[chainhash.Hash]request
	pending  map[chainhash.Hash][]pendingBlock // by parent hash
	waiting  map[chainhash.Hash]bool           // hashes in pending
	queued   map[chainhash.Hash]int            // hashes in blocks, by count
	pendSize int

	procMu sync.Mutex // serialises block processing
	// blocks carries received blocks from the peers' read loops to the
	// connect loop, so a reader decodes the next block while the previous
	// one is validated (download overlaps signature checking).
	blocks chan receivedBlock

	ibdDone  atomic.Bool
	progress struct {
		at     time.Time
		height int32
	}
}

type request struct {
	p      *peer
	at     time.Time
	height int32
}

type receivedBlock struct {
	p *peer
	b *wire.Block
}

// blockQueue is how many received blocks may wait for the connect loop.
const blockQueue = 16

// flushEvery bounds how long blocks connected during a sync stay unflushed
// (a power loss, not a crash, would lose them; they are downloaded again).
const flushEvery = time.Second

type pendingBlock struct {
	b    *wire.Block
	from *peer
	size int
}

func newSyncer(s *Server) *syncer {
	return &syncer{s: s, hdrs: make(map[chainhash.Hash]*hdrNode), inflight: make(map[chainhash.Hash]request),
		pending: make(map[chainhash.Hash][]pendingBlock), waiting: make(map[chainhash.Hash]bool),
		queued: make(map[chainhash.Hash]int), blocks: make(chan receivedBlock, blockQueue)}
}

func (y *syncer) peerReady(p *peer) { y.requestHeaders(p) }

func (y *syncer) peerGone(p *peer) {
	y.mu.Lock()
	for h, r := range y.inflight {
		if r.p == p {
			delete(y.inflight, h)
		}
	}
	y.mu.Unlock()
	y.schedule()
}

func (y *syncer) notFound(p *peer, list []message.InvVect) {
	y.mu.Lock()
	for _, v := range list {
		if r, ok := y.inflight[v.Hash]; ok && r.p == p {
			delete(y.inflight, v.Hash)
			p.mu.Lock()
			p.bestHdr = nil // it does not have our best chain after all
			p.mu.Unlock()
		}
	}
	y.mu.Unlock()
	y.schedule()
}

// schedule requests the next missing blocks of the best header chain from
// peers known to have them, spreading them over the least loaded peers.
func (y *syncer) schedule() {
	c := y.s.cfg.Chain
	peers := y.s.established()
	now := y.s.cfg.Now()
	batches := make(map[*peer][]message.InvVect)
	y.mu.Lock()
	for y.next < len(y.path) && c.HaveBlock(y.path[y.next].hash) {
		y.next++
	}
	if y.next >= len(y.path) || y.pendSize > maxPendingBytes {
		y.mu.Unlock()
		return
	}
	base := y.path[0].height
	load := make(map[*peer]int)
	reach := make(map[*peer]int) // highest path index the peer has
	for _, r := range y.inflight {
		load[r.p]++
	}
	for _, p := range peers {
		p.mu.Lock()
		b := p.bestHdr
		p.mu.Unlock()
		if b == nil {
			continue
		}
		// Top a peer up only when half its slots are free, so requests go
		// in batches rather than one getdata per block received.
		if load[p] > maxInFlight/2 {
			continue
		}
		if i := int(b.height - base); i >= 0 && i < len(y.path) && y.path[i] == b {
			reach[p] = i
		}
	}
	if len(reach) > 0 {
		for i := y.next; i < len(y.path) && i < y.next+downloadWindow; i++ {
			n := y.path[i]
			if _, ok := y.inflight[n.hash]; ok || y.waiting[n.hash] || y.queued[n.hash] > 0 {
				continue
			}
			var pick *peer
			for p, top := range reach {
				if top >= i && load[p] < maxInFlight && (pick == nil || load[p] < load[pick]) {
					pick = p
				}
			}
			if pick == nil {
				continue
			}
			load[pick]++
			y.inflight[n.hash] = request{p: pick, at: now, height: n.height}
			batches[pick] = append(batches[pick], message.InvVect{Type: message.InvBlock, Hash: n.hash})
		}
	}
	y.mu.Unlock()
	for p, list := range batches {
		p.send(&message.GetData{List: list})
	}
}

// receiveBlock queues a block from p's read loop for the connect loop. The
// request is settled at once so the scheduler can ask for more while the
// queue is validated; a full queue holds the reader back.
func (y *syncer) receiveBlock(p *peer, b *wire.Block) {
	hash := b.BlockHash()
	p.markBlock(hash)
	y.mu.Lock()
	_, asked := y.inflight[hash]
	delete(y.inflight, hash)
	y.queued[hash]++
	y.mu.Unlock()
	y.schedule()
	if asked {
		// Check its signatures while the blocks ahead of it in the
		// queue are connected (only blocks we asked for: an unsolicited
		// one costs its sender a ban, not us a second check).
		y.s.cfg.Chain.Preverify(b)
	}
	select {
	case y.blocks <- receivedBlock{p, b}:
	case <-p.ctx.Done():
		y.unqueue(hash)
	}
}

// release withdraws p's claim on the download of hash.
func (y *syncer) release(p *peer, hash chainhash.Hash) {
	y.mu.Lock()
	if r, ok := y.inflight[hash]; ok && r.p == p {
		delete(y.inflight, hash)
	}
	y.mu.Unlock()
}

func (y *syncer) unqueue(hash chainhash.Hash) {
	y.mu.Lock()
	if y.queued[hash]--; y.queued[hash] <= 0 {
		delete(y.queued, hash)
	}
	y.mu.Unlock()
}

// connectLoop validates queued blocks one at a time. Blocks from peers are
// processed lazily (nobody waits on them) and flushed to disk together:
// when the queue runs dry, or after flushEvery of continuous sync.
func (y *syncer) connectLoop(ctx context.Context) error {
	c := y.s.cfg.Chain
	lastFlush := time.Now()
	flush := func() {
		if err := c.Flush(); err != nil {
			y.s.log.Error("flushing the chain state failed", "err", err)
		}
		lastFlush = time.Now()
	}
	defer flush()
	for {
		select {
		case <-ctx.Done():
			return nil
		case rb := <-y.blocks:
			y.handleBlock(rb.p, rb.b)
			y.unqueue(rb.b.BlockHash())
			if len(y.blocks) == 0 || time.Since(lastFlush) >= flushEvery {
				flush()
			}
		}
	}
}

// handleBlock connects a block whose parent is stored (and then any waiting
// children), keeps one that arrived early, and hands anything else to the
// chain (which keeps orphans).
func (y *syncer) handleBlock(p *peer, b *wire.Block) {
	hash := b.BlockHash()
	c := y.s.cfg.Chain
	y.mu.Lock()
	_, onPath := y.hdrs[hash]
	y.mu.Unlock()

	y.procMu.Lock()
	bi, err := c.BlockInfo(b.Header.PrevBlock)
	switch {
	case err == nil && bi.HaveData:
		y.process(b, p)
		y.drain(hash)
	case onPath:
		y.mu.Lock()
		if !y.waiting[hash] {
			size := b.SerializeSize()
			y.pending[b.Header.PrevBlock] = append(y.pending[b.Header.PrevBlock], pendingBlock{b, p, size})
			y.waiting[hash] = true
			y.pendSize += size
		}
		y.mu.Unlock()
	default:
		y.process(b, p)
	}
	y.procMu.Unlock()
	y.schedule()
}

// drain connects the waiting descendants of parent. Called with procMu held.
func (y *syncer) drain(parent chainhash.Hash) {
	queue := []chainhash.Hash{parent}
	for len(queue) > 0 {
		h := queue[0]
		queue = queue[1:]
		y.mu.Lock()
		kids := y.pending[h]
		delete(y.pending, h)
		for _, k := range kids {
			delete(y.waiting, k.b.BlockHash())
			y.pendSize -= k.size
		}
		y.mu.Unlock()
		for _, k := range kids {
			if y.process(k.b, k.from) {
				queue = append(queue, k.b.BlockHash())
			}
		}
	}
}

// process submits a block to the chain, punishing the peer that sent an
// invalid one. It reports whether the block is now stored.
func (y *syncer) process(b *wire.Block, from *peer) bool {
	s := y.s
	_, err := s.cfg.Chain.ProcessBlockLazy(b)
	var re *consensus.RuleError
	switch {
	case err == nil:
		from.addUseful()
		return true
	case errors.Is(err, chain.ErrDuplicateBlock):
		return true
	case errors.Is(err, consensus.ErrTimeTooNew):
		return false
	case errors.As(err, &re), errors.Is(err, chain.ErrKnownInvalid):
		s.misbehave(from, banScore, "invalid block: "+err.Error())
		return false
	default:
		s.log.Warn("block not processed", "block", b.BlockHash().String(), "err", err)
		return false
	}
}

// run checks for stalled downloads and logs progress.
func (y *syncer) run(ctx context.Context) error {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		y.checkStalls()
		y.schedule()
		y.logProgress()
	}
}

func (y *syncer) checkStalls() {
	now := y.s.cfg.Now()
	var stalling []*peer
	y.mu.Lock()
	lowest := int32(-1)
	if y.next < len(y.path) {
		lowest = y.path[y.next].height
	}
	for h, r := range y.inflight {
		if now.Sub(r.at) < y.s.cfg.StallTimeout {
			continue
		}
		delete(y.inflight, h) // asked again, of another peer if one has it
		if r.height == lowest && !r.p.manual {
			stalling = append(stalling, r.p)
		}
	}
	y.mu.Unlock()
	for _, p := range stalling {
		y.s.log.Info("peer stalling block download; disconnecting", "peer", p.addr.String(), "height", lowest)
		p.disconnect()
	}
}

// HeaderHeight returns the height of the best known header chain.
func (y *syncer) headerHeight() int32 {
	tip := y.s.cfg.Chain.Tip()
	y.mu.Lock()
	defer y.mu.Unlock()
	if y.best == nil || y.next >= len(y.path) {
		return tip.Height
	}
	bi, err := y.s.cfg.Chain.BlockInfo(tip.Hash)
	if err == nil && y.best.work.Cmp(new(big.Int).SetBytes(bi.ChainWork)) <= 0 {
		return tip.Height
	}
	return max(tip.Height, y.best.height)
}

// inIBD is Core's initial block download latch: true while the tip is old
// or headers are ahead of it, false for good once caught up.
func (y *syncer) inIBD() bool {
	if y.ibdDone.Load() {
		return false
	}
	tip := y.s.cfg.Chain.Tip()
	if y.s.cfg.Now().Sub(time.Unix(int64(tip.Timestamp), 0)) > maxTipAge || y.headerHeight() > tip.Height {
		return true
	}
	y.ibdDone.Store(true)
	return false
}

func (y *syncer) logProgress() {
	now := y.s.cfg.Now()
	tip := y.s.cfg.Chain.Tip().Height
	hh := y.headerHeight()
	if y.progress.at.IsZero() {
		y.progress.at, y.progress.height = now, tip
		return
	}
	el := now.Sub(y.progress.at)
	if el < y.s.cfg.ProgressInterval || hh <= tip {
		if hh <= tip {
			y.progress.at, y.progress.height = now, tip
		}
		return
	}
	rate := float64(tip-y.progress.height) / el.Seconds()
	attrs := []any{"height", tip, "headers", hh, "percent", float64(int(1000*float64(tip)/float64(hh))) / 10,
		"blocks_per_s", int(rate)}
	if rate > 0 {
		attrs = append(attrs, "eta", time.Duration(float64(hh-tip)/rate*float64(time.Second)).Round(time.Second).String())
	}
	y.s.log.Info("sync progress", attrs...)
	y.progress.at, y.progress.height = now, tip
}
