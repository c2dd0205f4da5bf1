package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ballast-chain/ballast/internal/mempool"
	"github.com/ballast-chain/ballast/internal/node"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/rpc"
)

func nodeCommand() command {
	return command{
		name:    "node",
		summary: "run a full node (storage, chain, mempool, JSON-RPC, metrics)",
		run: func(ctx context.Context, args []string, env Env) error {
			cfg, err := parseNodeFlags("node", args, env)
			if err != nil {
				return err
			}
			n, err := node.New(*cfg)
			if err != nil {
				return err
			}
			return n.Run(ctx)
		},
	}
}

// listFlag collects repeated (or comma-separated) flag values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// nodeFlags are the flags shared by node and devnet.
type nodeFlags struct {
	fs            *flag.FlagSet
	network       string
	datadir       string
	conf          string
	rpcbind       listFlag
	rpcuser       string
	rpcpassword   string
	rpcauth       listFlag
	metrics       string
	txindex       bool
	addrindex     bool
	utxocacheMiB  int64
	dbcacheMiB    int64
	maxmempoolMB  int64
	mempoolExpiry time.Duration
	minRelayFee   int64
	sigworkers    int
	loadblock     listFlag
	loglevel      string
	logformat     string

	// Each subsystem's flags live in its own file.
	p2pFlags
	walletFlags
	stratumFlags
}

func newNodeFlags(name string, env Env, defaultNetwork string) *nodeFlags {
	f := &nodeFlags{fs: newFlagSet(name, env)}
	fs := f.fs
	fs.StringVar(&f.network, "network", defaultNetwork, "mainnet, testnet, regtest, or the path of a network file made by 'ballast genesis'")
	fs.StringVar(&f.datadir, "datadir", rpc.DefaultBaseDir(), "base data directory; the network's files go in <datadir>/<network>")
	fs.StringVar(&f.conf, "conf", "", "configuration file (default <datadir>/ballast.conf, if present)")
	fs.Var(&f.rpcbind, "rpcbind", "JSON-RPC listen address host:port (repeatable; default 127.0.0.1:<network RPC port>)")
	fs.StringVar(&f.rpcuser, "rpcuser", "", "JSON-RPC user name (with -rpcpassword; otherwise a cookie file is used)")
	fs.StringVar(&f.rpcpassword, "rpcpassword", "", "JSON-RPC password")
	fs.Var(&f.rpcauth, "rpcauth", "extra JSON-RPC credential in Core's rpcauth form user:salt$hash (repeatable)")
	fs.StringVar(&f.metrics, "metrics", "", "serve Prometheus metrics at http://<addr>/metrics (empty: off)")
	fs.BoolVar(&f.txindex, "txindex", false, "maintain a full transaction index (getrawtransaction for any tx)")
	fs.BoolVar(&f.addrindex, "addrindex", false, "maintain an address index (lock -> transactions)")
	fs.Int64Var(&f.utxocacheMiB, "utxocache", 256, "UTXO cache size in MiB")
	fs.Int64Var(&f.dbcacheMiB, "dbcache", 64, "database block cache size in MiB")
	fs.Int64Var(&f.maxmempoolMB, "maxmempool", 300, "mempool memory limit in MB")
	fs.DurationVar(&f.mempoolExpiry, "mempoolexpiry", 336*time.Hour, "drop mempool transactions older than this")
	fs.Int64Var(&f.minRelayFee, "minrelaytxfee", 1000, "minimum relay fee rate in base units per 1000 virtual bytes")
	fs.IntVar(&f.sigworkers, "sigworkers", 0, "signature verification goroutines (0: one per core)")
	fs.Var(&f.loadblock, "loadblock", "import blocks from a block file on start-up, as written by the dumpblocks RPC (repeatable)")
	fs.StringVar(&f.loglevel, "loglevel", "info", "debug, info, warn or error")
	fs.StringVar(&f.logformat, "logformat", "text", "text or json")
	f.addP2PFlags()
	f.addWalletFlags()
	f.addStratumFlags()
	return f
}

