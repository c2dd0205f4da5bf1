package wallet

import (
	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/ballast-chain/ballast/internal/wallet/hd"
	"github.com/ballast-chain/ballast/internal/wallet/psbt"
)

// OfflineSigner signs packets from a mnemonic alone, with no node, no
// network and no wallet file (`ballast wallet sign`). It knows the keys of
// both account kinds (single-key and multisig cosigner) on both chains up
// to lookahead indexes.
type OfflineSigner struct {
	keys map[[32]byte]*hd.ExtendedKey
}

// NewOfflineSigner derives the keys of mnemonic (with its BIP39
// passphrase) for a network.
func NewOfflineSigner(mn hd.Mnemonic, seedPass Passphrase, network string, lookahead int) (*OfflineSigner, error) {
	if lookahead <= 0 {
		lookahead = 200
	}
	privV, _ := hd.Versions(network)
	master, err := hd.NewMaster(mn.Seed(string(seedPass)), privV)
	if err != nil {
		return nil, err
	}
	s := &OfflineSigner{keys: make(map[[32]byte]*hd.ExtendedKey)}
	coin := hd.CoinType(network)
	for _, path := range []hd.Path{hd.KeyAccountPath(coin, 0), hd.MultisigAccountPath(coin, 0)} {
		acct, err := master.Derive(path)
		if err != nil {
			return nil, err
		}
		for ch := uint32(0); ch < 2; ch++ {
			chain, err := acct.Child(ch)
			if err != nil {
				return nil, err
			}
			for i := 0; i < lookahead; i++ {
				k, err := chain.Child(uint32(i))
				if err != nil {
					continue
				}
				s.keys[k.XOnly()] = k
			}
		}
	}
	return s, nil
}

// HasKey implements psbt.KeySigner.
func (s *OfflineSigner) HasKey(pub [32]byte) bool { _, ok := s.keys[pub]; return ok }

// Sign implements psbt.KeySigner.
func (s *OfflineSigner) Sign(pub [32]byte, h [32]byte) ([64]byte, error) {
	k, ok := s.keys[pub]
	if !ok {
		return [64]byte{}, errf(ErrWallet, "not a key of this mnemonic")
	}
	priv, err := k.PrivKey()
	if err != nil {
		return [64]byte{}, err
	}
	sig, err := schnorr.Sign(priv, h[:])
	if err != nil {
		return [64]byte{}, err
	}
	return [64]byte(sig.Serialize()), nil
}

// AccountXpubs returns the mnemonic's single-key and multisig account
// xpubs, the public halves to hand to a watch-only wallet or cosigners.
func AccountXpubs(mn hd.Mnemonic, seedPass Passphrase, network string) (key, multisig string, err error) {
	privV, pubV := hd.Versions(network)
	master, err := hd.NewMaster(mn.Seed(string(seedPass)), privV)
	if err != nil {
		return "", "", err
	}
	coin := hd.CoinType(network)
	a, err := master.Derive(hd.KeyAccountPath(coin, 0))
	if err != nil {
		return "", "", err
	}
	b, err := master.Derive(hd.MultisigAccountPath(coin, 0))
	if err != nil {
		return "", "", err
	}
	return a.Neuter(pubV).Base58(), b.Neuter(pubV).Base58(), nil
}

var _ psbt.KeySigner = (*OfflineSigner)(nil)
