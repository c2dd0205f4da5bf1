package p2p

import (
	"errors"
	"math/big"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/p2p/message"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/wire"
)

// hdrNode is a validated header whose block the chain does not have yet.
type hdrNode struct {
	hash   chainhash.Hash
	header wire.BlockHeader
	height int32
	work   *big.Int
	times  []uint32 // this header's and up to ten ancestors' timestamps, newest first
}

func (h *hdrNode) info() consensus.HeaderInfo {
	return consensus.HeaderInfo{Hash: h.hash, Height: h.height, Timestamp: h.header.Timestamp,
		Bits: h.header.Bits, MedianTime: pow.MedianTime(h.times)}
}

// parentOf returns what checking a child of prev needs, from the header tree
// or the chain's index; ok is false when prev is unknown, invalid is true
// when the chain knows it as invalid.
func (y *syncer) parentOf(prev chainhash.Hash) (info consensus.HeaderInfo, times []uint32, work *big.Int, ok, invalid bool) {
	if n, found := y.hdrs[prev]; found {
		return n.info(), n.times, n.work, true, false
	}
	bi, err := y.s.cfg.Chain.BlockInfo(prev)
	if err != nil {
		return info, nil, nil, false, false
	}
	info = consensus.HeaderInfo{Hash: prev, Height: bi.Height, Timestamp: bi.Header.Timestamp,
		Bits: bi.Header.Bits, MedianTime: bi.MedianTime}
	return info, y.s.cfg.Chain.AncestorTimes(prev, pow.MedianTimeBlocks-1),
		new(big.Int).SetBytes(bi.ChainWork), true, bi.Invalid
}

// handleHeaders validates a run of headers (sanity and position against
// their parents) into the header tree, asks for more when the peer sent a
// full message, and schedules downloads.
func (y *syncer) handleHeaders(p *peer, list []wire.BlockHeader) {
	if len(list) == 0 {
		return
	}
	s := y.s
	now := s.cfg.Now().Unix()
	y.mu.Lock()
	var last *hdrNode
	bestChanged := false
	var prevHash chainhash.Hash
	for i := range list {
		h := &list[i]
		hash := h.BlockHash()
		p.markBlock(hash)
		if i > 0 && h.PrevBlock != prevHash {
			y.mu.Unlock()
			s.misbehave(p, 20, "non-continuous headers")
			return
		}
		prevHash = hash
		if n, ok := y.hdrs[hash]; ok {
			last = n
			continue
		}
		if bi, err := s.cfg.Chain.BlockInfo(hash); err == nil {
			if bi.Invalid {
				y.mu.Unlock()
				s.misbehave(p, banScore, "header of an invalid block")
				return
			}
			last = nil
			continue
		}
		pinfo, ptimes, pwork, ok, invalid := y.parentOf(h.PrevBlock)
		if invalid {
			y.mu.Unlock()
			s.misbehave(p, banScore, "header descends from an invalid block")
			return
		}
		if !ok {
			y.mu.Unlock()
			// Announcements can outrun the headers we asked for: while a
			// request is outstanding they are ignored, not counted.
			p.mu.Lock()
			waiting := p.awaitingHeaders
			if !waiting {
				p.unconnected++
				p.awaitingHeaders = true
			}
			n := p.unconnected
			p.mu.Unlock()
			if waiting {
				return
			}
			if n%10 == 0 {
				s.misbehave(p, 20, "too many unconnecting headers")
			}
			y.requestHeaders(p)
			return
		}
		if err := consensus.CheckHeaderSanity(h, hash, s.cfg.Params); err != nil {
			y.mu.Unlock()
			s.misbehave(p, banScore, "invalid header: "+err.Error())
			return
		}
		if err := consensus.CheckHeaderPositional(h, &pinfo, s.cfg.Params, now); err != nil {
			y.mu.Unlock()
			if !errors.Is(err, consensus.ErrTimeTooNew) {
				s.misbehave(p, banScore, "invalid header: "+err.Error())
			}
			return
		}
		n := &hdrNode{hash: hash, header: *h, height: pinfo.Height + 1,
			work: new(big.Int).Add(pwork, pow.CalcWork(h.Bits))}
		n.times = append([]uint32{h.Timestamp}, ptimes[:min(len(ptimes), pow.MedianTimeBlocks-1)]...)
		y.hdrs[hash] = n
		last = n
		if y.best == nil || n.work.Cmp(y.best.work) > 0 {
			y.best, bestChanged = n, true
		}
	}
	p.mu.Lock()
	p.unconnected, p.awaitingHeaders = 0, false
	if last != nil {
		p.bestHdr = last
	}
	p.mu.Unlock()
	if bestChanged {
		y.rebuildPath()
	}
	full := len(list) == message.MaxHeaders
	y.mu.Unlock()
	if full {
		p.send(&message.GetHeaders{Protocol: message.ProtocolVersion,
			Locator: []chainhash.Hash{list[len(list)-1].BlockHash()}})
	}
	y.schedule()
}

// rebuildPath recomputes the blocks to download: the best header's
// ancestors the chain does not have, lowest first. It also forgets headers
// whose blocks the chain now has. Called with mu held.
func (y *syncer) rebuildPath() {
	c := y.s.cfg.Chain
	var path []*hdrNode
	for n := y.best; n != nil && !c.HaveBlock(n.hash); n = y.hdrs[n.header.PrevBlock] {
		path = append(path, n)
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	y.path, y.next = path, 0
	if len(y.hdrs) > len(path)+1000 {
		on := make(map[chainhash.Hash]bool, len(path))
		for _, n := range path {
			on[n.hash] = true
		}
		for h := range y.hdrs {
			if !on[h] && c.HaveBlock(h) {
				delete(y.hdrs, h)
			}
		}
	}
}

// locator returns a block locator starting from the best header.
func (y *syncer) locator() []chainhash.Hash {
	y.mu.Lock()
	var hashes []chainhash.Hash
	from := y.s.cfg.Chain.Tip().Hash
	if len(y.path) > y.next {
		for i := len(y.path) - 1; i >= y.next && len(hashes) < 10; i-- {
			hashes = append(hashes, y.path[i].hash)
		}
		from = y.path[y.next].header.PrevBlock
	}
	y.mu.Unlock()
	return append(hashes, y.s.cfg.Chain.Locator(from)...)
}

// requestHeaders asks p for the headers after our best header.
func (y *syncer) requestHeaders(p *peer) {
	p.send(&message.GetHeaders{Protocol: message.ProtocolVersion, Locator: y.locator()})
}
