package p2p

import (
	"errors"
	"io"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/p2p/message"
)

// services: a full node that serves blocks (Bitcoin's NODE_NETWORK bit).
const services = 1

// maxServeItems bounds what one getdata makes us send.
const maxServeItems = 1_000

// servePeer runs the handshake and then reads and handles messages until the
// peer goes or breaks a rule.
func (s *Server) servePeer(p *peer) error {
	if !p.inbound {
		s.sendVersion(p)
	}
	hs := time.AfterFunc(s.cfg.HandshakeTimeout, func() {
		if !p.established.Load() {
			p.disconnect()
		}
	})
	defer hs.Stop()
	go s.pingLoop(p)
	for {
		_ = p.conn.SetReadDeadline(time.Now().Add(3 * s.cfg.PingInterval))
		f, err := message.ReadFrame(p.conn, s.cfg.Params.Magic)
		if err != nil {
			var me *message.Error
			if errors.As(err, &me) {
				s.misbehave(p, banScore, "malformed frame: "+err.Error())
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		now := s.cfg.Now()
		p.bytesRecv.Add(uint64(f.WireSize()))
		s.bytesRecv.Add(uint64(f.WireSize()))
		p.lastRecv.Store(now.Unix())
		if !s.solicited(p, f.Command) && !p.allow(now) {
			s.misbehave(p, banScore, "message flood: "+f.Command)
			return p2pErr(ErrProtocol, "flood")
		}
		m, err := message.Decode(f)
		if err != nil {
			s.misbehave(p, banScore, "malformed message: "+err.Error())
			return err
		}
		if err := s.handle(p, m); err != nil {
			return err
		}
	}
}

// solicited reports whether a message is an answer to our requests (blocks
// and headers), which the flood limit does not count.
func (s *Server) solicited(p *peer, cmd string) bool {
	switch cmd {
	case message.CmdBlock, message.CmdHeaders, message.CmdCmpctBlock, message.CmdBlockTxn:
		return true
	}
	return false
}

func (s *Server) sendVersion(p *peer) {
	tip := s.cfg.Chain.Tip()
	relay := true
	p.send(&message.Version{Protocol: message.ProtocolVersion, Services: services, Timestamp: s.cfg.Now().Unix(),
		AddrRecv: message.NetAddress{Addr: p.addr}, AddrFrom: localAddr(p), Nonce: s.newNonce(),
		UserAgent: s.cfg.UserAgent, StartHeight: tip.Height, GenesisHash: s.cfg.Params.GenesisHash, Relay: relay})
}

func (s *Server) handle(p *peer, m message.Message) error {
	if !p.established.Load() {
		return s.handleHandshake(p, m)
	}
	switch m := m.(type) {
	case *message.Version:
		s.misbehave(p, 1, "duplicate version")
	case *message.Verack:
		s.misbehave(p, 1, "duplicate verack")
	case *message.Ping:
		p.send(&message.Pong{Nonce: m.Nonce})
	case *message.Pong:
		if m.Nonce == p.pingNonce.Load() && m.Nonce != 0 {
			rtt := time.Now().UnixNano() - p.pingStart.Load()
			p.pingTime.Store(rtt)
			if mp := p.minPing.Load(); mp == 0 || rtt < mp {
				p.minPing.Store(rtt)
			}
			p.pingNonce.Store(0)
		}
	case *message.SendHeaders:
		p.sendHeaders.Store(true)
	case *message.GetAddr:
		if p.inbound {
			s.sendAddrs(p)
		}
	case *message.Addr:
		s.handleAddr(p, m)
	case *message.GetHeaders:
		hs := s.cfg.Chain.FindHeaders(m.Locator, m.Stop, message.MaxHeaders)
		p.send(&message.Headers{List: hs})
	case *message.Headers:
		s.sync.handleHeaders(p, m.List)
	case *message.Block:
		s.sync.receiveBlock(p, m.Block)
	case *message.GetData:
		s.serveData(p, m.List)
	case *message.Inv:
		s.handleInv(p, m.List)
	case *message.NotFound:
		s.sync.notFound(p, m.List)
	case *message.Tx:
		s.rel.handleTx(p, m.Tx)
	case *message.SendCmpct:
		s.handleSendCmpct(p, m)
	case *message.CmpctBlock:
		s.handleCmpctBlock(p, m)
	case *message.GetBlockTxn:
		s.serveBlockTxn(p, m)
	case *message.BlockTxn:
		s.handleBlockTxn(p, m)
	}
	return nil
}

func (s *Server) handleHandshake(p *peer, m message.Message) error {
	switch m := m.(type) {
	case *message.Version:
		if p.version.Load() != nil {
			s.misbehave(p, 1, "duplicate version")
			return nil
		}
		if m.GenesisHash != s.cfg.Params.GenesisHash {
			return p2pErr(ErrWrongNetwork, "peer %s is on the network with genesis %s", p.addr, m.GenesisHash)
		}
		if p.inbound && s.ourNonce(m.Nonce) {
			return p2pErr(ErrProtocol, "connected to self")
		}
		p.version.Store(m)
		if p.inbound {
			s.sendVersion(p)
		}
		p.send(&message.Verack{})
	case *message.Verack:
		if p.version.Load() == nil {
			return p2pErr(ErrProtocol, "verack before version")
		}
		p.verackRecv.Store(true)
	default:
		s.misbehave(p, 10, "message before handshake: "+m.Command())
		return p2pErr(ErrProtocol, "%s before handshake", m.Command())
	}
	if p.version.Load() != nil && p.verackRecv.Load() {
		s.onEstablished(p)
	}
	return nil
}

func (s *Server) onEstablished(p *peer) {
	p.established.Store(true)
	v := p.version.Load()
	s.log.Info("peer connected", "peer", p.addr.String(), "id", p.id, "inbound", p.inbound,
		"agent", v.UserAgent, "height", v.StartHeight)
	p.send(&message.SendHeaders{})
	s.offerCompact(p)
	if !p.inbound {
		s.book.Good(p.addr)
		p.send(&message.GetAddr{})
		if l := s.listenAddr.Load(); l != nil && !l.Addr().IsUnspecified() {
			p.send(&message.Addr{List: []message.TimedAddress{{Time: uint32(s.cfg.Now().Unix()),
				NetAddress: message.NetAddress{Services: services, Addr: *l}}}})
		}
	}
	s.sync.peerReady(p)
	s.rel.peerReady(p)
}

func (s *Server) pingLoop(p *peer) {
	t := time.NewTicker(s.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-t.C:
			if !p.established.Load() {
				continue
			}
			if p.pingNonce.Load() != 0 && time.Now().UnixNano()-p.pingStart.Load() > int64(2*s.cfg.PingInterval) {
				s.log.Info("ping timeout", "peer", p.addr.String())
				p.disconnect()
				return
			}
			s.ping(p)
		}
	}
}

func (s *Server) ping(p *peer) {
	n := rand.Uint64() | 1
	p.pingStart.Store(time.Now().UnixNano())
	p.pingNonce.Store(n)
	p.trySend(&message.Ping{Nonce: n})
}

func (s *Server) sendAddrs(p *peer) {
	var list []message.TimedAddress
	for _, ka := range s.book.Sample(message.MaxAddrs) {
		list = append(list, message.TimedAddress{Time: uint32(ka.LastSeen.Unix()),
			NetAddress: message.NetAddress{Services: ka.Services, Addr: ka.Addr}})
	}
	p.send(&message.Addr{List: list})
}

// handleAddr stores gossiped addresses and relays fresh small batches of new
// ones to two other peers, as Bitcoin does.
func (s *Server) handleAddr(p *peer, m *message.Addr) {
	now := s.cfg.Now()
	// A dialer announces its own listening address after the handshake.
	// Record it before the book learns the address, so the connection
	// manager never dials that node back: a second connection to one node
	// doubles every announcement and block. Only an address on the peer's
	// own IP counts, so a peer cannot keep us from dialing anyone else.
	if p.inbound && len(m.List) == 1 && m.List[0].Addr.Addr().Unmap() == p.addr.Addr() {
		ap := netip.AddrPortFrom(m.List[0].Addr.Addr().Unmap(), m.List[0].Addr.Port())
		p.listening.Store(&ap)
	}
	var aps []netip.AddrPort
	fresh := true
	for _, a := range m.List {
		aps = append(aps, a.Addr)
		if now.Unix()-int64(a.Time) > 600 {
			fresh = false
		}
	}
	// Relay only what was news to us, so gossip dies out instead of
	// bouncing between peers.
	if added := s.book.Add(aps, services, now); added > 0 && fresh && len(m.List) <= 10 {
		for _, q := range s.randomPeers(2, p) {
			q.trySend(m)
		}
	}
}

func (s *Server) serveData(p *peer, list []message.InvVect) {
	var missing []message.InvVect
	for i, v := range list {
		if i >= maxServeItems {
			missing = append(missing, list[i:]...)
			break
		}
		switch v.Type {
		case message.InvBlock:
			raw, err := s.cfg.Chain.RawBlock(v.Hash)
			if err != nil {
				missing = append(missing, v)
				continue
			}
			p.markBlock(v.Hash)
			p.send(&message.Raw{Cmd: message.CmdBlock, Payload: raw})
		case message.InvTx:
			tx := s.cfg.Pool.Get(v.Hash)
			if tx == nil {
				missing = append(missing, v)
				continue
			}
			p.send(&message.Tx{Tx: tx})
		}
	}
	if len(missing) > 0 {
		p.send(&message.NotFound{List: missing})
	}
}

func (s *Server) handleInv(p *peer, list []message.InvVect) {
	var txs []chainhash.Hash
	for _, v := range list {
		switch v.Type {
		case message.InvBlock:
			p.markBlock(v.Hash)
			if !s.cfg.Chain.HaveBlock(v.Hash) {
				// Ask for the headers leading to it; the sync fetches the block.
				s.sync.requestHeaders(p)
			}
		case message.InvTx:
			p.markTx(v.Hash)
			txs = append(txs, v.Hash)
		}
	}
	if len(txs) > 0 {
		s.rel.requestTxs(p, txs)
	}
}
