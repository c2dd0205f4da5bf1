package p2p

import (
	"bufio"
	"context"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/p2p/message"
)

// maxKnown bounds each peer's known-inventory sets (cleared when full).
const maxKnown = 50_000

// peer is one connection.
type peer struct {
	s       *Server
	id      int64
	conn    net.Conn
	addr    netip.AddrPort
	inbound bool
	manual  bool // -connect or -addnode: never evicted
	since   time.Time
	sendq   chan message.Message
	ctx     context.Context
	cancel  context.CancelFunc

	version     atomic.Pointer[message.Version]
	verackRecv  atomic.Bool
	established atomic.Bool
	sendHeaders atomic.Bool
	cmpct       atomic.Bool // sent sendcmpct of our version
	cmpctHB     atomic.Bool // wants new blocks pushed as cmpctblock

	bytesSent, bytesRecv atomic.Uint64
	lastSend, lastRecv   atomic.Int64 // unix seconds
	pingNonce            atomic.Uint64
	pingStart            atomic.Int64 // unix nanos of the outstanding ping
	pingTime             atomic.Int64 // nanos of the last round trip
	minPing              atomic.Int64
	// listening is where an inbound peer said it accepts connections (its
	// own address in an addr from the peer's IP), so we do not dial the
	// node we are already connected to a second time.
	listening atomic.Pointer[netip.AddrPort]

	mu              sync.Mutex
	score           int
	useful          int       // blocks and transactions that were new to us
	lastUseful      time.Time // when the last of them arrived
	knownBlocks     map[chainhash.Hash]struct{}
	knownTxs        map[chainhash.Hash]struct{}
	bestHdr         *hdrNode // the last header the peer sent: its chain's tip as we know it
	tokens          float64
	refill          time.Time
	unconnected     int           // headers messages in a row that did not connect
	awaitingHeaders bool          // we asked for headers after an unconnecting one
	partial         *partialBlock // compact block waiting for blocktxn
}

func newPeer(s *Server, conn net.Conn, addr netip.AddrPort, inbound, manual bool) *peer {
	ctx, cancel := context.WithCancel(context.Background())
	p := &peer{s: s, conn: conn, addr: addr, inbound: inbound, manual: manual, since: s.cfg.Now(),
		sendq: make(chan message.Message, 512), ctx: ctx, cancel: cancel,
		knownBlocks: make(map[chainhash.Hash]struct{}), knownTxs: make(map[chainhash.Hash]struct{}),
		tokens: s.cfg.MsgBurst, refill: s.cfg.Now()}
	return p
}

// send queues m, waiting while the queue is full (backpressure on the
// goroutine serving this peer).
func (p *peer) send(m message.Message) {
	select {
	case p.sendq <- m:
	case <-p.ctx.Done():
	}
}

// trySend queues m unless the queue is full (announcements that the peer
// can learn later).
func (p *peer) trySend(m message.Message) bool {
	select {
	case p.sendq <- m:
		return true
	default:
		return false
	}
}

func (p *peer) disconnect() {
	p.cancel()
	_ = p.conn.Close()
}

// writeLoop sends queued messages until the peer is closed.
func (p *peer) writeLoop() {
	w := bufio.NewWriterSize(p.conn, 64<<10)
	magic := p.s.cfg.Params.Magic
	var buf []byte
	for {
		var m message.Message
		select {
		case <-p.ctx.Done():
			return
		case m = <-p.sendq:
		}
		for {
			payload := m.AppendPayload(buf[:0])
			frame := message.AppendFrame(nil, magic, m.Command(), payload)
			buf = payload
			_ = p.conn.SetWriteDeadline(time.Now().Add(time.Minute))
			if _, err := w.Write(frame); err != nil {
				p.disconnect()
				return
			}
			p.bytesSent.Add(uint64(len(frame)))
			p.s.bytesSent.Add(uint64(len(frame)))
			select {
			case m = <-p.sendq:
				continue
			default:
			}
			break
		}
		if err := w.Flush(); err != nil {
			p.disconnect()
			return
		}
		p.lastSend.Store(time.Now().Unix())
	}
}

// allow spends one token of the peer's message budget; false means it is
// flooding.
func (p *peer) allow(now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tokens = min(p.s.cfg.MsgBurst, p.tokens+now.Sub(p.refill).Seconds()*p.s.cfg.MsgRate)
	p.refill = now
	if p.tokens < 1 {
		return false
	}
	p.tokens--
	return true
}

func (p *peer) markBlock(h chainhash.Hash) {
	p.mu.Lock()
	if len(p.knownBlocks) >= maxKnown {
		clear(p.knownBlocks)
	}
	p.knownBlocks[h] = struct{}{}
	p.mu.Unlock()
}

func (p *peer) knowsBlock(h chainhash.Hash) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.knownBlocks[h]
	return ok
}

func (p *peer) markTx(h chainhash.Hash) {
	p.mu.Lock()
	if len(p.knownTxs) >= maxKnown {
		clear(p.knownTxs)
	}
	p.knownTxs[h] = struct{}{}
	p.mu.Unlock()
}

func (p *peer) knowsTx(h chainhash.Hash) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.knownTxs[h]
	return ok
}

func (p *peer) addUseful() {
	p.mu.Lock()
	p.useful++
	p.lastUseful = p.s.cfg.Now()
	p.mu.Unlock()
}
