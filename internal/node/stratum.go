package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/chain"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/mempool"
	"github.com/ballast-chain/ballast/internal/miner"
	"github.com/ballast-chain/ballast/internal/mining"
	"github.com/ballast-chain/ballast/internal/rpc"
	"github.com/ballast-chain/ballast/internal/stratum"
	"github.com/ballast-chain/ballast/internal/wire"
)

// StratumConfig configures block templates and the Stratum pool server.
type StratumConfig struct {
	// StratumListen is the Stratum server's TCP address; empty disables
	// the server (getblocktemplate and submitblock are always served).
	StratumListen string
	// StratumMode is "solo" (default) or "pool".
	StratumMode string
	// StratumPoolAddress is the pool's payout address (pool mode).
	StratumPoolAddress string
	// StratumDifficulty is a new connection's share difficulty (0: 1).
	StratumDifficulty float64
	// StratumShareInterval is vardiff's target time between a miner's
	// shares (0: 10 s).
	StratumShareInterval time.Duration
	// TemplateRefresh is how old a template must be before a mempool
	// change rebuilds it (0: 5 s).
	TemplateRefresh time.Duration
	// Mine runs the CPU miner inside the node (ballast node -mine), as a
	// Stratum client of the node's own server (started on 127.0.0.1:0 if
	// StratumListen is empty), paying MineAddress in solo mode.
	Mine        bool
	MineAddress string
	// MineThreads is the hashing goroutines (0: one per core).
	MineThreads int
}

// stratumPart is the node's template manager and Stratum server.
type stratumPart struct {
	miningMgr *mining.Manager
	stratum   *stratum.Server
}

// workSource adapts the chain and mempool to mining.Source.
type workSource struct{ n *Node }

func (s workSource) Tip() consensus.HeaderInfo { return s.n.Chain.Tip() }
func (s workSource) SelectForBlock(w int) []mempool.BlockTx {
	return s.n.Pool.SelectForBlock(w)
}
func (s workSource) MempoolSeq() uint64 { return s.n.poolSeq.Load() }

// setupStratum builds the template manager, registers the mining RPC
// methods and, when configured, the Stratum server.
func (n *Node) setupStratum() error {
	cfg := n.cfg.StratumConfig
	mgr, err := mining.NewManager(mining.ManagerConfig{Params: n.cfg.Params, Source: workSource{n},
		Refresh: cfg.TemplateRefresh, Logger: n.log.With("svc", "mining"), Now: n.cfg.Now})
	if err != nil {
		return err
	}
	n.miningMgr = mgr
	n.Chain.Subscribe(func(chain.Notification) { mgr.TipChanged() })
	n.services = append(n.services, mgr)
	r := &mining.RPC{Manager: mgr, Backend: proposalBackend{n}, Now: func() int64 { return n.cfg.Now().Unix() }}
	if err := r.Register(n.RPC); err != nil {
		return err
	}
	if cfg.Mine {
		if _, err := address.Decode(cfg.MineAddress, n.cfg.Params.Bech32HRP); err != nil {
			return fmt.Errorf("node: -mineaddress: %w", err)
		}
		if cfg.StratumListen == "" {
			cfg.StratumListen = "127.0.0.1:0"
		}
	}
	if cfg.StratumListen == "" {
		return nil
	}
	scfg := stratum.Config{Params: n.cfg.Params, Manager: mgr, Submit: n.SubmitBlock, Listen: cfg.StratumListen,
		Mode: stratum.Mode(cfg.StratumMode), StartDifficulty: cfg.StratumDifficulty,
		Vardiff: stratum.VardiffConfig{ShareInterval: cfg.StratumShareInterval},
		Logger:  n.log.With("svc", "stratum"), Now: n.cfg.Now}
	if cfg.StratumPoolAddress != "" {
		if scfg.PoolPayout, err = address.Decode(cfg.StratumPoolAddress, n.cfg.Params.Bech32HRP); err != nil {
			return err
		}
	}
	if n.stratum, err = stratum.New(scfg); err != nil {
		return err
	}
	n.services = append(n.services, n.stratum)
	if cfg.Mine {
		n.services = append(n.services, &localMiner{n: n, user: cfg.MineAddress, threads: cfg.MineThreads})
	}
	st := n.stratum
	for _, m := range []struct {
		name, help string
		f          func() float64
	}{
		{"ballast_stratum_connections", "Stratum connections.", func() float64 { return float64(st.Stats().Connections) }},
		{"ballast_stratum_shares_accepted", "Accepted Stratum shares.", func() float64 { return float64(st.Stats().Accepted) }},
		{"ballast_stratum_shares_rejected", "Rejected Stratum shares.", func() float64 { return float64(st.Stats().Rejected) }},
		{"ballast_stratum_shares_stale", "Stale Stratum shares.", func() float64 { return float64(st.Stats().Stale) }},
		{"ballast_stratum_blocks_found", "Blocks found through Stratum.", func() float64 { return float64(st.Stats().Blocks) }},
	} {
		n.metrics.NewGaugeFunc(m.name, m.help, m.f)
	}
	return n.RPC.Register(rpc.Method{Name: "getstratuminfo", Category: "Mining",
		Help:   "Returns the Stratum server's address, mode, share counters, per-worker statistics and found blocks.",
		Result: "{\"address\", \"mode\", \"connections\", \"accepted\", \"rejected\", \"stale\", \"blocks\", \"workers\", \"found\"}",
		Handler: func(ctx context.Context, _ *rpc.Request) (any, error) {
			out := struct {
				Address string `json:"address"`
				stratum.Stats
			}{Stats: st.Stats()}
			if a := st.Addr(ctx); a != nil {
				out.Address = a.String()
			}
			return out, nil
		}})
}

