package stratum

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/chain"
	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/mempool"
	"github.com/ballast-chain/ballast/internal/mining"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/wire"
)

// fakeChain is a regtest reference chain behind mining.Source and Submit.
type fakeChain struct {
	mu     sync.Mutex
	c      *chaingen.Chain
	blocks []*wire.Block
	mgr    *mining.Manager
}

func (f *fakeChain) Tip() consensus.HeaderInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.c.Tip
}
func (f *fakeChain) SelectForBlock(int) []mempool.BlockTx { return nil }
func (f *fakeChain) MempoolSeq() uint64                   { return 0 }
func (f *fakeChain) Submit(b *wire.Block) (chain.Outcome, error) {
	f.mu.Lock()
	err := f.c.ProcessBlock(b)
	if err == nil {
		f.blocks = append(f.blocks, b)
	}
	f.mu.Unlock()
	if err == nil && f.mgr != nil {
		f.mgr.TipChanged()
	}
	return chain.Connected, err
}

type harness struct {
	t     testing.TB
	p     *params.Params
	chain *fakeChain
	srv   *Server
	addr  string
	user  string
	lock  wire.Lock
}

func newHarness(t *testing.T, mod func(*Config)) *harness {
	return newHarnessOn(t, params.Regtest(), mod)
}

// buildHarness makes a server on p's reference chain without running it
// or its work manager.
func buildHarness(t testing.TB, p *params.Params, mod func(*Config)) *harness {
	t.Helper()
	fc := &fakeChain{c: chaingen.NewChain(p)}
	// The reference chain's clock: just after its tip.
	now := func() time.Time { return time.Unix(int64(fc.Tip().Timestamp)+60, 0) }
	mgr, err := mining.NewManager(mining.ManagerConfig{Params: p, Source: fc, Refresh: 50 * time.Millisecond, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	fc.mgr = mgr
	lock := chaingen.KeyLock(chaingen.KeyFromSeed("worker"))
	user, err := address.Encode(p.Bech32HRP, lock)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Params: p, Manager: mgr, Submit: fc.Submit, Listen: "127.0.0.1:0", StartDifficulty: 1e-9, Now: now,
		Logger:  slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
		Vardiff: VardiffConfig{Min: 1e-12, ShareInterval: time.Hour, Retarget: time.Hour}}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, p: p, chain: fc, srv: srv, user: user + ".rig1", lock: lock}
}

