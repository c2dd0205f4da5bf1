package wallet

import (
	"encoding/hex"
	"time"

	"github.com/ballast-chain/ballast/internal/wallet/hd"
)

// MaxUnlockTime caps walletpassphrase's timeout (Core: 100,000,000 s).
const MaxUnlockTime = 100_000_000 * time.Second

// IsEncrypted reports whether the wallet file is encrypted.
func (w *Wallet) IsEncrypted() bool { return w.f.Secret != nil && w.f.Secret.Encrypted }

// UnlockedUntil returns when the wallet relocks (zero: locked, or never
// encrypted).
func (w *Wallet) UnlockedUntil() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.keys == nil {
		return time.Time{}
	}
	return w.relockAt
}

// signer returns the signer of an unlocked (or unencrypted) wallet.
// Called with mu held.
func (w *Wallet) signer() (*signer, error) {
	if w.f.Secret == nil {
		return nil, errf(ErrWatchOnly, "Error: Private keys are disabled for this wallet")
	}
	if w.keys != nil && !w.relockAt.IsZero() && w.m.cfg.Now().After(w.relockAt) {
		w.lockKeys()
	}
	if w.keys == nil {
		if w.f.Secret.Encrypted {
			return nil, errf(ErrLocked, "Error: Please enter the wallet passphrase with walletpassphrase first.")
		}
		if err := w.openSecrets(""); err != nil {
			return nil, err
		}
	}
	return &signer{keys: w.keys, paths: w.paths}, nil
}

func (w *Wallet) openSecrets(pass Passphrase) error {
	sec, err := w.f.Secret.open(pass)
	if err != nil {
		return err
	}
	acct, fp, err := accountFromSecrets(sec, w.f.Network, w.f.Kind)
	*sec = secrets{}
	if err != nil {
		return err
	}
	if hex.EncodeToString(fp[:]) != w.f.MasterFingerprint {
		return errf(ErrCorrupt, "secret does not match the wallet's keys")
	}
	w.keys.zero()
	w.keys = newKeyCache(acct)
	return nil
}

// lockKeys overwrites and forgets every private key. Called with mu held.
func (w *Wallet) lockKeys() {
	w.keys.zero()
	w.keys, w.relockAt = nil, time.Time{}
}

// Unlock decrypts the keys for timeout (walletpassphrase).
func (w *Wallet) Unlock(pass Passphrase, timeout time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.IsEncrypted() {
		return errf(ErrWrongEncState, "Error: running with an unencrypted wallet, but walletpassphrase was called.")
	}
	if pass == "" {
		return errf(ErrInvalidParameter, "passphrase cannot be empty")
	}
	timeout = min(max(timeout, 0), MaxUnlockTime)
	if err := w.openSecrets(pass); err != nil {
		return err
	}
	w.relockAt = w.m.cfg.Now().Add(timeout)
	return nil
}

// Lock relocks the wallet now (walletlock).
func (w *Wallet) Lock() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.IsEncrypted() {
		return errf(ErrWrongEncState, "Error: running with an unencrypted wallet, but walletlock was called.")
	}
	w.lockKeys()
	return nil
}

// Encrypt encrypts an unencrypted wallet and locks it (encryptwallet).
func (w *Wallet) Encrypt(pass Passphrase) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f.Secret == nil {
		return errf(ErrWrongEncState, "Error: wallet does not contain private keys, nothing to encrypt.")
	}
	if w.f.Secret.Encrypted {
		return errf(ErrWrongEncState, "Error: running with an encrypted wallet, but encryptwallet was called.")
	}
	if pass == "" {
		return errf(ErrInvalidParameter, "passphrase cannot be empty")
	}
	return w.reseal("", pass)
}

// ChangePassphrase re-encrypts under a new passphrase (walletpassphrasechange).
func (w *Wallet) ChangePassphrase(old, pass Passphrase) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.IsEncrypted() {
		return errf(ErrWrongEncState, "Error: running with an unencrypted wallet, but walletpassphrasechange was called.")
	}
	if pass == "" {
		return errf(ErrInvalidParameter, "passphrase cannot be empty")
	}
	return w.reseal(old, pass)
}

func (w *Wallet) reseal(old, pass Passphrase) error {
	sec, err := w.f.Secret.open(old)
	if err != nil {
		return err
	}
	prev := w.f.Secret
	if w.f.Secret, err = seal(sec, pass, w.m.cfg.KDF); err != nil {
		w.f.Secret = prev
		return wrapf(ErrWallet, err, "Error: Failed to encrypt the wallet.")
	}
	*sec = secrets{}
	w.lockKeys()
	if err := w.save(); err != nil {
		w.f.Secret = prev
		return err
	}
	return nil
}

// Mnemonic returns the wallet's mnemonic; the wallet must be unlocked
// (or unencrypted) and pass must open it again.
func (w *Wallet) Mnemonic(pass Passphrase) (hd.Mnemonic, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f.Secret == nil {
		return "", errf(ErrWatchOnly, "Error: Private keys are disabled for this wallet")
	}
	sec, err := w.f.Secret.open(pass)
	if err != nil {
		return "", err
	}
	return hd.Mnemonic(sec.Mnemonic), nil
}
