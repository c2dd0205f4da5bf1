package wallet

import (
	"encoding/hex"
	"os"
	"path/filepath"

	"github.com/ballast-chain/ballast/internal/wallet/hd"
)

// CreateOptions describe a new wallet.
type CreateOptions struct {
	// Kind is KindKey (default), KindWatch or KindMultisig.
	Kind string
	// Mnemonic restores a wallet; empty makes a new 24-word one (key and
	// multisig wallets with private keys).
	Mnemonic hd.Mnemonic
	// SeedPassphrase is BIP39's optional passphrase (the "25th word").
	SeedPassphrase Passphrase
	// Passphrase encrypts the wallet file; empty leaves it unencrypted.
	Passphrase Passphrase
	// Xpub is a watch-only wallet's account key (m/86'/coin'/0').
	Xpub string
	// Threshold and Cosigners make a multisig wallet: the cosigners'
	// account xpubs (m/48'/coin'/0'/4'). With NoPrivateKeys false, the
	// wallet's own account xpub is added to them.
	Threshold int
	Cosigners []string
	// NoPrivateKeys makes a multisig wallet that only watches.
	NoPrivateKeys bool
	// BirthHeight is where the first scan starts (restores: 0).
	BirthHeight int32
}

// Create makes a new wallet, writes it and loads it. It returns the
// mnemonic of a new key or multisig wallet, for the user to write down.
func (m *Manager) Create(name string, o CreateOptions) (*Wallet, hd.Mnemonic, error) {
	if err := checkName(name); err != nil {
		return nil, "", err
	}
	path := m.pathOf(name)
	if _, err := os.Stat(path); err == nil {
		return nil, "", errf(ErrAlreadyExists, "Wallet %q already exists.", name)
	}
	if o.Kind == "" {
		o.Kind = KindKey
	}
	net := m.cfg.Params.Name
	_, pubV := hd.Versions(net)
	f := &fileData{Version: 1, Network: net, Kind: o.Kind, Created: m.cfg.Now().Unix(), BirthHeight: o.BirthHeight,
		TipHeight: o.BirthHeight - 1}
	mn := o.Mnemonic
	withKeys := o.Kind == KindKey || (o.Kind == KindMultisig && !o.NoPrivateKeys)
	if withKeys {
		if mn == "" {
			var err error
			if mn, err = hd.NewMnemonic(24); err != nil {
				return nil, "", err
			}
		} else if _, err := hd.ParseMnemonic(mn.Reveal()); err != nil {
			return nil, "", wrapf(ErrInvalidParameter, err, "mnemonic")
		}
		sec := &secrets{Mnemonic: mn.Reveal(), SeedPassphrase: string(o.SeedPassphrase)}
		acct, fp, err := accountFromSecrets(sec, net, o.Kind)
		if err != nil {
			return nil, "", err
		}
		f.AccountXpub = acct.Neuter(pubV).Base58()
		f.MasterFingerprint = hex.EncodeToString(fp[:])
		if f.Secret, err = seal(sec, o.Passphrase, m.cfg.KDF); err != nil {
			return nil, "", wrapf(ErrWallet, err, "encrypting wallet")
		}
	}
	switch o.Kind {
	case KindKey:
	case KindWatch:
		k, err := hd.ParseExtendedKey(o.Xpub)
		if err != nil || k.IsPrivate() {
			return nil, "", errf(ErrInvalidParameter, "watch-only wallets need an account xpub")
		}
		f.AccountXpub = k.Base58()
	case KindMultisig:
		cos := append([]string(nil), o.Cosigners...)
		if withKeys {
			cos = append(cos, f.AccountXpub)
		}
		for _, c := range cos {
			k, err := hd.ParseExtendedKey(c)
			if err != nil || k.IsPrivate() {
				return nil, "", errf(ErrInvalidParameter, "cosigner keys must be xpubs")
			}
		}
		if o.Threshold < 1 || o.Threshold > len(cos) || len(cos) > 15 {
			return nil, "", errf(ErrInvalidParameter, "threshold %d of %d cosigners (1..15)", o.Threshold, len(cos))
		}
		f.Threshold, f.Cosigners = o.Threshold, cos
	default:
		return nil, "", errf(ErrInvalidParameter, "unknown wallet kind %q", o.Kind)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, "", wrapf(ErrWallet, err, "wallet directory")
	}
	w := &Wallet{name: name, path: path, m: m, f: f}
	if err := w.init(); err != nil {
		return nil, "", err
	}
	if err := w.save(); err != nil {
		return nil, "", err
	}
	w2, err := m.add(name, f)
	if err != nil {
		return nil, "", err
	}
	return w2, mn, nil
}