// newHarnessOn runs a server and its work manager on p's reference chain;
// on mainnet, shares of a small difficulty are not blocks.
func newHarnessOn(t testing.TB, p *params.Params, mod func(*Config)) *harness {
	t.Helper()
	h := buildHarness(t, p, mod)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = h.srv.cfg.Manager.Run(ctx) })
	wg.Go(func() {
		if err := h.srv.Run(ctx); err != nil {
			t.Error(err)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	h.addr = h.srv.Addr(ctx).String()
	return h
}

func (h *harness) client() *Client {
	h.t.Helper()
	c, err := Dial(context.Background(), h.addr)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { c.Close() })
	return c
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// login subscribes and authorizes, returning the first job.
func (h *harness) login(c *Client) *ClientJob {
	h.t.Helper()
	ctx := ctxT(h.t)
	if err := c.Subscribe(ctx, "test/1.0"); err != nil {
		h.t.Fatal(err)
	}
	if _, err := c.Call(ctx, "mining.authorize", h.user, "x"); err != nil {
		h.t.Fatal(err)
	}
	return nextJob(h.t, c)
}

func nextJob(t testing.TB, c *Client) *ClientJob {
	t.Helper()
	select {
	case j := <-c.Jobs:
		return j
	case <-time.After(10 * time.Second):
		t.Fatal("no job")
		return nil
	}
}

// solve finds a nonce whose header meets (want true) or misses the share
// target.
func solve(c *Client, j *ClientJob, en2 []byte, want bool) (uint32, [32]byte) {
	target := TargetForDifficulty(c.Difficulty())
	for n := uint32(0); ; n++ {
		h := j.Header(c.Extranonce1, en2, j.Time, n, j.Version)
		hash := h.BlockHash()
		if pow.HashMeetsTarget(&hash, &target) == want {
			return n, hash
		}
	}
}

func code(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return -1
}

// A miner subscribes, authorizes, gets a job and mines regtest blocks
// through the pool, paid to its address (solo mode).
func TestSoloMinesBlocks(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	j := h.login(c)
	if !j.Clean || len(c.Extranonce1) != Extranonce1Size || c.Extranonce2Size != Extranonce2Size {
		t.Fatalf("job %+v en1 %x size %d", j, c.Extranonce1, c.Extranonce2Size)
	}
	ctx := ctxT(t)
	for i := range 3 {
		en2 := binary.BigEndian.AppendUint32(nil, uint32(i))
		nonce, _ := solve(c, j, en2, true)
		if err := c.Submit(ctx, h.user, j.ID, en2, j.Time, nonce, 0); err != nil {
			t.Fatal(err)
		}
		next := nextJob(t, c) // the block moved the tip: clean job
		if !next.Clean || next.PrevHash == j.PrevHash {
			t.Fatalf("after block %d: clean %v", i, next.Clean)
		}
		j = next
	}
	h.chain.mu.Lock()
	blocks := h.chain.blocks
	h.chain.mu.Unlock()
	if len(blocks) != 3 {
		t.Fatalf("%d blocks", len(blocks))
	}
	if !blocks[2].Transactions[0].TxOut[0].Lock.Equal(h.lock) {
		t.Fatal("solo block not paid to the worker")
	}
	st := h.srv.Stats()
	if st.Blocks != 3 || st.Accepted != 3 || len(st.Workers) != 1 || st.Workers[0].Blocks != 3 {
		t.Fatalf("stats %+v", st)
	}
}

// Every mining.submit error case answers [code, message, null].
func TestSubmitErrors(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	ctx := ctxT(t)
	if err := c.Submit(ctx, h.user, "1", make([]byte, 4), 0, 0, 0); code(err) != CodeNotSubscribed {
		t.Fatalf("unsubscribed: %v", err)
	}
	if err := c.Subscribe(ctx, "t"); err != nil {
		t.Fatal(err)
	}
	if err := c.Submit(ctx, h.user, "1", make([]byte, 4), 0, 0, 0); code(err) != CodeUnauthorized {
		t.Fatalf("unauthorized: %v", err)
	}
	if _, err := c.Call(ctx, "mining.authorize", "notanaddress", "x"); code(err) != CodeUnauthorized {
		t.Fatalf("bad address: %v", err)
	}
	if _, err := c.Call(ctx, "mining.authorize", h.user, "x"); err != nil {
		t.Fatal(err)
	}
	j := nextJob(t, c)
	en2 := []byte{0, 0, 0, 1}
	bad, _ := solve(c, j, en2, false)
	good, _ := solve(c, j, en2, true)
	cases := []struct {
		name   string
		job    string
		en2    []byte
		ntime  uint32
		nonce  uint32
		vbits  uint32
		code   int
		accept bool
	}{
		{"unknown job", "ffff", en2, j.Time, good, 0, CodeJobNotFound, false},
		{"short extranonce2", j.ID, []byte{1, 2}, j.Time, good, 0, CodeOther, false},
		{"ntime too old", j.ID, en2, 1, good, 0, CodeOther, false},
		{"ntime too new", j.ID, en2, j.Time + 3600, good, 0, CodeOther, false},
		{"version bits without configure", j.ID, en2, j.Time, good, 0x2000, CodeOther, false},
		{"low difficulty", j.ID, en2, j.Time, bad, 0, CodeLowDifficulty, false},
		{"good", j.ID, en2, j.Time, good, 0, 0, true},
	}
	for _, tc := range cases {
		err := c.Submit(ctx, h.user, tc.job, tc.en2, tc.ntime, tc.nonce, tc.vbits)
		if tc.accept && err != nil || !tc.accept && code(err) != tc.code {
			t.Errorf("%s: %v, want code %d", tc.name, err, tc.code)
		}
	}
	if _, err := c.Call(ctx, "mining.nonsense"); code(err) != CodeOther {
		t.Errorf("unknown method: %v", err)
	}
	// The good share was a block (regtest): the job is now stale.
	nextJob(t, c)
	if err := c.Submit(ctx, h.user, j.ID, en2, j.Time, good, 0); code(err) != CodeJobNotFound {
		t.Errorf("stale: %v", err)
	}
	if st := h.srv.Stats(); st.Rejected == 0 || st.Stale == 0 {
		t.Errorf("stats %+v", st)
	}
}

// The same share twice is a duplicate (on mainnet, where a share is not a
// block and the job stays current).
func TestDuplicateShare(t *testing.T) {
	h := newHarnessOn(t, params.Mainnet(), nil)
	c := h.client()
	j := h.login(c)
	ctx := ctxT(t)
	en2 := []byte{0, 0, 0, 2}
	n, _ := solve(c, j, en2, true)
	if err := c.Submit(ctx, h.user, j.ID, en2, j.Time, n, 0); err != nil {
		t.Fatal(err)
	}
	if err := c.Submit(ctx, h.user, j.ID, en2, j.Time, n, 0); code(err) != CodeDuplicate {
		t.Fatalf("duplicate: %v", err)
	}
	if len(h.chain.blocks) != 0 {
		t.Fatal("a mainnet share made a block")
	}
}

// BIP310: the mask granted is the client's ANDed with the pool's, and
// version bits outside it are refused.
func TestVersionRolling(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	ctx := ctxT(t)
	res, err := c.Call(ctx, "mining.configure", []string{"version-rolling", "minimum-difficulty"},
		map[string]any{"version-rolling.mask": "ffffffff", "version-rolling.min-bit-count": 2})
	if err != nil || string(res) != `{"minimum-difficulty":false,"version-rolling":true,"version-rolling.mask":"1fffe000"}` {
		t.Fatalf("configure: %s %v", res, err)
	}
	j := h.login(c)
	en2 := []byte{9, 9, 9, 9}
	if err := c.Submit(ctx, h.user, j.ID, en2, j.Time, 0, 0x40000000); code(err) != CodeOther {
		t.Fatalf("bits outside mask: %v", err)
	}
	// A rolled version that meets the target is a valid block.
	vb := uint32(0x00ffe000)
	target := TargetForDifficulty(c.Difficulty())
	for n := uint32(0); ; n++ {
		hd := j.Header(c.Extranonce1, en2, j.Time, n, j.Version&^DefaultVersionMask|vb)
		hash := hd.BlockHash()
		if pow.HashMeetsTarget(&hash, &target) {
			if err := c.Submit(ctx, h.user, j.ID, en2, j.Time, n, vb); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	h.chain.mu.Lock()
	defer h.chain.mu.Unlock()
	if len(h.chain.blocks) != 1 || uint32(h.chain.blocks[0].Header.Version) != 0x20000000|vb {
		t.Fatalf("rolled block not accepted: %d", len(h.chain.blocks))
	}
}

// A client that sends only bad shares is disconnected and banned.
func TestBan(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.BanAfter = 5 })
	c := h.client()
	j := h.login(c)
	ctx := ctxT(t)
	for range 5 {
		_ = c.Submit(ctx, h.user, j.ID, []byte{1}, j.Time, 0, 0)
	}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("not disconnected")
	}
	if !h.srv.Banned("127.0.0.1") {
		t.Fatal("not banned")
	}
	c2, err := Dial(ctx, h.addr)
	if err == nil {
		defer c2.Close()
		if err := c2.Subscribe(ctx, "again"); err == nil {
			t.Fatal("banned client served")
		}
	}
}

// suggest_difficulty sets the connection's difficulty (within limits) and
// extranonce.subscribe is acknowledged.
func TestSuggestDifficulty(t *testing.T) {
	h := newHarness(t, nil)
	c := h.client()
	h.login(c)
	ctx := ctxT(t)
	if res, err := c.Call(ctx, "mining.extranonce.subscribe"); err != nil || string(res) != "true" {
		t.Fatalf("extranonce.subscribe: %s %v", res, err)
	}
	if _, err := c.Call(ctx, "mining.suggest_difficulty", 0.5); err != nil {
		t.Fatal(err)
	}
	j := nextJob(t, c)
	if j.Difficulty != 0.5 {
		t.Fatalf("difficulty %v", j.Difficulty)
	}
	if _, err := c.Call(ctx, "mining.suggest_difficulty", "x"); code(err) != CodeOther {
		t.Fatalf("bad suggestion: %v", err)
	}
}

// Pool mode: shares enter the PPLNS window and the next job's coinbase pays
// the window's addresses in proportion, traceable to share numbers.
func TestPoolPPLNS(t *testing.T) {
	pool := chaingen.KeyLock(chaingen.KeyFromSeed("pool"))
	h := newHarness(t, func(c *Config) { c.Mode = ModePool; c.PoolPayout = pool; c.PPLNSWindow = 1 })
	c := h.client()
	j := h.login(c)
	ctx := ctxT(t)
	n, _ := solve(c, j, []byte{0, 0, 0, 7}, true)
	if err := c.Submit(ctx, h.user, j.ID, []byte{0, 0, 0, 7}, j.Time, n, 0); err != nil {
		t.Fatal(err)
	}
	j = nextJob(t, c) // new tip after the block; coinbase now pays the share
	n, _ = solve(c, j, []byte{0, 0, 0, 8}, true)
	if err := c.Submit(ctx, h.user, j.ID, []byte{0, 0, 0, 8}, j.Time, n, 0); err != nil {
		t.Fatal(err)
	}
	h.chain.mu.Lock()
	b0, b1 := h.chain.blocks[0], h.chain.blocks[1]
	h.chain.mu.Unlock()
	if !b0.Transactions[0].TxOut[0].Lock.Equal(pool) {
		t.Fatal("first block (empty window) not paid to the pool")
	}
	if !b1.Transactions[0].TxOut[0].Lock.Equal(h.lock) {
		t.Fatal("second block not paid to the PPLNS share holder")
	}
	st := h.srv.Stats()
	if len(st.Found) != 2 || len(st.Found[1].Payouts) != 1 || st.Found[1].Payouts[0].FirstSeq != 1 {
		t.Fatalf("found %+v", st.Found)
	}
}

func TestPPLNSWindow(t *testing.T) {
	p := NewPPLNS(10)
	a := chaingen.KeyLock(chaingen.KeyFromSeed("a"))
	b := chaingen.KeyLock(chaingen.KeyFromSeed("b"))
	now := time.Unix(0, 0)
	for range 6 {
		p.Add("a", a, 2, now) // a: 12 difficulty, window keeps the last 10
	}
	p.Add("b", b, 4, now)
	pay := p.Payouts()
	if len(pay) != 2 || pay[0].Shares != 3 || pay[1].Shares != 1 || pay[0].FirstSeq != 4 || pay[1].LastSeq != 7 {
		t.Fatalf("payouts %+v", pay)
	}
	if pay[0].Weight*4 != pay[1].Weight*6 {
		t.Fatalf("weights %d %d", pay[0].Weight, pay[1].Weight)
	}
}

func TestVardiff(t *testing.T) {
	v := VardiffConfig{ShareInterval: 10 * time.Second, Min: 0.01, Max: 1000}
	cases := []struct {
		cur     float64
		shares  int
		elapsed time.Duration
		want    float64
		change  bool
	}{
		{1, 6, time.Minute, 1, false},      // on target
		{1, 12, time.Minute, 2, true},      // twice too fast
		{1, 100, time.Minute, 4, true},     // capped at 4x
		{1, 0, time.Minute, 0.25, true},    // idle: quartered
		{0.02, 0, time.Minute, 0.01, true}, // clamped to Min
		{800, 60, time.Minute, 1000, true}, // clamped to Max
		{1, 6, 55 * time.Second, 1, false}, // within 10%
	}
	for _, tc := range cases {
		got, ch := v.nextDifficulty(tc.cur, tc.shares, tc.elapsed)
		if ch != tc.change || (ch && got != tc.want) {
			t.Errorf("%+v: %v %v", tc, got, ch)
		}
	}
}

// Vardiff over a real connection: shares far faster than the interval
// raise the difficulty with a new set_difficulty and job.
func TestVardiffRaises(t *testing.T) {
	h := newHarnessOn(t, params.Mainnet(), func(c *Config) {
		c.StartDifficulty = 1e-9
		c.Vardiff = VardiffConfig{ShareInterval: time.Hour, Retarget: time.Hour, RetargetShares: 3, Min: 1e-15}
	})
	c := h.client()
	j := h.login(c)
	ctx := ctxT(t)
	for i := range 3 {
		en2 := []byte{0, 0, 1, byte(i)}
		n, _ := solve(c, j, en2, true)
		if err := c.Submit(ctx, h.user, j.ID, en2, j.Time, n, 0); err != nil {
			t.Fatal(err)
		}
	}
	j = nextJob(t, c)
	if c.Difficulty() != 4e-9 || j.Difficulty != 4e-9 {
		t.Fatalf("difficulty %v, job at %v", c.Difficulty(), j.Difficulty)
	}
}

func TestTargetForDifficulty(t *testing.T) {
	t1 := TargetForDifficulty(1)
	if hex.EncodeToString(t1[24:]) != "0000ffff00000000" {
		t.Fatalf("diff 1 target %x", t1)
	}
	tiny := TargetForDifficulty(1e-80)
	if tiny[31] != 0xff {
		t.Fatal("tiny difficulty must saturate")
	}
}
