package p2p

import (
	"context"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/chain"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/mempool"
	"github.com/ballast-chain/ballast/internal/offheap"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/secp256k1"
	"github.com/ballast-chain/ballast/internal/sigcache"
	"github.com/ballast-chain/ballast/internal/store"
	"github.com/ballast-chain/ballast/internal/wire"
)

// testNode is an in-process chain, mempool and network service.
type testNode struct {
	chain *chain.Chain
	pool  *mempool.Pool
	srv   *Server
	addr  string
}

func freeAddr(t testing.TB, ip string) string {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// newTestNode starts a node listening on ip; edit adjusts its config.
func newTestNode(t testing.TB, p *params.Params, ip string, edit func(*Config)) *testNode {
	t.Helper()
	db, err := store.Open(store.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	// The node's verification setup (internal/node/verify.go): libsecp256k1
	// when built with its tag, one salted signature cache shared by the
	// chain and the mempool.
	table, err := offheap.Make[sigcache.Bucket](sigcache.Buckets(sigcache.DefaultMaxBytes))
	if err != nil {
		t.Fatal(err)
	}
	vopts := consensus.Options{SigCache: sigcache.NewWithTable([32]byte{1}, table)}
	if v, err := secp256k1.NewVerifier(); err == nil {
		vopts.Verifier = v
	}
	c, err := chain.Open(chain.Config{DB: db, Params: p, Verify: vopts})
	if err != nil {
		t.Fatal(err)
	}
	mcfg := mempool.DefaultConfig()
	mcfg.VerifySpends = func(tx *wire.Tx, prev []wire.TxOut) error {
		return consensus.VerifyTxSpendsWith(tx, prev, vopts)
	}
	pool, err := mempool.New(mcfg, c, p)
	if err != nil {
		t.Fatal(err)
	}
	c.Subscribe(func(n chain.Notification) {
		if n.Connected {
			pool.BlockConnected(n.Block, n.Height)
		} else {
			pool.BlockDisconnected(n.Block)
		}
	})
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("BALLAST_P2P_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	cfg := Config{Params: p, Chain: c, Pool: pool, Listen: freeAddr(t, ip), Logger: log.With("node", ip),
		StallTimeout: 2 * time.Second, TrickleInterval: 50 * time.Millisecond}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		c.Close()
		db.Close()
	})
	for range 100 {
		if _, ok := srv.ListenAddr(); ok {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return &testNode{chain: c, pool: pool, srv: srv, addr: cfg.Listen}
}

func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