// resolveNetwork returns built-in parameters by name, or loads a network file.
func resolveNetwork(name string) (*params.Params, error) {
	if p, err := params.ByName(name); err == nil {
		return p, nil
	}
	if !strings.ContainsAny(name, "/.") {
		return nil, fmt.Errorf("%w: unknown network %q (mainnet, testnet, regtest or a network file)", errUsage, name)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return params.ParseFile(data)
}

// parse parses args, then fills every flag not given on the command line from
// the configuration file (global settings overridden by the network's
// [section]).
func (f *nodeFlags) parse(args []string) error {
	if err := parseFlags(f.fs, args); err != nil {
		return err
	}
	set := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	path := f.conf
	if path == "" {
		path = filepath.Join(f.datadir, "ballast.conf")
	}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist) && f.conf == "":
		return nil
	case err != nil:
		return fmt.Errorf("configuration file: %w", err)
	}
	cf, err := node.ParseConfFile(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	network := f.network
	if v, ok := cf.Global["network"]; ok && !set["network"] {
		network = v
	}
	for k, v := range cf.For(network) {
		if set[k] {
			continue
		}
		if k == "conf" || k == "datadir" {
			return fmt.Errorf("%s: %q cannot be set in the configuration file", path, k)
		}
		if f.fs.Lookup(k) == nil {
			return fmt.Errorf("%s: unknown setting %q", path, k)
		}
		if err := f.fs.Set(k, v); err != nil {
			return fmt.Errorf("%s: %s: %w", path, k, err)
		}
	}
	return nil
}

func (f *nodeFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.loglevel)); err != nil {
		return nil, fmt.Errorf("%w: -loglevel %q", errUsage, f.loglevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch f.logformat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("%w: -logformat must be text or json", errUsage)
}

// config turns parsed flags into a node configuration.
func (f *nodeFlags) config(env Env) (*node.Config, error) {
	p, err := resolveNetwork(f.network)
	if err != nil {
		return nil, err
	}
	log, err := f.logger(env.Stderr)
	if err != nil {
		return nil, err
	}
	if f.utxocacheMiB < 1 || f.dbcacheMiB < 1 || f.maxmempoolMB < 5 || f.minRelayFee < 0 || f.sigworkers < 0 {
		return nil, fmt.Errorf("%w: cache sizes must be >= 1 MiB, -maxmempool >= 5 MB, fees and workers >= 0", errUsage)
	}
	mcfg := mempool.DefaultConfig()
	cfg := &node.Config{}
	mcfg.MaxUsage = f.maxmempoolMB * 1_000_000
	mcfg.Expiry = f.mempoolExpiry
	mcfg.MinRelayFeeRate = mempool.FeeRate(f.minRelayFee)
	*cfg = node.Config{
		Params: p, DataDir: rpc.DataDir(f.datadir, p.Name),
		RPCListen: f.rpcbind, RPCUser: f.rpcuser, RPCPassword: rpc.Secret(f.rpcpassword), RPCAuth: f.rpcauth,
		MetricsListen: f.metrics, TxIndex: f.txindex, AddrIndex: f.addrindex,
		UtxoCacheBytes: f.utxocacheMiB << 20, DBCacheBytes: f.dbcacheMiB << 20,
		Mempool: mcfg, SigWorkers: f.sigworkers, LoadBlocks: f.loadblock, Logger: log,
	}
	for _, apply := range []func(*node.Config) error{f.applyP2P, f.applyWallet, f.applyStratum} {
		if err := apply(cfg); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

func parseNodeFlags(name string, args []string, env Env) (*node.Config, error) {
	f := newNodeFlags(name, env, "mainnet")
	if err := f.parse(args); err != nil {
		return nil, err
	}
	return f.config(env)
}
