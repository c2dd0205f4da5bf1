package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ballast-chain/ballast/internal/chain"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/mempool"
	"github.com/ballast-chain/ballast/internal/metrics"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/rpc"
	"github.com/ballast-chain/ballast/internal/store"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Config configures a node. Zero values are documented per field.
type Config struct {
	// Params is the network (required).
	Params *params.Params
	// DataDir is this network's data directory (required): the database
	// in db/, mempool.dat, fee_estimates.dat and the RPC cookie.
	DataDir string
	// RPCListen lists RPC host:port addresses; empty means 127.0.0.1 at
	// the network's RPC port.
	RPCListen []string
	// RPCUser/RPCPassword replace the cookie when RPCPassword is set;
	// RPCAuth adds Core-style salted credentials.
	RPCUser     string
	RPCPassword rpc.Secret
	RPCAuth     []string
	// MetricsListen serves Prometheus metrics at /metrics; empty disables.
	MetricsListen string
	// TxIndex and AddrIndex enable the optional indexes.
	TxIndex, AddrIndex bool
	// UtxoCacheBytes bounds the UTXO cache (0: the chain's default);
	// DBCacheBytes pebble's block cache (0: the store's default).
	UtxoCacheBytes, DBCacheBytes int64
	// Mempool configures the pool; the zero value is Core's defaults.
	Mempool mempool.Config
	// SigWorkers verify signatures in parallel (0: all cores).
	SigWorkers int
	// LoadBlocks lists block files (Bitcoin Core's blk*.dat layout, as the
	// dumpblocks RPC writes them) imported at start-up, in order, while the
	// node runs: Core's -loadblock.
	LoadBlocks []string
	// Logger receives everything; nil discards.
	Logger *slog.Logger
	// Now is the clock (nil: time.Now).
	Now func() time.Time

	// Each subsystem's settings live in its own file.
	P2PConfig
	WalletConfig
	StratumConfig
}

