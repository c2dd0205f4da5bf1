package p2p

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ballast-chain/ballast/internal/chain"
	"github.com/ballast-chain/ballast/internal/p2p/addrmgr"
	"github.com/ballast-chain/ballast/internal/p2p/banlist"
	"github.com/ballast-chain/ballast/internal/p2p/message"
)

// banScore is the misbehaviour score at which a peer is banned.
const banScore = 100

// Server is the node's network service.
type Server struct {
	cfg  Config
	log  *slog.Logger
	bans *banlist.List
	book *addrmgr.Book
	sync *syncer
	rel  *relay

	listenAddr atomic.Pointer[netip.AddrPort] // bound address, once listening
	bytesSent  atomic.Uint64
	bytesRecv  atomic.Uint64
	nextID     atomic.Int64

	mu      sync.Mutex
	peers   map[int64]*peer
	added   []string        // addnode list
	nonces  map[uint64]bool // our version nonces, to detect self-connections
	dialing map[string]bool // addresses being dialed
	wg      sync.WaitGroup  // peer goroutines
	ctx     context.Context // Run's context, for peers started by RPCs
	runWake chan struct{}   // wakes the connection manager
	tipAnn  chan struct{}   // the chain's tip moved
	hbPeers []*peer         // peers we asked to push compact blocks
	// Compact blocks received: rebuilt from the mempool alone, after a
	// blocktxn round trip, or fetched whole after a failed rebuild.
	cmpctRebuilt, cmpctWithTxn, cmpctFallback atomic.Int64
	_                                         [0]func() // not comparable
}

// New builds the network service; Run starts it.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, peers: make(map[int64]*peer), nonces: make(map[uint64]bool),
		dialing: make(map[string]bool), runWake: make(chan struct{}, 1), tipAnn: make(chan struct{}, 1),
		added: append([]string(nil), cfg.AddNode...)}
	var banPath, bookPath string
	if cfg.DataDir != "" {
		banPath, bookPath = filepath.Join(cfg.DataDir, "banlist.json"), filepath.Join(cfg.DataDir, "peers.json")
	}
	var err error
	if s.bans, err = banlist.Open(banPath, cfg.Now); err != nil {
		return nil, err
	}
	if s.book, err = addrmgr.Open(bookPath, cfg.Now); err != nil {
		return nil, err
	}
	s.sync = newSyncer(s)
	s.rel = newRelay(s)
	cfg.Chain.Subscribe(func(n chain.Notification) {
		if n.Connected {
			select {
			case s.tipAnn <- struct{}{}:
			default:
			}
		}
	})
	return s, nil
}

