package asset

import (
	"encoding/binary"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/sighash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Issue is the payload of an issue record (type 1): the input whose spent
// outpoint names the asset, the amount created, and the contract.
type Issue struct {
	Input    uint32
	Amount   uint64
	Contract []byte // canonical contract encoding
}

// Encode returns input u32 | amount u64 | contract VarBytes.
func (p *Issue) Encode() []byte {
	b := make([]byte, 0, 12+wire.CompactSizeLen(uint64(len(p.Contract)))+len(p.Contract))
	b = binary.LittleEndian.AppendUint32(b, p.Input)
	b = binary.LittleEndian.AppendUint64(b, p.Amount)
	return wire.AppendVarBytes(b, p.Contract)
}

// DecodeIssue decodes an issue payload and its contract.
func DecodeIssue(b []byte) (*Issue, *Contract, error) {
	r := reader{buf: b}
	p := &Issue{Input: r.u32("input"), Amount: r.u64("amount")}
	p.Contract = r.varBytes(MaxContractSize, "contract")
	if err := r.finish("issue record"); err != nil {
		return nil, nil, err
	}
	if p.Amount > MaxAmount {
		return nil, nil, errf(ErrLimits, "issued amount %d exceeds %d", p.Amount, uint64(MaxAmount))
	}
	c, err := DecodeContract(p.Contract)
	if err != nil {
		return nil, nil, &Error{Kind: ErrContract, Description: "issue record", Cause: err}
	}
	return p, c, nil
}

// Reissue is the payload of a reissue record (type 2): more of an existing
// asset, authorised by the issuer policy in the record's witness.
type Reissue struct {
	Asset  wire.AssetID
	Amount uint64
}

// Encode returns asset_id 32 | amount u64.
func (p *Reissue) Encode() []byte {
	b := append(make([]byte, 0, 40), p.Asset[:]...)
	return binary.LittleEndian.AppendUint64(b, p.Amount)
}

// DecodeReissue decodes a reissue payload; the amount is 1..MaxAmount.
func DecodeReissue(b []byte) (*Reissue, error) {
	r := reader{buf: b}
	p := &Reissue{Asset: wire.AssetID(r.hash("asset")), Amount: r.u64("amount")}
	if err := r.finish("reissue record"); err != nil {
		return nil, err
	}
	if p.Asset.IsNative() {
		return nil, errf(ErrEncoding, "reissue of the native coin")
	}
	if p.Amount == 0 || p.Amount > MaxAmount {
		return nil, errf(ErrLimits, "reissued amount %d, want 1..%d", p.Amount, uint64(MaxAmount))
	}
	return p, nil
}

// Holding is the quantity of one basket good held, in the good's own scale
// (Quantity × 10^-Decimals of its unit, as in the basket).
type Holding struct {
	Good uint8 // index into the contract's basket
	Held uint64
}

// Attestation is the payload of an attestation record (type 3): what the
// auditors counted, when, and the hash of their audit document.
type Attestation struct {
	Asset    wire.AssetID
	Time     uint64 // Unix seconds of the count
	Document chainhash.Hash
	Holdings []Holding // strictly increasing Good
}

// Encode returns asset 32 | time u64 | document 32 | CompactSize n |
// (good u8 | held u64) * n.
func (p *Attestation) Encode() []byte {
	b := make([]byte, 0, 73+9*len(p.Holdings))
	b = append(b, p.Asset[:]...)
	b = binary.LittleEndian.AppendUint64(b, p.Time)
	b = append(b, p.Document[:]...)
	b = wire.AppendCompactSize(b, uint64(len(p.Holdings)))
	for _, h := range p.Holdings {
		b = append(b, h.Good)
		b = binary.LittleEndian.AppendUint64(b, h.Held)
	}
	return b
}

// DecodeAttestation decodes an attestation payload. Whether its goods are
// in the asset's basket needs the contract: see CheckGoods.
func DecodeAttestation(b []byte) (*Attestation, error) {
	r := reader{buf: b}
	p := &Attestation{Asset: wire.AssetID(r.hash("asset")), Time: r.u64("time"), Document: r.hash("document")}
	n := r.compactSize(MaxGoods, "holdings")
	if r.err == nil {
		p.Holdings = make([]Holding, n)
	}
	for i := range p.Holdings {
		p.Holdings[i] = Holding{Good: r.u8("good"), Held: r.u64("held")}
	}
	if err := r.finish("attestation record"); err != nil {
		return nil, err
	}
	if p.Asset.IsNative() {
		return nil, errf(ErrEncoding, "attestation of the native coin")
	}
	if len(p.Holdings) == 0 {
		return nil, errf(ErrLimits, "attestation holds no goods")
	}
	for i, h := range p.Holdings {
		if h.Held > MaxAmount {
			return nil, errf(ErrLimits, "held %d exceeds %d", h.Held, uint64(MaxAmount))
		}
		if i > 0 && h.Good <= p.Holdings[i-1].Good {
			return nil, errf(ErrGood, "goods not in strictly increasing basket order")
		}
	}
	return p, nil
}

// CheckGoods reports an error if the attestation names a good outside c's
// basket.
func (p *Attestation) CheckGoods(c *Contract) error {
	for _, h := range p.Holdings {
		if int(h.Good) >= len(c.Basket) {
			return errf(ErrGood, "good %d is outside the basket of %d goods", h.Good, len(c.Basket))
		}
	}
	return nil
}

// Message is what the auditor policy signs: TaggedHash("Ballast/Attestation",
// payload). It depends on no transaction, so auditors sign offline and
// anyone may submit; replays are stopped by the newer-than-latest rule.
func (p *Attestation) Message() chainhash.Hash { return AttestationMessage(p.Encode()) }

// AttestationMessage hashes an attestation payload for signing.
func AttestationMessage(payload []byte) chainhash.Hash {
	return chainhash.TaggedHash(TagAttestation, payload)
}

// RecordSigHash is what a reissue record's issuer policy signs: the
// transaction's signature hash for input 0 (which commits to every input,
// output and record payload, §5.9) tagged with the record's index:
// TaggedHash("Ballast/RecordSigHash", sighash(tx, 0) ‖ index u32).
func RecordSigHash(tx *wire.Tx, record int, prevOuts []wire.TxOut, c *sighash.Cache) (chainhash.Hash, error) {
	if record < 0 || record >= len(tx.Records) {
		return chainhash.Hash{}, errf(ErrInvalidArgument, "record %d of %d", record, len(tx.Records))
	}
	h, err := sighash.Hash(tx, 0, prevOuts, c)
	if err != nil {
		return chainhash.Hash{}, err
	}
	var idx [4]byte
	binary.LittleEndian.PutUint32(idx[:], uint32(record))
	return chainhash.TaggedHash(TagRecordSigHash, h[:], idx[:]), nil
}