// Validate checks the configuration and fills defaults.
func (c *Config) Validate() error {
	if c.Params == nil || c.DataDir == "" {
		return errors.New("node: network parameters and a data directory are required")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// Node is a running full node's services.
type Node struct {
	cfg     Config
	log     *slog.Logger
	db      *store.DB
	Chain   *chain.Chain
	Pool    *mempool.Pool
	RPC     *rpc.Server
	metrics *metrics.Registry
	started time.Time
	poolSeq atomic.Uint64
	stop    context.CancelFunc

	verify consensus.Options // verifier and signature cache, shared by chain and mempool

	blocksConnected *metrics.Counter
	blockSeconds    *metrics.Histogram

	// services run beside the RPC server; subsystems add theirs in setup.
	services []service

	// Each subsystem's state lives in its own file.
	p2pPart
	walletPart
	stratumPart
}

// service is a long-running part of the node.
type service interface {
	Run(ctx context.Context) error
}

// New opens the node's storage and builds its services; Run starts them.
func New(cfg Config) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("node: data directory: %w", err)
	}
	n := &Node{cfg: cfg, log: cfg.Logger, started: cfg.Now(), metrics: metrics.New()}
	db, err := store.Open(store.Config{Dir: filepath.Join(cfg.DataDir, "db"), CacheBytes: cfg.DBCacheBytes, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	n.db = db
	n.verify, err = newVerifyOptions(cfg.SigWorkers, cfg.Logger)
	if err != nil {
		db.Close()
		return nil, err
	}
	n.Chain, err = chain.Open(chain.Config{DB: db, Params: cfg.Params, Logger: cfg.Logger.With("svc", "chain"),
		UtxoCacheBytes: cfg.UtxoCacheBytes, TxIndex: cfg.TxIndex, AddrIndex: cfg.AddrIndex,
		SigWorkers: cfg.SigWorkers, Verify: n.verify, Now: cfg.Now})
	if err != nil {
		db.Close()
		return nil, err
	}
	mcfg := cfg.Mempool
	mcfg.Logger = cfg.Logger.With("svc", "mempool")
	mcfg.Now = cfg.Now
	mcfg.VerifySpends = func(tx *wire.Tx, prev []wire.TxOut) error {
		return consensus.VerifyTxSpendsWith(tx, prev, n.verify)
	}
	n.Pool, err = mempool.New(mcfg, n.Chain, cfg.Params)
	if err != nil {
		db.Close()
		return nil, err
	}
	n.Chain.Subscribe(n.onChainChange)
	n.loadMempool()
	n.registerMetrics()
	n.RPC, err = rpc.New(rpc.Config{
		Params: cfg.Params, Listen: cfg.RPCListen, DataDir: cfg.DataDir,
		User: cfg.RPCUser, Password: cfg.RPCPassword, Auth: cfg.RPCAuth,
		Logger: cfg.Logger.With("svc", "rpc"), Now: cfg.Now,
		OnStop: func() {
			if n.stop != nil {
				n.stop()
			}
		},
		Backends: rpc.Backends{Chain: chainBackend{n}, Mempool: poolBackend{n}, Fees: feeBackend{n},
			Network: netBackend{n}, Mining: miningBackend{n}},
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	for _, setup := range []func() error{n.setupWallet, n.setupP2P, n.setupStratum, n.setupAssets} {
		if err := setup(); err != nil {
			db.Close()
			return nil, err
		}
	}
	return n, nil
}

// onChainChange keeps the mempool in step with the chain.
func (n *Node) onChainChange(note chain.Notification) {
	if note.Connected {
		n.Pool.BlockConnected(note.Block, note.Height)
		n.blocksConnected.Add(1)
	} else {
		n.Pool.BlockDisconnected(note.Block)
	}
	n.poolSeq.Add(1)
}

// Run runs the node's services until ctx ends (or an RPC "stop"), then shuts
// down in reverse order: RPC, metrics, mempool saved, database closed.
func (n *Node) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	n.stop = cancel
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return n.RPC.Run(gctx) })
	if n.cfg.MetricsListen != "" {
		ln, err := net.Listen("tcp", n.cfg.MetricsListen)
		if err != nil {
			cancel()
			_ = g.Wait()
			n.close()
			return fmt.Errorf("node: metrics listener: %w", err)
		}
		srv := &http.Server{Handler: n.metricsMux(), ReadHeaderTimeout: 5 * time.Second}
		g.Go(func() error {
			go func() { <-gctx.Done(); _ = srv.Close() }()
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
	}
	g.Go(func() error { return n.expireLoop(gctx) })
	if len(n.cfg.LoadBlocks) > 0 {
		g.Go(func() error { n.loadBlocks(gctx); return nil })
	}
	for _, s := range n.services {
		g.Go(func() error { return s.Run(gctx) })
	}
	n.log.Info("node running", "network", n.cfg.Params.Name, "datadir", n.cfg.DataDir,
		"height", n.Chain.Tip().Height)
	err := g.Wait()
	n.close()
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

// loadBlocks imports the -loadblock files in order. A file that cannot be
// read or holds an invalid block is logged and the next one tried; the node
// keeps running either way, as Core's does.
func (n *Node) loadBlocks(ctx context.Context) {
	for _, path := range n.cfg.LoadBlocks {
		start := time.Now()
		f, err := os.Open(path)
		if err != nil {
			n.log.Error("loadblock: cannot open the block file", "file", path, "err", err)
			continue
		}
		n.log.Info("loadblock: importing blocks", "file", path)
		st, err := n.Chain.ImportBlocks(ctx, f)
		f.Close()
		attrs := []any{"file", path, "blocks", st.Blocks, "new", st.Connected, "known", st.Known,
			"height", n.Chain.Tip().Height, "seconds", time.Since(start).Seconds()}
		switch {
		case ctx.Err() != nil:
			n.log.Info("loadblock: interrupted", attrs...)
			return
		case err != nil:
			n.log.Error("loadblock: import stopped", append(attrs, "err", err)...)
		default:
			n.log.Info("loadblock: imported", attrs...)
		}
	}
}

func (n *Node) expireLoop(ctx context.Context) error {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if k := n.Pool.Expire(n.cfg.Now()); k > 0 {
				n.log.Info("mempool transactions expired", "count", k)
			}
		}
	}
}

func (n *Node) close() {
	n.saveMempool()
	n.Chain.Close()
	if err := n.db.Close(); err != nil {
		n.log.Error("closing database", "err", err)
	}
	n.log.Info("node stopped")
}

// Close releases the node's storage without running it (for callers that
// built a node and then decided not to run it).
func (n *Node) Close() { n.close() }

func (n *Node) mempoolPath() string { return filepath.Join(n.cfg.DataDir, "mempool.dat") }
func (n *Node) feesPath() string    { return filepath.Join(n.cfg.DataDir, "fee_estimates.dat") }

// loadMempool restores the pool and fee estimates saved at the last shutdown.
func (n *Node) loadMempool() {
	if f, err := os.Open(n.mempoolPath()); err == nil {
		st, err := n.Pool.Load(f)
		f.Close()
		if err != nil {
			n.log.Warn("mempool.dat not loaded", "err", err)
		} else {
			n.log.Info("mempool loaded", "accepted", st.Accepted, "failed", st.Failed, "expired", st.Expired)
		}
	}
	if f, err := os.Open(n.feesPath()); err == nil {
		if err := n.Pool.FeeEstimator().Load(f); err != nil {
			n.log.Warn("fee_estimates.dat not loaded", "err", err)
		}
		f.Close()
	}
}

// saveMempool writes both files atomically (temp file, fsync, rename).
func (n *Node) saveMempool() {
	for _, s := range []struct {
		path string
		save func(f *os.File) error
	}{
		{n.mempoolPath(), func(f *os.File) error { return n.Pool.Save(f) }},
		{n.feesPath(), func(f *os.File) error { return n.Pool.FeeEstimator().Save(f) }},
	} {
		if err := writeAtomic(s.path, s.save); err != nil {
			n.log.Error("saving pool state", "file", s.path, "err", err)
		}
	}
}

func writeAtomic(path string, write func(*os.File) error) error {
	tmp := path + ".new"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func (n *Node) registerMetrics() {
	r := n.metrics
	r.NewGaugeFunc("ballast_chain_height", "Height of the best block.", func() float64 { return float64(n.Chain.Tip().Height) })
	r.NewGaugeFunc("ballast_mempool_transactions", "Transactions in the mempool.", func() float64 { return float64(n.Pool.Count()) })
	r.NewGaugeFunc("ballast_mempool_bytes", "Virtual size of the mempool's transactions.", func() float64 { return float64(n.Pool.Info().Bytes) })
	r.NewGaugeFunc("ballast_peers", "Connected peers.", n.peerCount)
	r.NewGaugeFunc("ballast_utxo_cache_entries", "Entries in the UTXO cache.", func() float64 { return float64(n.Chain.UtxoCacheStats().Entries) })
	n.blocksConnected = r.NewCounter("ballast_blocks_connected_total", "Blocks connected to the best chain since start.")
	n.blockSeconds = r.NewHistogram("ballast_block_process_seconds", "Time to process a submitted block.",
		[]float64{0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 30})
}

func (n *Node) metricsMux() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", n.metrics.Handler())
	return mux
}

// SubmitBlock processes a block from a miner or an RPC client, timing it.
func (n *Node) SubmitBlock(b *wire.Block) (chain.Outcome, error) {
	start := time.Now()
	out, err := n.Chain.ProcessBlock(b)
	n.blockSeconds.Observe(time.Since(start).Seconds())
	return out, err
}
