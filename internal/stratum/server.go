package stratum

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/chain"
	"github.com/ballast-chain/ballast/internal/mining"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Mode is how the pool pays.
type Mode string

// Modes.
const (
	// ModeSolo pays each connection's coinbase to its worker's address
	// (the username, optionally followed by ".worker").
	ModeSolo Mode = "solo"
	// ModePool pays every coinbase to the PPLNS window of recent shares
	// (PoolPayout while the window is empty).
	ModePool Mode = "pool"
)

// DefaultVersionMask is the BIP310 mask offered: BIP320's bits 13-28.
const DefaultVersionMask = 0x1fffe000

// Config configures a Server. Zero values are documented per field.
type Config struct {
	Params  *params.Params  // required
	Manager *mining.Manager // required: the block work
	// Submit processes a found block (required).
	Submit func(*wire.Block) (chain.Outcome, error)
	// Listen is the TCP address (default 127.0.0.1:3333 ... any; ":0" picks a port).
	Listen string
	Mode   Mode // default ModeSolo
	// PoolPayout receives pool-mode coinbases while no shares are in the
	// window (required in pool mode).
	PoolPayout wire.Lock
	// PPLNSWindow is the window's total share difficulty (0: 8 times the
	// network difficulty at start, at least 1).
	PPLNSWindow float64
	// StartDifficulty is a new connection's share difficulty (0: 1).
	StartDifficulty float64
	// Vardiff: zero fields default to a share every 10 s, retarget every
	// 30 s or 20 shares, difficulty within [StartDifficulty/1e6, 1e12].
	Vardiff VardiffConfig
	// VersionMask is the BIP310 mask (0: DefaultVersionMask).
	VersionMask uint32
	// NTimeAhead is how far past now a share's ntime may be (0: 600 s).
	NTimeAhead time.Duration
	// BanAfter bad shares with no good share ban the client's IP for
	// BanFor (0: 20 shares, 10 minutes).
	BanAfter int
	BanFor   time.Duration
	// MaxConns bounds connections (0: 10000).
	MaxConns int
	// JobRefresh re-issues jobs (fresh ntime, PPLNS payouts) this often
	// without a new tip (0: 30 s).
	JobRefresh time.Duration
	// CoinbaseTag is written after the extranonce (default "/ballast-stratum/").
	CoinbaseTag []byte
	Logger      *slog.Logger     // nil discards
	Now         func() time.Time // nil: time.Now
}

// Validate checks the configuration and fills defaults.
func (c *Config) Validate() error {
	if c.Params == nil || c.Manager == nil || c.Submit == nil {
		return errors.New("stratum: params, manager and submit are required")
	}
	if c.Listen == "" {
		c.Listen = "127.0.0.1:3333"
	}
	switch c.Mode {
	case "":
		c.Mode = ModeSolo
	case ModeSolo:
	case ModePool:
		if c.PoolPayout.Kind != wire.LockKey && c.PoolPayout.Kind != wire.LockPolicy {
			return errors.New("stratum: pool mode needs a pool payout address")
		}
	default:
		return fmt.Errorf("stratum: unknown mode %q", c.Mode)
	}
	if c.StartDifficulty < 0 || c.PPLNSWindow < 0 || c.BanAfter < 0 || c.MaxConns < 0 {
		return errors.New("stratum: negative setting")
	}
	if c.StartDifficulty == 0 {
		c.StartDifficulty = 1
	}
	v := &c.Vardiff
	if v.ShareInterval <= 0 {
		v.ShareInterval = 10 * time.Second
	}
	if v.Retarget <= 0 {
		v.Retarget = 30 * time.Second
	}
	if v.RetargetShares <= 0 {
		v.RetargetShares = 20
	}
	if v.Min <= 0 {
		v.Min = c.StartDifficulty / 1e6
	}
	if v.Max <= 0 {
		v.Max = 1e12
	}
	if v.Min > v.Max {
		return errors.New("stratum: vardiff minimum above maximum")
	}
	if c.VersionMask == 0 {
		c.VersionMask = DefaultVersionMask
	}
	if c.NTimeAhead == 0 {
		c.NTimeAhead = 600 * time.Second
	}
	if c.BanAfter == 0 {
		c.BanAfter = 20
	}
	if c.BanFor == 0 {
		c.BanFor = 10 * time.Minute
	}
	if c.MaxConns == 0 {
		c.MaxConns = 10000
	}
	if c.JobRefresh == 0 {
		c.JobRefresh = 30 * time.Second
	}
	if c.CoinbaseTag == nil {
		c.CoinbaseTag = []byte("/ballast-stratum/")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// Server is a Stratum v1 pool server.
type Server struct {
	cfg   Config
	log   *slog.Logger
	pplns *PPLNS
	ready chan struct{}
	addr  net.Addr

	accepted, rejected, stale, blocks atomic.Uint64

	mu       sync.Mutex
	sessions map[*session]struct{}
	bans     map[string]time.Time
	workers  map[string]*WorkerStats
	found    []FoundBlock
	work     *mining.Work
	jobs     map[string]*Job // current work's jobs by payout lock
	jobSeq   uint64
	en1Seq   uint32
}

// New returns a server; Run listens and serves.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	w := cfg.Manager.Current()
	window := cfg.PPLNSWindow
	if window == 0 {
		window = max(1, 8*mining.Difficulty(&w.Target))
	}
	return &Server{cfg: cfg, log: cfg.Logger, pplns: NewPPLNS(window), ready: make(chan struct{}),
		sessions: map[*session]struct{}{}, bans: map[string]time.Time{}, workers: map[string]*WorkerStats{},
		jobs: map[string]*Job{}, work: w}, nil
}

// Addr returns the listening address once Run has started listening, or
// nil if ctx ends first.
func (s *Server) Addr(ctx context.Context) net.Addr {
	select {
	case <-s.ready:
		return s.addr
	case <-ctx.Done():
		return nil
	}
}

// PPLNS returns the pool's share window.
func (s *Server) PPLNS() *PPLNS { return s.pplns }

// Run serves until ctx ends.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("stratum: listen: %w", err)
	}
	s.addr = ln.Addr()
	close(s.ready)
	s.log.Info("stratum server listening", "addr", s.addr.String(), "mode", string(s.cfg.Mode))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { s.workLoop(ctx) })
	go func() { <-ctx.Done(); ln.Close() }()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			cancel()
			wg.Wait()
			return fmt.Errorf("stratum: accept: %w", err)
		}
		if !s.admit(conn) {
			conn.Close()
			continue
		}
		wg.Go(func() { s.serve(ctx, conn) })
	}
	s.mu.Lock()
	for ss := range s.sessions {
		ss.conn.Close()
	}
	s.mu.Unlock()
	wg.Wait()
	return nil
}

