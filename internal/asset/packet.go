package asset

import (
	"bytes"
	"sort"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wire"
)

// MaxPacketSigs bounds the signatures an attestation packet carries (a
// policy has at most 100 key nodes).
const MaxPacketSigs = 100

// packetMagic starts an attestation packet.
var packetMagic = []byte("batt")

// Packet is an attestation being signed by auditors apart: the payload and
// the signatures collected so far, one per auditor key (sorted by key).
// createattestation makes one, each auditor's signattestation adds to it,
// submitattestation turns it into a record with its witness.
type Packet struct {
	Payload []byte
	Sigs    map[[32]byte][64]byte
}

// Encode returns "batt" | payload VarBytes | CompactSize n | (key 32 | sig 64) * n.
func (p *Packet) Encode() []byte {
	keys := make([][32]byte, 0, len(p.Sigs))
	for k := range p.Sigs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i][:], keys[j][:]) < 0 })
	b := append([]byte(nil), packetMagic...)
	b = wire.AppendVarBytes(b, p.Payload)
	b = wire.AppendCompactSize(b, uint64(len(keys)))
	for _, k := range keys {
		s := p.Sigs[k]
		b = append(append(b, k[:]...), s[:]...)
	}
	return b
}

// DecodePacket decodes a packet; keys must be strictly increasing and the
// payload must be an attestation.
func DecodePacket(b []byte) (*Packet, *Attestation, error) {
	if !bytes.HasPrefix(b, packetMagic) {
		return nil, nil, errf(ErrEncoding, "not an attestation packet")
	}
	r := reader{buf: b, off: len(packetMagic)}
	p := &Packet{Payload: r.varBytes(wire.MaxRecordPayloadSize, "payload"), Sigs: map[[32]byte][64]byte{}}
	n := r.compactSize(MaxPacketSigs, "signatures")
	var prev [32]byte
	for i := 0; i < int(n) && r.err == nil; i++ {
		k := r.hash("key")
		var s [64]byte
		copy(s[:], r.take(64, "signature"))
		if i > 0 && bytes.Compare(k[:], prev[:]) <= 0 {
			r.fail(ErrEncoding, "packet keys not strictly increasing")
		}
		p.Sigs[k], prev = s, k
	}
	if err := r.finish("attestation packet"); err != nil {
		return nil, nil, err
	}
	a, err := DecodeAttestation(p.Payload)
	if err != nil {
		return nil, nil, err
	}
	return p, a, nil
}

// Sign adds a signature of the packet's message for every key of the
// auditor policy that s holds, and returns how many it added.
func (p *Packet) Sign(auditors *policy.Node, s policy.Signer) (int, error) {
	msg := AttestationMessage(p.Payload)
	added := 0
	var err error
	walkKeys(auditors, func(k [32]byte) {
		if err != nil || !s.HasKey(k) {
			return
		}
		if _, have := p.Sigs[k]; have {
			return
		}
		var sig [64]byte
		if sig, err = s.Sign(k, msg); err == nil {
			p.Sigs[k] = sig
			added++
		}
	})
	return added, err
}

// Witness builds the record witness [policy, satisfaction] from the
// collected signatures; it fails if they do not satisfy the policy.
func (p *Packet) Witness(auditors *policy.Node) ([][]byte, error) {
	env := policy.SpendEnv{SigHash: AttestationMessage(p.Payload), Sequence: RecordSequence}
	sat, err := policy.Satisfy(auditors, collected(p.Sigs), &env)
	if err != nil {
		return nil, err
	}
	return [][]byte{auditors.Encode(), sat}, nil
}

// Keys returns the auditor policy's keys in tree order.
func Keys(n *policy.Node) [][32]byte {
	var out [][32]byte
	walkKeys(n, func(k [32]byte) { out = append(out, k) })
	return out
}

func walkKeys(n *policy.Node, fn func([32]byte)) {
	if n.Kind == policy.KindKey {
		fn(n.Key)
	}
	for _, c := range n.Children {
		walkKeys(c, fn)
	}
}

// collected is a Signer answering from signatures already made.
type collected map[[32]byte][64]byte

func (c collected) HasKey(k [32]byte) bool { _, ok := c[k]; return ok }
func (c collected) Sign(k [32]byte, _ [32]byte) ([64]byte, error) {
	return c[k], nil
}
func (c collected) Preimage([32]byte) ([]byte, bool) { return nil, false }

// RecordSequence is the sequence a record's policy is checked with: final,
// so after() and older() nodes are never satisfied in a record.
const RecordSequence = 0xffffffff

// RecordEnv returns the environment a record witness is verified in.
func RecordEnv(tx *wire.Tx, msg chainhash.Hash, v policy.SchnorrVerifier) policy.SpendEnv {
	return policy.SpendEnv{SigHash: msg, TxVersion: tx.Version, LockTime: tx.LockTime, Sequence: RecordSequence, Verifier: v}
}
