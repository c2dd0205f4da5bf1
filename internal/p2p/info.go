package p2p

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/ballast-chain/ballast/internal/p2p/banlist"
)

// PeerInfo is one connected peer, in the terms of Core's getpeerinfo.
type PeerInfo struct {
	ID             int64
	Addr, AddrBind string
	Services       uint64
	LastSend       int64
	LastRecv       int64
	BytesSent      uint64
	BytesRecv      uint64
	ConnTime       int64
	PingTime       time.Duration // 0: none measured yet
	MinPing        time.Duration
	PingWait       time.Duration // outstanding ping's age, 0 if none
	Version        uint32
	SubVer         string
	Inbound        bool
	Manual         bool
	StartingHeight int32
	SyncedHeaders  int32
	BanScore       int
	Established    bool
}

// Peers describes the connected peers, by id.
func (s *Server) Peers() []PeerInfo {
	var out []PeerInfo
	now := time.Now().UnixNano()
	for _, p := range s.established() {
		pi := PeerInfo{ID: p.id, Addr: p.addr.String(), AddrBind: p.conn.LocalAddr().String(),
			LastSend: p.lastSend.Load(), LastRecv: p.lastRecv.Load(), BytesSent: p.bytesSent.Load(),
			BytesRecv: p.bytesRecv.Load(), ConnTime: p.since.Unix(), PingTime: time.Duration(p.pingTime.Load()),
			MinPing: time.Duration(p.minPing.Load()), Inbound: p.inbound, Manual: p.manual,
			Established: p.established.Load(), SyncedHeaders: -1}
		if p.pingNonce.Load() != 0 {
			pi.PingWait = time.Duration(now - p.pingStart.Load())
		}
		if v := p.version.Load(); v != nil {
			pi.Services, pi.Version, pi.SubVer, pi.StartingHeight = v.Services, v.Protocol, v.UserAgent, v.StartHeight
		}
		p.mu.Lock()
		pi.BanScore = p.score
		if p.bestHdr != nil {
			pi.SyncedHeaders = p.bestHdr.height
		}
		p.mu.Unlock()
		out = append(out, pi)
	}
	return out
}

// Counts returns the established inbound and outbound connections.
func (s *Server) Counts() (in, out int) {
	for _, p := range s.established() {
		if p.inbound {
			in++
		} else {
			out++
		}
	}
	return in, out
}

// Totals returns the bytes received and sent since start.
func (s *Server) Totals() (recv, sent uint64) { return s.bytesRecv.Load(), s.bytesSent.Load() }

// ListenAddr returns the address peers can reach us at, once listening.
func (s *Server) ListenAddr() (netip.AddrPort, bool) {
	if l := s.listenAddr.Load(); l != nil {
		return *l, true
	}
	return netip.AddrPort{}, false
}

// SyncState reports the best header height, whether the node is in initial
// block download and the fraction of the header chain it has verified.
func (s *Server) SyncState() (headers int32, ibd bool, progress float64) {
	headers = s.sync.headerHeight()
	tip := s.cfg.Chain.Tip().Height
	progress = 1
	if headers > 0 && tip < headers {
		progress = float64(tip) / float64(headers)
	}
	return headers, s.sync.inIBD(), progress
}

// AddNode runs addnode's commands: "add" keeps a peer connected, "remove"
// forgets it, "onetry" dials it once.
func (s *Server) AddNode(addr, cmd string) error {
	if _, err := netip.ParseAddrPort(addr); err != nil {
		return p2pErr(ErrConfig, "address %q: %v", addr, err)
	}
	s.mu.Lock()
	i := slices.Index(s.added, addr)
	ctx := s.ctx
	switch cmd {
	case "add":
		if i >= 0 {
			s.mu.Unlock()
			return p2pErr(ErrAlreadyAdded, "node %s already added", addr)
		}
		s.added = append(s.added, addr)
	case "remove":
		if i < 0 {
			s.mu.Unlock()
			return p2pErr(ErrNotAdded, "node %s has not been added", addr)
		}
		s.added = slices.Delete(s.added, i, i+1)
	case "onetry":
	default:
		s.mu.Unlock()
		return p2pErr(ErrConfig, "command %q (add, remove or onetry)", cmd)
	}
	s.mu.Unlock()
	if cmd == "onetry" && ctx != nil {
		s.ensureDial(ctx, addr, true)
	}
	select {
	case s.runWake <- struct{}{}:
	default:
	}
	return nil
}

// AddedNode is one entry of getaddednodeinfo.
type AddedNode struct {
	Addr      string
	Connected bool
	Inbound   bool
}

// AddedNodes lists the addnode peers (one, when addr is set).
func (s *Server) AddedNodes(addr string) ([]AddedNode, error) {
	s.mu.Lock()
	added := append([]string(nil), s.added...)
	s.mu.Unlock()
	if addr != "" {
		if !slices.Contains(added, addr) {
			return nil, p2pErr(ErrNotAdded, "node %s has not been added", addr)
		}
		added = []string{addr}
	}
	peers := s.established()
	var out []AddedNode
	for _, a := range added {
		an := AddedNode{Addr: a}
		for _, p := range peers {
			if p.addr.String() == a {
				an.Connected, an.Inbound = true, p.inbound
			}
		}
		out = append(out, an)
	}
	return out, nil
}

// Disconnect drops the peer with address addr, or with id when addr is "".
func (s *Server) Disconnect(addr string, id int64) error {
	for _, p := range s.established() {
		if (addr != "" && p.addr.String() == addr) || (addr == "" && p.id == id) {
			p.disconnect()
			return nil
		}
	}
	return p2pErr(ErrPeerNotFound, "node not found in connected nodes")
}

// PingAll sends a ping to every peer (the ping RPC); pingtime shows the
// answers in getpeerinfo.
func (s *Server) PingAll() {
	for _, p := range s.established() {
		s.ping(p)
	}
}

// Ban bans a subnet until the given time and drops connected peers in it.
func (s *Server) Ban(subnet netip.Prefix, until time.Time, reason string) error {
	if err := s.bans.Ban(subnet, until, reason); err != nil {
		return err
	}
	s.mu.Lock()
	for _, p := range s.peers {
		if subnet.Contains(p.addr.Addr()) {
			p.disconnect()
		}
	}
	s.mu.Unlock()
	return nil
}

// Unban lifts a ban.
func (s *Server) Unban(subnet netip.Prefix) error {
	ok, err := s.bans.Unban(subnet)
	if err != nil {
		return err
	}
	if !ok {
		return p2pErr(ErrPeerNotFound, "unban failed: %s is not banned", subnet)
	}
	return nil
}

// Bans lists the bans in force.
func (s *Server) Bans() []banlist.Entry { return s.bans.Entries() }

// ClearBans lifts every ban.
func (s *Server) ClearBans() error { return s.bans.Clear() }

// IsBanned reports whether addr is banned now.
func (s *Server) IsBanned(addr netip.Addr) bool { return s.bans.Banned(addr) }

// OrphanTxs returns the number of transactions in the orphan pool.
func (s *Server) OrphanTxs() int { return s.rel.orphanCount() }

func (pi PeerInfo) String() string { return fmt.Sprintf("peer %d %s", pi.ID, pi.Addr) }
