package wallet

import (
	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/ballast-chain/ballast/internal/wallet/hd"
)

// keyCache holds the private keys of an unlocked wallet: the account key,
// its two chain keys and every address key derived so far. Deriving a
// non-hardened child of a private key costs two scalar multiplications
// (the parent's public key for the HMAC and for the fingerprint), so
// deriving account/chain/index for every input was most of the time spent
// signing; the cache makes a key's derivation a one-time cost per unlock.
// zero overwrites every secret in it; the wallet calls it on lock, unload
// and shutdown. All use is under the wallet's mutex.
type keyCache struct {
	acct   *hd.ExtendedKey
	chains [2]*hd.ExtendedKey
	keys   map[keyPath]*btcec.PrivateKey
}

func newKeyCache(acct *hd.ExtendedKey) *keyCache {
	return &keyCache{acct: acct, keys: make(map[keyPath]*btcec.PrivateKey)}
}

// priv returns the private key at account/chain/index.
func (c *keyCache) priv(p keyPath) (*btcec.PrivateKey, error) {
	if k := c.keys[p]; k != nil {
		return k, nil
	}
	if p.chain > 1 {
		return nil, errf(ErrWallet, "chain %d out of range", p.chain)
	}
	ck := c.chains[p.chain]
	if ck == nil {
		var err error
		if ck, err = c.acct.Child(p.chain); err != nil {
			return nil, err
		}
		c.chains[p.chain] = ck
	}
	child, err := ck.Child(p.index)
	if err != nil {
		return nil, err
	}
	k, err := child.PrivKey()
	child.Zero()
	if err != nil {
		return nil, err
	}
	c.keys[p] = k
	return k, nil
}

// zero overwrites and drops every key.
func (c *keyCache) zero() {
	if c == nil {
		return
	}
	for p, k := range c.keys {
		k.Zero()
		delete(c.keys, p)
	}
	for i, k := range c.chains {
		if k != nil {
			k.Zero()
		}
		c.chains[i] = nil
	}
	if c.acct != nil {
		c.acct.Zero()
		c.acct = nil
	}
}