// localMiner is ballast node -mine: the CPU miner connected to the node's
// own Stratum server, reconnecting if the connection drops.
type localMiner struct {
	n       *Node
	user    string
	threads int
}

func (m *localMiner) Run(ctx context.Context) error {
	a := m.n.stratum.Addr(ctx)
	if a == nil {
		return nil // stopped before listening
	}
	threads := m.threads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	log := m.n.log.With("svc", "miner")
	log.Info("mining", "kernel", miner.KernelName(), "threads", threads, "payout", m.user)
	for ctx.Err() == nil {
		err := m.mineOnce(ctx, a.String(), threads, log)
		if ctx.Err() != nil {
			return nil
		}
		log.Warn("miner disconnected; retrying", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	return nil
}

func (m *localMiner) mineOnce(ctx context.Context, addr string, threads int, log *slog.Logger) error {
	c, err := stratum.Dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Subscribe(ctx, "ballast-node-miner/0.1"); err != nil {
		return err
	}
	if _, err := c.Call(ctx, "mining.authorize", m.user, "x"); err != nil {
		return err
	}
	return miner.MineStratum(ctx, miner.StratumConfig{Client: c, Worker: m.user, Threads: threads, Logger: log})
}

// Stratum returns the Stratum server, or nil when it is disabled.
func (n *Node) Stratum() *stratum.Server { return n.stratum }

// MiningManager returns the block work manager.
func (n *Node) MiningManager() *mining.Manager { return n.miningMgr }

// proposalBackend checks BIP23 proposals and submits blocks.
type proposalBackend struct{ n *Node }

func (b proposalBackend) SubmitBlock(m *wire.Block) (chain.Outcome, error) { return b.n.SubmitBlock(m) }

// CheckProposal runs every stage on a block extending the tip, with its
// proof of work taken as met, on a throwaway UTXO view.
func (b proposalBackend) CheckProposal(m *wire.Block) error {
	blk := consensus.NewBlock(m)
	if bi, err := b.n.Chain.BlockInfo(blk.Hash); err == nil {
		if bi.Invalid {
			return chain.ErrKnownInvalid
		}
		return chain.ErrDuplicateBlock
	} else if !errors.Is(err, chain.ErrUnknownBlock) {
		return err
	}
	p := b.n.cfg.Params
	tip := b.n.Chain.Tip()
	blk.Hash = chainhash.Hash{} // proposals carry no proof of work
	if err := consensus.CheckBlockSanity(blk, p); err != nil {
		return err
	}
	if err := consensus.CheckHeaderPositional(&m.Header, &tip, p, b.n.cfg.Now().Unix()); err != nil {
		return err
	}
	if err := consensus.CheckBlockPositional(blk, &tip); err != nil {
		return err
	}
	_, err := consensus.ConnectBlock(blk, &tip, consensus.NewUtxoView(b.n.Chain), p, b.n.Chain.MedianTimePast,
		consensus.Options{Workers: b.n.cfg.SigWorkers})
	return err
}