func remoteIP(c net.Conn) string {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	return c.RemoteAddr().String()
}

// admit refuses banned addresses and connections past MaxConns.
func (s *Server) admit(conn net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ip := remoteIP(conn)
	if until, ok := s.bans[ip]; ok {
		if s.cfg.Now().Before(until) {
			return false
		}
		delete(s.bans, ip)
	}
	return len(s.sessions) < s.cfg.MaxConns
}

func (s *Server) ban(ip string) {
	s.mu.Lock()
	s.bans[ip] = s.cfg.Now().Add(s.cfg.BanFor)
	s.mu.Unlock()
	s.log.Warn("stratum client banned", "ip", ip, "for", s.cfg.BanFor.String())
}

// Banned reports whether ip is banned now.
func (s *Server) Banned(ip string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	until, ok := s.bans[ip]
	return ok && s.cfg.Now().Before(until)
}

func (s *Server) nextExtranonce1() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.en1Seq++
	return binary.BigEndian.AppendUint32(nil, s.en1Seq)
}

// workLoop follows the block work: on new work every subscribed session
// gets a job (clean when the tip moved); every JobRefresh, fresh jobs.
//
// It starts from the work New announced, not from a fresh Current: jobs on
// that work may already be out (a miner can log in and find a block before
// this goroutine first runs), and replacing it here without a broadcast
// would leave those miners on a dead tip. After every wake-up it re-reads
// the manager, so work replaced while it was busy is never missed.
func (s *Server) workLoop(ctx context.Context) {
	refresh := time.NewTicker(s.cfg.JobRefresh)
	defer refresh.Stop()
	sweep := time.NewTicker(s.cfg.Vardiff.Retarget)
	defer sweep.Stop()
	w := s.currentWork()
	reissue := false
	for {
		if nw := s.cfg.Manager.Current(); nw != w || reissue {
			clean := nw.Parent.Hash != w.Parent.Hash
			w, reissue = nw, false
			s.setWork(w)
			s.broadcast(clean)
		}
		select {
		case <-ctx.Done():
			return
		case <-w.Done():
		case <-refresh.C:
			reissue = true
		case <-sweep.C:
			s.sweepIdle()
		}
	}
}

// setWork makes w current and forgets jobs built from older work.
func (s *Server) setWork(w *mining.Work) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.work = w
	clear(s.jobs)
}

func (s *Server) broadcast(clean bool) {
	s.mu.Lock()
	list := make([]*session, 0, len(s.sessions))
	for ss := range s.sessions {
		list = append(list, ss)
	}
	s.mu.Unlock()
	for _, ss := range list {
		ss.sendJob(clean)
	}
}

// currentWork is the work jobs must build on to be fresh.
func (s *Server) currentWork() *mining.Work {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.work
}

// jobFor returns the current job paying lock (solo) or the PPLNS window
// (pool), building and caching it on first use.
func (s *Server) jobFor(lock wire.Lock) (*Job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := "pool"
	if s.cfg.Mode == ModeSolo {
		key = lockKey(lock)
	}
	if j, ok := s.jobs[key]; ok {
		return j, nil
	}
	tc := mining.TemplateConfig{Payout: lock, CoinbaseTag: s.cfg.CoinbaseTag}
	var payouts []Payout
	if s.cfg.Mode == ModePool {
		payouts = s.pplns.Payouts()
		if len(payouts) == 0 {
			payouts = []Payout{{Lock: s.cfg.PoolPayout, Weight: 1}}
		}
		tc.Shares = payoutShares(payouts)
	}
	t, err := s.work.Template(s.cfg.Params, s.cfg.Now().Unix(), tc)
	if err != nil {
		return nil, err
	}
	s.jobSeq++
	j := NewJob(strconv.FormatUint(s.jobSeq, 16), s.work, t)
	j.Payouts = payouts
	s.jobs[key] = j
	return j, nil
}

// parseWorker reads a solo username: address[.worker].
func (s *Server) parseWorker(user string) (wire.Lock, error) {
	addr := user
	for i := range len(user) {
		if user[i] == '.' || user[i] == '_' {
			addr = user[:i]
			break
		}
	}
	return address.Decode(addr, s.cfg.Params.Bech32HRP)
}

func (s *Server) sweepIdle() {
	s.mu.Lock()
	list := make([]*session, 0, len(s.sessions))
	for ss := range s.sessions {
		list = append(list, ss)
	}
	s.mu.Unlock()
	for _, ss := range list {
		ss.retargetIdle()
	}
}