// Run serves peers until ctx ends, then disconnects them and saves the
// address book.
func (s *Server) Run(ctx context.Context) error {
	s.mu.Lock()
	s.ctx = ctx
	s.mu.Unlock()
	g, gctx := errgroup.WithContext(ctx)
	if s.cfg.Listen != "" {
		ln, err := net.Listen("tcp", s.cfg.Listen)
		if err != nil {
			s.log.Error("p2p listener failed; running outbound only", "addr", s.cfg.Listen, "err", err)
		} else {
			ap, _ := netip.ParseAddrPort(ln.Addr().String())
			s.listenAddr.Store(&ap)
			s.log.Info("p2p listening", "addr", ln.Addr().String())
			g.Go(func() error { return s.acceptLoop(gctx, ln) })
		}
	}
	g.Go(func() error { return s.connLoop(gctx) })
	g.Go(func() error { return s.sync.run(gctx) })
	g.Go(func() error { return s.sync.connectLoop(gctx) })
	g.Go(func() error { return s.rel.run(gctx) })
	err := g.Wait()
	s.mu.Lock()
	for _, p := range s.peers {
		p.disconnect()
	}
	s.mu.Unlock()
	s.wg.Wait()
	if err := s.book.Save(); err != nil {
		s.log.Warn("saving address book", "err", err)
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func (s *Server) acceptLoop(ctx context.Context, ln net.Listener) error {
	go func() { <-ctx.Done(); _ = ln.Close() }()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.log.Warn("accept failed", "err", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		ap, _ := netip.ParseAddrPort(conn.RemoteAddr().String())
		ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
		if s.bans.Banned(ap.Addr()) {
			s.log.Debug("banned peer refused", "addr", ap.String())
			_ = conn.Close()
			continue
		}
		if !s.makeInboundRoom() {
			_ = conn.Close()
			continue
		}
		s.startPeer(ctx, conn, ap, true, false)
	}
}

// makeInboundRoom reports whether an inbound peer may join, evicting the
// worst unprotected inbound peer when the limit is reached (pickEviction).
// Manual peers are never evicted.
func (s *Server) makeInboundRoom() bool {
	if s.cfg.MaxInbound < 0 {
		return false
	}
	s.mu.Lock()
	var in []*peer
	for _, p := range s.peers {
		if p.inbound {
			in = append(in, p)
		}
	}
	s.mu.Unlock()
	if len(in) < s.cfg.MaxInbound {
		return true
	}
	var cands []*peer
	for _, p := range in {
		if !p.manual {
			cands = append(cands, p)
		}
	}
	if len(cands) == 0 {
		return false
	}
	ec := make([]evictCand, 0, len(cands))
	for _, p := range cands {
		p.mu.Lock()
		ec = append(ec, evictCand{p: p, group: netGroup(p.addr.Addr()), minPing: time.Duration(p.minPing.Load()),
			lastUseful: p.lastUseful, score: p.score, useful: p.useful, since: p.since})
		p.mu.Unlock()
	}
	victim := pickEviction(ec)
	if victim == nil {
		return false
	}
	s.log.Info("evicting inbound peer to make room", "peer", victim.addr.String())
	victim.disconnect()
	return true
}

// connLoop keeps outbound connections: -connect peers only, or -addnode
// peers plus addresses from the book (seeded from the network's seeds).
func (s *Server) connLoop(ctx context.Context) error {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		s.fillOutbound(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.runWake:
		}
	}
}

func (s *Server) fillOutbound(ctx context.Context) {
	if len(s.cfg.Connect) > 0 {
		for _, a := range s.cfg.Connect {
			s.ensureDial(ctx, a, true)
		}
		return
	}
	s.mu.Lock()
	added := append([]string(nil), s.added...)
	s.mu.Unlock()
	for _, a := range added {
		s.ensureDial(ctx, a, true)
	}
	if s.book.Len() == 0 && len(s.cfg.Params.SeedAddrs) > 0 {
		var seeds []netip.AddrPort
		for _, a := range s.cfg.Params.SeedAddrs {
			if ap, err := netip.ParseAddrPort(a); err == nil {
				seeds = append(seeds, ap)
			}
		}
		s.book.Add(seeds, 0, s.cfg.Now())
	}
	for range 2 { // a few dials per round
		if s.outboundCount() >= s.cfg.MaxOutbound {
			return
		}
		ap, ok := s.book.Pick(func(a netip.AddrPort) bool {
			return s.connectedTo(a.String()) || s.bans.Banned(a.Addr()) || s.isSelf(a)
		}, 10*time.Second)
		if !ok {
			return
		}
		s.book.Attempt(ap)
		s.ensureDial(ctx, ap.String(), false)
	}
}

func (s *Server) isSelf(a netip.AddrPort) bool {
	l := s.listenAddr.Load()
	return l != nil && *l == a
}

func (s *Server) outboundCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.peers {
		if !p.inbound {
			n++
		}
	}
	return n + len(s.dialing)
}

// connectedTo reports whether a peer (or a dial) to addr exists: an
// outbound one, or an inbound one from the node listening at addr.
func (s *Server) connectedTo(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dialing[addr] {
		return true
	}
	for _, p := range s.peers {
		if p.addr.String() == addr {
			return true
		}
		if l := p.listening.Load(); l != nil && l.String() == addr {
			return true
		}
	}
	return false
}

