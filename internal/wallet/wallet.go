package wallet

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wallet/hd"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Wallet is one loaded wallet. Its methods are safe for concurrent use.
type Wallet struct {
	name string
	path string
	m    *Manager

	mu      sync.Mutex
	f       *fileData
	d       *deriver
	addrs   map[lockKey]*addrInfo
	byIndex [2][]*addrInfo
	paths   map[[32]byte]keyPath // our own x-only keys
	txs     map[chainhash.Hash]*wtx
	owned   map[wire.OutPoint]*wtx // every output of ours ever seen, by outpoint
	locked  map[wire.OutPoint]bool // lockunspent
	persist map[wire.OutPoint]bool // locks kept in the file

	keys     *keyCache // the private keys while unlocked (nil: locked)
	relockAt time.Time
	dirty    int // blocks processed since the last save
}

// wtx is a wallet transaction.
type wtx struct {
	tx         *wire.Tx
	txid       chainhash.Hash
	blockHash  chainhash.Hash
	height     int32 // -1: unconfirmed
	blockTime  int64
	index      int
	received   int64
	abandoned  bool
	replacedBy chainhash.Hash
}

func (t *wtx) confirmed() bool { return t.height >= 0 }

// Name returns the wallet's name.
func (w *Wallet) Name() string { return w.name }

// Kind returns KindKey, KindWatch or KindMultisig.
func (w *Wallet) Kind() string { return w.f.Kind }

// HasPrivateKeys reports whether the wallet can sign.
func (w *Wallet) HasPrivateKeys() bool { return w.f.Secret != nil }

func (w *Wallet) hrp() string { return w.m.cfg.Params.Bech32HRP }

// init builds the in-memory state from the file.
func (w *Wallet) init() error {
	var accounts []*hd.ExtendedKey
	own := -1
	switch w.f.Kind {
	case KindKey, KindWatch:
		k, err := hd.ParseExtendedKey(w.f.AccountXpub)
		if err != nil {
			return wrapf(ErrCorrupt, err, "account key")
		}
		accounts, own = []*hd.ExtendedKey{k}, 0
		if w.f.Kind == KindWatch {
			own = -1
		}
	case KindMultisig:
		for i, s := range w.f.Cosigners {
			k, err := hd.ParseExtendedKey(s)
			if err != nil {
				return wrapf(ErrCorrupt, err, "cosigner %d", i)
			}
			if s == w.f.AccountXpub {
				own = i
			}
			accounts = append(accounts, k)
		}
	default:
		return errf(ErrCorrupt, "unknown wallet kind %q", w.f.Kind)
	}
	d, err := newDeriver(w.f.Kind, w.f.Threshold, accounts, own)
	if err != nil {
		return err
	}
	w.d = d
	w.addrs = make(map[lockKey]*addrInfo)
	w.paths = make(map[[32]byte]keyPath)
	w.txs = make(map[chainhash.Hash]*wtx)
	w.owned = make(map[wire.OutPoint]*wtx)
	w.locked = make(map[wire.OutPoint]bool)
	w.persist = make(map[wire.OutPoint]bool)
	if w.f.Labels == nil {
		w.f.Labels = make(map[string]string)
	}
	if err := w.extend(); err != nil {
		return err
	}
	for _, ft := range w.f.Txs {
		raw, err := hex.DecodeString(ft.Hex)
		if err != nil {
			return wrapf(ErrCorrupt, err, "transaction")
		}
		tx, err := wire.DecodeTx(raw)
		if err != nil {
			return wrapf(ErrCorrupt, err, "transaction")
		}
		t := &wtx{tx: tx, txid: tx.TxHash(), height: ft.Height, blockTime: ft.BlockTime, index: ft.Index,
			received: ft.Received, abandoned: ft.Abandoned}
		if ft.BlockHash != "" {
			h, err := chainhash.NewHashFromStr(ft.BlockHash)
			if err != nil {
				return wrapf(ErrCorrupt, err, "block hash")
			}
			t.blockHash = h
		}
		if ft.ReplacedBy != "" {
			if h, err := chainhash.NewHashFromStr(ft.ReplacedBy); err == nil {
				t.replacedBy = h
			}
		}
		w.insert(t)
	}
	for _, s := range w.f.Locked {
		if op, err := parseOutPoint(s); err == nil {
			w.locked[op], w.persist[op] = true, true
		}
	}
	return nil
}

// extend derives locks up to the gap limit past the highest used index on
// both chains and past the next index handed out. It reports nothing; the
// caller rescans a block when the set grew while processing it.
func (w *Wallet) extend() error {
	gap := w.m.cfg.GapLimit
	for ch := range 2 {
		want := max(w.f.Used[ch], w.f.Next[ch]) + gap
		for i := len(w.byIndex[ch]); i < want; i++ {
			ai, err := w.d.derive(uint32(ch), uint32(i))
			if err != nil {
				return err
			}
			k, _ := keyOf(ai.lock)
			w.addrs[k] = &ai
			w.byIndex[ch] = append(w.byIndex[ch], &ai)
			if w.d.own >= 0 {
				w.paths[ai.keys[w.d.own]] = keyPath{uint32(ch), uint32(i)}
			}
		}
	}
	return nil
}

// save writes the wallet file. Called with mu held.
func (w *Wallet) save() error {
	f := w.f
	f.Txs = f.Txs[:0]
	for _, t := range w.sortedTxs() {
		ft := fileTx{Hex: hex.EncodeToString(t.tx.Bytes()), Height: t.height, BlockTime: t.blockTime,
			Index: t.index, Received: t.received, Abandoned: t.abandoned}
		if t.confirmed() {
			ft.BlockHash = t.blockHash.String()
		}
		if !t.replacedBy.IsZero() {
			ft.ReplacedBy = t.replacedBy.String()
		}
		f.Txs = append(f.Txs, ft)
	}
	f.Locked = f.Locked[:0]
	for op := range w.persist {
		f.Locked = append(f.Locked, formatOutPoint(op))
	}
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(w.path, b); err != nil {
		return wrapf(ErrWallet, err, "saving wallet %q", w.name)
	}
	w.dirty = 0
	return nil
}

// Save writes the wallet file now.
func (w *Wallet) Save() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.save()
}

// Backup copies the wallet file to dest (backupwallet).
func (w *Wallet) Backup(dest string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.save(); err != nil {
		return err
	}
	b, err := os.ReadFile(w.path)
	if err != nil {
		return wrapf(ErrWallet, err, "reading wallet file")
	}
	if abs, _ := filepath.Abs(dest); abs == w.path {
		return errf(ErrWallet, "backup destination is the wallet file itself")
	}
	if err := writeFileAtomic(dest, b); err != nil {
		return wrapf(ErrWallet, err, "Error: Wallet backup failed!")
	}
	return nil
}
