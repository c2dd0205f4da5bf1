package wallet

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Chain is what the wallet reads of the node's chain.
type Chain interface {
	Tip() (int32, chainhash.Hash)
	BlockHash(height int32) (chainhash.Hash, error)
	Block(hash chainhash.Hash) (*wire.Block, error)
}

// Mempool is where the wallet sends transactions and asks for fee rates.
type Mempool interface {
	Accept(tx *wire.Tx) error
	Has(txid chainhash.Hash) bool
	// EstimateFeeRate returns base units per 1,000 vbytes to confirm
	// within target blocks, or an error without enough data.
	EstimateFeeRate(target int) (int64, error)
}

// Config configures a Manager.
type Config struct {
	// Dir holds one directory per wallet (required): <datadir>/<network>/wallets.
	Dir string
	// Params is the network (required).
	Params *params.Params
	// Chain and Mempool are the node's (required).
	Chain   Chain
	Mempool Mempool
	// GapLimit is how many unused locks are watched past the last used
	// one on each chain (0: 20, BIP44's).
	GapLimit int
	// FallbackFee is the fee rate (per 1,000 vbytes) when estimation has
	// too little data; 0 disables it (Core's -fallbackfee; the node sets
	// 20,000 on regtest, as Core's regtest does).
	FallbackFee int64
	// KDF is argon2id's cost for new passphrases (zero: the defaults).
	KDF KDF
	// Logger gets wallet events, never secrets (nil discards); Now is the clock.
	Logger *slog.Logger
	Now    func() time.Time
}

// Validate checks the configuration and fills defaults.
func (c *Config) Validate() error {
	if c.Dir == "" || c.Params == nil || c.Chain == nil || c.Mempool == nil {
		return errors.New("wallet: Dir, Params, Chain and Mempool are required")
	}
	if c.GapLimit == 0 {
		c.GapLimit = 20
	}
	if c.GapLimit < 1 || c.GapLimit > 10_000 {
		return errors.New("wallet: gap limit must be 1..10000")
	}
	if c.FallbackFee < 0 {
		return errors.New("wallet: negative fallback fee")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// Manager holds a node's loaded wallets.
type Manager struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex
	wallets map[string]*Wallet
}

// NewManager returns a manager with no wallet loaded.
func NewManager(cfg Config) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, err
	}
	return &Manager{cfg: cfg, log: cfg.Logger, wallets: make(map[string]*Wallet)}, nil
}

// Params returns the network.
func (m *Manager) Params() *params.Params { return m.cfg.Params }

// checkName refuses names that would escape the wallets directory.
func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`+"\x00") || len(name) > 200 {
		return errf(ErrInvalidParameter, "Invalid wallet name %q", name)
	}
	return nil
}

func (m *Manager) pathOf(name string) string { return filepath.Join(m.cfg.Dir, name, FileName) }

// OnBlock follows the chain (subscribe it to the chain's notifications).
func (m *Manager) OnBlock(connected bool, b *wire.Block, height int32) {
	for _, w := range m.List() {
		w.onBlock(connected, b, height)
	}
}

// notifyOthers records a transaction one wallet broadcast in the other
// loaded wallets it pays (wallets of one node see each other's payments
// before they confirm).
func (m *Manager) notifyOthers(from *Wallet, tx *wire.Tx) {
	for _, w := range m.List() {
		if w == from {
			continue
		}
		w.mu.Lock()
		if w.addTx(tx, -1, chainhash.Hash{}, 0, 0) {
			w.saveOrLog()
		}
		w.mu.Unlock()
	}
}

// Get returns a loaded wallet by name. With name "" it returns the only
// loaded wallet (Core's default-wallet rule).
func (m *Manager) Get(name string, named bool) (*Wallet, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if named {
		if w := m.wallets[name]; w != nil {
			return w, nil
		}
		return nil, errf(ErrNotFound, "Requested wallet does not exist or is not loaded")
	}
	switch len(m.wallets) {
	case 0:
		return nil, errf(ErrNotFound, "No wallet is loaded. Load a wallet using loadwallet or create a new one with createwallet. (Note: A default wallet is no longer automatically created)")
	case 1:
		for _, w := range m.wallets {
			return w, nil
		}
	}
	return nil, errf(ErrNotSpecified, "Wallet file not specified (must request wallet RPC through /wallet/<filename> uri-path).")
}

// List returns the loaded wallets by name.
func (m *Manager) List() []*Wallet {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*Wallet, 0, len(m.wallets))
	for _, w := range m.wallets {
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// ListDir returns the names of the wallets on disk (listwalletdir).
func (m *Manager) ListDir() []string {
	var names []string
	entries, _ := os.ReadDir(m.cfg.Dir)
	for _, e := range entries {
		if _, err := os.Stat(m.pathOf(e.Name())); err == nil {
			names = append(names, e.Name())
		}
	}
	return names
}

// Load opens a wallet from disk and catches it up with the chain.
func (m *Manager) Load(name string) (*Wallet, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	m.mu.Lock()
	if m.wallets[name] != nil {
		m.mu.Unlock()
		return nil, errf(ErrAlreadyLoaded, "Wallet %q is already loaded.", name)
	}
	m.mu.Unlock()
	f, err := readFile(m.pathOf(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errf(ErrNotFound, "Wallet file verification failed. Failed to load database path '%s'. Path does not exist.", name)
	} else if err != nil {
		return nil, err
	}
	if f.Network != m.cfg.Params.Name {
		return nil, errf(ErrWallet, "wallet %q is for network %s", name, f.Network)
	}
	return m.add(name, f)
}

func (m *Manager) add(name string, f *fileData) (*Wallet, error) {
	w := &Wallet{name: name, path: m.pathOf(name), m: m, f: f}
	if err := w.init(); err != nil {
		return nil, err
	}
	w.mu.Lock()
	err := w.catchUp()
	w.mu.Unlock()
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.wallets[name] != nil {
		return nil, errf(ErrAlreadyLoaded, "Wallet %q is already loaded.", name)
	}
	m.wallets[name] = w
	m.log.Info("wallet loaded", "wallet", name, "kind", f.Kind, "height", f.TipHeight)
	return w, nil
}

// Unload saves and closes a wallet.
func (m *Manager) Unload(name string) error {
	m.mu.Lock()
	w := m.wallets[name]
	delete(m.wallets, name)
	m.mu.Unlock()
	if w == nil {
		return errf(ErrNotFound, "Requested wallet does not exist or is not loaded")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lockKeys()
	return w.save()
}

// Run relocks wallets whose unlock time ran out and saves every wallet when
// ctx ends.
func (m *Manager) Run(ctx context.Context) error {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			for _, w := range m.List() {
				w.mu.Lock()
				w.lockKeys()
				w.saveOrLog()
				w.mu.Unlock()
			}
			return nil
		case <-t.C:
			now := m.cfg.Now()
			for _, w := range m.List() {
				w.mu.Lock()
				if w.keys != nil && !w.relockAt.IsZero() && now.After(w.relockAt) {
					w.lockKeys()
				}
				w.mu.Unlock()
			}
		}
	}
}
