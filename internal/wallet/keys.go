package wallet

import (
	"bytes"
	"sort"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wallet/hd"
	"github.com/ballast-chain/ballast/internal/wire"
)

// lockKey is a map key for a key or policy lock.
type lockKey [33]byte

func keyOf(l wire.Lock) (lockKey, bool) {
	var k lockKey
	if (l.Kind != wire.LockKey && l.Kind != wire.LockPolicy) || len(l.Data) != 32 {
		return k, false
	}
	k[0] = byte(l.Kind)
	copy(k[1:], l.Data)
	return k, true
}

// addrInfo is one derived lock of the wallet.
type addrInfo struct {
	chain, index uint32
	lock         wire.Lock
	policy       *policy.Node // multisig wallets
	keys         [][32]byte   // the x-only keys involved; ours first for key wallets
}

// keyPath says where one of our own x-only keys comes from.
type keyPath struct{ chain, index uint32 }

// deriver makes the wallet's locks from public keys only.
type deriver struct {
	kind      string
	threshold int
	chains    [][2]*hd.ExtendedKey // per cosigner (one for key wallets): account/0 and account/1
	own       int                  // index in chains of our own account key, -1 if none
}

func newDeriver(kind string, threshold int, accounts []*hd.ExtendedKey, own int) (*deriver, error) {
	d := &deriver{kind: kind, threshold: threshold, own: own}
	for _, a := range accounts {
		var c [2]*hd.ExtendedKey
		for ch := range 2 {
			k, err := a.Child(uint32(ch))
			if err != nil {
				return nil, err
			}
			c[ch] = k
		}
		d.chains = append(d.chains, c)
	}
	return d, nil
}

func (d *deriver) derive(chain, index uint32) (addrInfo, error) {
	ai := addrInfo{chain: chain, index: index}
	for _, c := range d.chains {
		k, err := c[chain].Child(index)
		if err != nil {
			return ai, err
		}
		ai.keys = append(ai.keys, k.XOnly())
	}
	if d.kind != KindMultisig {
		ai.lock = wire.KeyLock(ai.keys[0])
		return ai, nil
	}
	sorted := append([][32]byte(nil), ai.keys...)
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i][:], sorted[j][:]) < 0 })
	kids := make([]*policy.Node, len(sorted))
	for i, k := range sorted {
		kids[i] = policy.NewKey(k)
	}
	ai.policy = policy.NewThresh(d.threshold, kids...)
	if err := ai.policy.Validate(); err != nil {
		return ai, wrapf(ErrInvalidParameter, err, "multisig policy")
	}
	ai.lock = wire.PolicyLock(ai.policy.Hash())
	return ai, nil
}

// signer signs with the unlocked wallet's keys. It is used under the
// wallet's mutex and not kept past it.
type signer struct {
	keys  *keyCache
	paths map[[32]byte]keyPath
	// finalizing skips BIP340's verification of each new signature (the
	// defence against faults leaking the key) because the caller finalizes
	// the packet at once, and Finalize verifies every witness with
	// policy.VerifySpend before a transaction can leave the wallet.
	finalizing bool
}

func (s *signer) HasKey(pub [32]byte) bool { _, ok := s.paths[pub]; return ok }

func (s *signer) Sign(pub [32]byte, h [32]byte) ([64]byte, error) {
	p, ok := s.paths[pub]
	if !ok {
		return [64]byte{}, errf(ErrWallet, "not a wallet key")
	}
	priv, err := s.keys.priv(p)
	if err != nil {
		return [64]byte{}, err
	}
	var opts []schnorr.SignOption
	if s.finalizing {
		opts = append(opts, schnorr.FastSign())
	}
	sig, err := schnorr.Sign(priv, h[:], opts...)
	if err != nil {
		return [64]byte{}, err
	}
	return [64]byte(sig.Serialize()), nil
}

func (s *signer) Preimage([32]byte) ([]byte, bool) { return nil, false }

// accountFromSecrets derives the private account key of a wallet.
func accountFromSecrets(sec *secrets, network, kind string) (*hd.ExtendedKey, [4]byte, error) {
	m, err := hd.ParseMnemonic(sec.Mnemonic)
	if err != nil {
		return nil, [4]byte{}, err
	}
	privV, _ := hd.Versions(network)
	master, err := hd.NewMaster(m.Seed(sec.SeedPassphrase), privV)
	if err != nil {
		return nil, [4]byte{}, err
	}
	path := hd.KeyAccountPath(hd.CoinType(network), 0)
	if kind == KindMultisig {
		path = hd.MultisigAccountPath(hd.CoinType(network), 0)
	}
	acct, err := master.Derive(path)
	return acct, master.Fingerprint(), err
}
