package node

import (
	"path/filepath"

	"github.com/ballast-chain/ballast/internal/chain"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wallet"
	"github.com/ballast-chain/ballast/internal/wallet/walletrpc"
	"github.com/ballast-chain/ballast/internal/wire"
)

// WalletConfig configures the node's wallet subsystem.
type WalletConfig struct {
	// DisableWallet turns the wallet off (Core's -disablewallet).
	DisableWallet bool
	// Wallets are loaded at start (Core's -wallet), from
	// <datadir>/<network>/wallets/<name>/.
	Wallets []string
	// FallbackFee is the fee rate per 1,000 vbytes when estimation lacks
	// data; 0 means 20,000 on regtest and disabled elsewhere, as Core.
	FallbackFee int64
	// WalletKDF sets argon2id's cost for new passphrases (zero: defaults).
	WalletKDF wallet.KDF
}

// walletPart is the node's wallet state.
type walletPart struct {
	Wallets *wallet.Manager
}

type walletChain struct{ c *chain.Chain }

func (w walletChain) Tip() (int32, chainhash.Hash)                { t := w.c.Tip(); return t.Height, t.Hash }
func (w walletChain) BlockHash(h int32) (chainhash.Hash, error)   { return w.c.BlockHash(h) }
func (w walletChain) Block(h chainhash.Hash) (*wire.Block, error) { return w.c.Block(h) }

type walletPool struct{ n *Node }

func (w walletPool) Accept(tx *wire.Tx) error {
	_, err := w.n.Pool.Accept(tx)
	if err == nil {
		w.n.poolSeq.Add(1)
	}
	return err
}
func (w walletPool) Has(txid chainhash.Hash) bool { return w.n.Pool.Has(txid) }
func (w walletPool) EstimateFeeRate(target int) (int64, error) {
	est, err := w.n.Pool.EstimateSmartFee(target, false)
	return int64(est.FeeRate), err
}

// setupWallet builds the wallet manager, follows the chain, loads the
// configured wallets and registers the wallet RPC methods.
func (n *Node) setupWallet() error {
	if n.cfg.DisableWallet {
		return nil
	}
	fallback := n.cfg.FallbackFee
	if fallback == 0 && n.cfg.Params.Name == "regtest" {
		fallback = 20_000
	}
	m, err := wallet.NewManager(wallet.Config{
		Dir: filepath.Join(n.cfg.DataDir, "wallets"), Params: n.cfg.Params,
		Chain: walletChain{n.Chain}, Mempool: walletPool{n}, FallbackFee: fallback, KDF: n.cfg.WalletKDF,
		Logger: n.log.With("svc", "wallet"), Now: n.cfg.Now,
	})
	if err != nil {
		return err
	}
	n.Wallets = m
	n.Chain.Subscribe(func(note chain.Notification) { m.OnBlock(note.Connected, note.Block, note.Height) })
	for _, name := range n.cfg.Wallets {
		if _, err := m.Load(name); err != nil {
			return err
		}
	}
	for _, meth := range walletrpc.Methods(m) {
		if err := n.RPC.Register(meth); err != nil {
			return err
		}
	}
	n.services = append(n.services, m)
	return nil
}
