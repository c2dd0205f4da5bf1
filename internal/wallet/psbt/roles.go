package psbt

import (
	"errors"
	"fmt"

	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/sighash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Errors of the roles.
var (
	ErrMismatch   = errors.New("psbt: packets are for different transactions")
	ErrIncomplete = errors.New("psbt: not every input is finalized")
)

// KeySigner signs for the x-only keys it holds (a wallet's unlocked keys).
type KeySigner interface {
	HasKey(pub [32]byte) bool
	Sign(pub [32]byte, sigHash [32]byte) ([64]byte, error)
}

func (p *Packet) prevOuts() []wire.TxOut {
	prevs := make([]wire.TxOut, len(p.Inputs))
	for i := range p.Inputs {
		prevs[i] = p.Inputs[i].Prev
	}
	return prevs
}

// SigHash returns input i's signature hash.
func (p *Packet) SigHash(i int) ([32]byte, error) {
	h, err := sighash.Hash(p.Tx, i, p.prevOuts(), nil)
	return h, err
}

// keysOf returns the keys that may sign input i: the key of a key lock, or
// every key of its policy.
func (in *Input) keysOf() ([][32]byte, *policy.Node, error) {
	switch in.Prev.Lock.Kind {
	case wire.LockKey:
		if len(in.Prev.Lock.Data) != 32 {
			return nil, nil, fmt.Errorf("psbt: key lock of %d bytes", len(in.Prev.Lock.Data))
		}
		return [][32]byte{[32]byte(in.Prev.Lock.Data)}, nil, nil
	case wire.LockPolicy:
		if len(in.Policy) == 0 {
			return nil, nil, fmt.Errorf("psbt: policy lock without its policy")
		}
		n, err := policy.Decode(in.Policy)
		if err != nil {
			return nil, nil, err
		}
		if policy.HashEncoding(in.Policy) != [32]byte(in.Prev.Lock.Data) {
			return nil, nil, fmt.Errorf("psbt: policy does not match the lock")
		}
		var keys [][32]byte
		var walk func(*policy.Node)
		walk = func(n *policy.Node) {
			if n.Kind == policy.KindKey {
				keys = append(keys, n.Key)
			}
			for _, c := range n.Children {
				walk(c)
			}
		}
		walk(n)
		return keys, n, nil
	}
	return nil, nil, fmt.Errorf("psbt: input spends an unspendable %s lock", in.Prev.Lock.Kind)
}

// Sign adds s's signatures to every input it can sign and returns how many
// it added. It computes the signature hashes itself from the packet, which
// commit to every spent amount, asset and lock, so a tampered packet yields
// signatures that are invalid for the real outputs.
func (p *Packet) Sign(s KeySigner) (int, error) {
	prevs := p.prevOuts()
	cache := sighash.NewCache(p.Tx, prevs)
	added := 0
	for i := range p.Inputs {
		in := &p.Inputs[i]
		if in.Final != nil {
			continue
		}
		keys, _, err := in.keysOf()
		if err != nil {
			return added, fmt.Errorf("input %d: %w", i, err)
		}
		var h [32]byte
		hashed := false
		for _, k := range keys {
			if _, done := in.PartialSigs[k]; done || !s.HasKey(k) {
				continue
			}
			if !hashed {
				if h, err = sighash.Hash(p.Tx, i, prevs, cache); err != nil {
					return added, err
				}
				hashed = true
			}
			sig, err := s.Sign(k, h)
			if err != nil {
				return added, fmt.Errorf("input %d: %w", i, err)
			}
			if in.PartialSigs == nil {
				in.PartialSigs = make(map[[32]byte][64]byte)
			}
			in.PartialSigs[k] = sig
			added++
		}
	}
	return added, nil
}

// Combine merges the signatures and derivations of others into p. Every
// packet must be for the same unsigned transaction.
func (p *Packet) Combine(others ...*Packet) error {
	want := p.Tx.TxHash()
	for _, o := range others {
		if o.Tx.TxHash() != want || len(o.Inputs) != len(p.Inputs) {
			return ErrMismatch
		}
		for i := range o.Inputs {
			in, oi := &p.Inputs[i], &o.Inputs[i]
			if !in.Prev.Lock.Equal(oi.Prev.Lock) || in.Prev.Value != oi.Prev.Value || in.Prev.Asset != oi.Prev.Asset {
				return fmt.Errorf("%w: input %d spends a different output", ErrMismatch, i)
			}
			if in.Policy == nil {
				in.Policy = oi.Policy
			}
			for k, s := range oi.PartialSigs {
				if in.PartialSigs == nil {
					in.PartialSigs = make(map[[32]byte][64]byte)
				}
				in.PartialSigs[k] = s
			}
			in.Derivations = mergeDerivations(in.Derivations, oi.Derivations)
			if in.Final == nil {
				in.Final = oi.Final
			}
		}
		for i := range o.Outputs {
			p.Outputs[i].Derivations = mergeDerivations(p.Outputs[i].Derivations, o.Outputs[i].Derivations)
		}
	}
	return nil
}

func mergeDerivations(a, b []Derivation) []Derivation {
	seen := make(map[[32]byte]bool, len(a))
	for _, d := range a {
		seen[d.Key] = true
	}
	for _, d := range b {
		if !seen[d.Key] {
			a = append(a, d)
			seen[d.Key] = true
		}
	}
	return a
}

// collected is a policy.Signer over the partial signatures of one input.
type collected struct {
	sigs map[[32]byte][64]byte
	hash [32]byte
}

func (c collected) HasKey(pub [32]byte) bool { _, ok := c.sigs[pub]; return ok }
func (c collected) Sign(pub [32]byte, h [32]byte) ([64]byte, error) {
	if h != c.hash {
		return [64]byte{}, errors.New("psbt: signature hash changed")
	}
	return c.sigs[pub], nil
}
func (collected) Preimage([32]byte) ([]byte, bool) { return nil, false }

// Finalize builds the witness of every input whose signatures suffice and
// checks it; it returns whether every input is final. Inputs that cannot
// be finalized yet are left as they are.
func (p *Packet) Finalize() (bool, error) {
	prevs := p.prevOuts()
	cache := sighash.NewCache(p.Tx, prevs)
	all := true
	for i := range p.Inputs {
		in := &p.Inputs[i]
		if in.Final != nil {
			continue
		}
		_, node, err := in.keysOf()
		if err != nil {
			return false, fmt.Errorf("input %d: %w", i, err)
		}
		h, err := sighash.Hash(p.Tx, i, prevs, cache)
		if err != nil {
			return false, err
		}
		txin := p.Tx.TxIn[i]
		env := &policy.SpendEnv{SigHash: h, TxVersion: p.Tx.Version, LockTime: p.Tx.LockTime, Sequence: txin.Sequence}
		w, err := policy.BuildWitness(in.Prev.Lock, node, collected{in.PartialSigs, h}, env)
		if err != nil {
			all = false
			continue
		}
		if _, err := policy.VerifySpend(in.Prev.Lock, w, env); err != nil {
			return false, fmt.Errorf("input %d: collected signatures do not verify: %w", i, err)
		}
		in.Final = w
		in.PartialSigs = nil
	}
	return all, nil
}

// Extract returns the signed transaction once every input is final.
func (p *Packet) Extract() (*wire.Tx, error) {
	tx := *p.Tx
	tx.TxIn = append([]wire.TxIn(nil), p.Tx.TxIn...)
	for i := range tx.TxIn {
		if p.Inputs[i].Final == nil {
			return nil, fmt.Errorf("%w: input %d", ErrIncomplete, i)
		}
		tx.TxIn[i].Witness = p.Inputs[i].Final
	}
	return &tx, nil
}

// Fee returns the native fee: native inputs minus native outputs.
func (p *Packet) Fee() int64 {
	var fee int64
	for i := range p.Inputs {
		if p.Inputs[i].Prev.Asset.IsNative() {
			fee += p.Inputs[i].Prev.Value
		}
	}
	for _, o := range p.Tx.TxOut {
		if o.Asset.IsNative() {
			fee -= o.Value
		}
	}
	return fee
}