// ensureDial dials addr in the background unless connected or dialing.
func (s *Server) ensureDial(ctx context.Context, addr string, manual bool) {
	if s.connectedTo(addr) {
		return
	}
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || s.bans.Banned(ap.Addr()) {
		return
	}
	s.mu.Lock()
	s.dialing[addr] = true
	s.mu.Unlock()
	go func() {
		defer func() {
			s.mu.Lock()
			delete(s.dialing, addr)
			s.mu.Unlock()
		}()
		d := net.Dialer{Timeout: 5 * time.Second}
		// Dial from the listening address, so peers on one host tell us
		// apart (and ban only the guilty address).
		if l := s.listenAddr.Load(); l != nil && !l.Addr().IsUnspecified() {
			d.LocalAddr = &net.TCPAddr{IP: l.Addr().AsSlice()}
		}
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			s.log.Debug("dial failed", "addr", addr, "err", err)
			return
		}
		s.startPeer(ctx, conn, ap, false, manual)
	}()
}

func (s *Server) startPeer(ctx context.Context, conn net.Conn, addr netip.AddrPort, inbound, manual bool) {
	p := newPeer(s, conn, addr, inbound, manual)
	p.id = s.nextID.Add(1)
	s.mu.Lock()
	if ctx.Err() != nil {
		s.mu.Unlock()
		_ = conn.Close()
		return
	}
	s.peers[p.id] = p
	s.wg.Add(2)
	s.mu.Unlock()
	stop := context.AfterFunc(ctx, p.disconnect)
	go func() { defer s.wg.Done(); p.writeLoop() }()
	go func() {
		defer s.wg.Done()
		defer stop()
		err := s.servePeer(p)
		p.disconnect()
		s.mu.Lock()
		delete(s.peers, p.id)
		s.mu.Unlock()
		s.sync.peerGone(p)
		s.dropHB(p)
		if p.established.Load() {
			s.log.Info("peer disconnected", "peer", p.addr.String(), "id", p.id, "reason", errString(err))
		}
	}()
}

func errString(err error) string {
	if err == nil {
		return "closed"
	}
	return err.Error()
}

// misbehave adds to a peer's score; at banScore the peer's address is banned
// and it is disconnected.
func (s *Server) misbehave(p *peer, howmuch int, reason string) {
	p.mu.Lock()
	p.score += howmuch
	score := p.score
	p.mu.Unlock()
	s.log.Info("peer misbehaving", "peer", p.addr.String(), "id", p.id, "add", howmuch, "score", score, "reason", reason)
	if score < banScore || p.manual {
		return
	}
	sub := netip.PrefixFrom(p.addr.Addr(), p.addr.Addr().BitLen())
	if err := s.bans.Ban(sub, s.cfg.Now().Add(s.cfg.BanTime), reason); err != nil {
		s.log.Warn("saving ban list", "err", err)
	}
	s.log.Warn("peer banned", "peer", p.addr.String(), "until", s.cfg.Now().Add(s.cfg.BanTime), "reason", reason)
	p.disconnect()
}

// established returns the peers that finished the handshake.
func (s *Server) established() []*peer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*peer, 0, len(s.peers))
	for _, p := range s.peers {
		if p.established.Load() {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// randomPeers returns up to n random established peers other than skip.
func (s *Server) randomPeers(n int, skip *peer) []*peer {
	ps := s.established()
	rand.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
	var out []*peer
	for _, p := range ps {
		if p != skip && len(out) < n {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) newNonce() uint64 {
	n := rand.Uint64()
	s.mu.Lock()
	s.nonces[n] = true
	s.mu.Unlock()
	return n
}

func (s *Server) ourNonce(n uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nonces[n]
}

func localAddr(p *peer) message.NetAddress {
	ap, _ := netip.ParseAddrPort(p.conn.LocalAddr().String())
	return message.NetAddress{Services: services, Addr: ap}
}
