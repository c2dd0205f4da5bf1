package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/mining"
	"github.com/ballast-chain/ballast/internal/node"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/rpc"
	"github.com/ballast-chain/ballast/internal/wire"
	"golang.org/x/sync/errgroup"
)

func devnetCommand() command {
	return command{
		name:    "devnet",
		summary: "run a local regtest network: node, miner, wallet, Stratum, example asset and exchange",
		run:     runDevnet,
	}
}

// runDevnet starts a regtest node in a fresh (or given) data directory, mines
// past coinbase maturity, then mines a block every -interval, and tells the
// user how to talk to it.
func runDevnet(ctx context.Context, args []string, env Env) error {
	f := newNodeFlags("devnet", env, "regtest")
	interval := f.fs.Duration("interval", 5*time.Second, "time between mined blocks")
	fresh := f.fs.Bool("fresh", false, "use a new temporary data directory (ignores -datadir)")
	f.datadir = ""
	f.fs.Lookup("datadir").DefValue = "(a new temporary directory)"
	if err := f.parse(args); err != nil {
		return err
	}
	if *interval < 100*time.Millisecond {
		return fmt.Errorf("%w: -interval must be at least 100ms", errUsage)
	}
	if f.network != "regtest" {
		return fmt.Errorf("%w: devnet runs regtest only", errUsage)
	}
	if f.datadir == "" || *fresh {
		dir, err := os.MkdirTemp("", "ballast-devnet-")
		if err != nil {
			return err
		}
		f.datadir = dir
	}
	cfg, err := f.config(env)
	if err != nil {
		return err
	}
	n, err := node.New(*cfg)
	if err != nil {
		return err
	}
	key, err := devnetKey(cfg.DataDir)
	if err != nil {
		n.Close()
		return err
	}
	lock := wire.KeyLock(policy.XOnly(key))
	addr, err := address.Encode(cfg.Params.Bech32HRP, lock)
	if err != nil {
		n.Close()
		return err
	}
	listen := "127.0.0.1:" + fmt.Sprint(cfg.Params.RPCPort)
	if len(cfg.RPCListen) > 0 {
		listen = cfg.RPCListen[0]
	}
	fmt.Fprintf(env.Stdout, `Ballast devnet (regtest)
  data directory  %s
  JSON-RPC        http://%s/  (user/password in the cookie file %s)
  miner address   %s  (key in %s)

Try:
  ballast rpc -network regtest -datadir %s getblockchaininfo
  curl --user "$(cat %s)" --data-binary '{"jsonrpc":"2.0","id":1,"method":"getblockcount"}' http://%s/

Mining a block every %s. Ctrl-C stops.
`, f.datadir, listen, rpc.CookiePath(cfg.DataDir), addr, filepath.Join(cfg.DataDir, devnetKeyFile),
		f.datadir, rpc.CookiePath(cfg.DataDir), listen, *interval)

	dc := &devnet{node: n, cfg: cfg, env: env, minerLock: lock}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return n.Run(gctx) })
	g.Go(func() error { return dc.mine(gctx, *interval) })
	return g.Wait()
}

// devnet is what the devnet's parts (wallet, Stratum, assets, exchange, web
// UI) share; each part lives in its own devnet_*.go file.
type devnet struct {
	node      *node.Node
	cfg       *node.Config
	env       Env
	minerLock wire.Lock
}

// devnetPart runs once the chain is past coinbase maturity; it may print
// what it set up and return a long-running function (or nil).
type devnetPart func(ctx context.Context) (run func(context.Context) error, err error)

func (d *devnet) parts() []devnetPart {
	return []devnetPart{d.walletPart, d.stratumPart, d.assetsPart, d.exchangePart}
}

// mine mines past maturity at once, starts the devnet's parts, then mines a
// block every interval.
func (d *devnet) mine(ctx context.Context, interval time.Duration) error {
	n, lock, env := d.node, d.minerLock, d.env
	p := n.Chain.Params()
	mine := func() error {
		tip := n.Chain.Tip()
		var txs []mining.TemplateTx
		for _, t := range n.Pool.SelectForBlock(wire.MaxBlockWeight - 8000) {
			txs = append(txs, mining.TemplateTx{Tx: t.Tx, Fee: t.Fee})
		}
		t, err := mining.NewTemplate(mining.TemplateConfig{Params: p, Parent: tip, Payout: lock,
			Now: time.Now().Unix(), CoinbaseTag: []byte("/ballast-devnet/")}, txs)
		if err != nil {
			return err
		}
		if _, err := mining.Solve(ctx, t, 0); err != nil {
			return err
		}
		_, err = n.SubmitBlock(t.Block)
		return err
	}
	// Past maturity by enough blocks that the devnet's parts (wallet
	// funding, asset issuance) have matured coinbases to spend: 25 blocks
	// of 50 coins.
	const devnetMatured = 25
	for n.Chain.Tip().Height < p.CoinbaseMaturity+devnetMatured {
		if err := mine(); err != nil {
			return devnetErr(ctx, err)
		}
	}
	fmt.Fprintf(env.Stdout, "height %d: coinbase outputs are spendable\n", n.Chain.Tip().Height)
	g, gctx := errgroup.WithContext(ctx)
	for _, part := range d.parts() {
		run, err := part(ctx)
		if err != nil {
			return err
		}
		if run != nil {
			g.Go(func() error { return run(gctx) })
		}
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return g.Wait()
		case <-t.C:
			if err := mine(); err != nil {
				return devnetErr(ctx, err)
			}
			tip := n.Chain.Tip()
			fmt.Fprintf(env.Stdout, "mined block %d %s\n", tip.Height, tip.Hash)
		}
	}
}

func devnetErr(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil
	}
	return err
}

const devnetKeyFile = "devnet-miner.key"

// devnetKey loads the devnet miner's key from the data directory, creating
// it on first start. (The wallet replaces this once it exists.)
func devnetKey(dir string) (*btcec.PrivateKey, error) {
	path := filepath.Join(dir, devnetKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		b = make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	if len(b) != 32 {
		return nil, fmt.Errorf("devnet key %s: %d bytes, want 32", path, len(b))
	}
	k, _ := btcec.PrivKeyFromBytes(b)
	return k, nil
}
