package asset

import (
	"encoding/binary"
	"unicode"
	"unicode/utf8"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Contract limits. Every decoder checks them before allocating.
const (
	ContractVersion = 1
	MaxNameLen      = 64
	MaxTickerLen    = 12
	MaxGoodNameLen  = 32
	MaxUnitLen      = 16
	MaxGoods        = 16
	MaxDecimals     = 18
	// MaxAmount bounds issued amounts, basket quantities and attested
	// holdings (consensus.MaxAssetAmount, repeated to keep this package
	// below consensus).
	MaxAmount = 1_000_000_000_000_000_000
	// MaxContractSize bounds a contract's encoding: the fields above at
	// their limits plus two policies of policy.MaxPolicySize.
	MaxContractSize = 18_000
)

// Hash tags.
const (
	TagContract      = "Ballast/Contract"
	TagAssetID       = "Ballast/AssetID"
	TagAttestation   = "Ballast/Attestation"
	TagRecordSigHash = "Ballast/RecordSigHash"
)

// Good is one good of the basket: Quantity × 10^-Decimals of Unit of Name
// stand behind one whole unit of the asset (10^Contract.Decimals base units).
type Good struct {
	Name     string
	Unit     string
	Quantity uint64
	Decimals uint8
}

// Contract is what an issuance publishes; its hash is part of the asset id.
type Contract struct {
	Name          string
	Ticker        string
	Decimals      uint8
	Basket        []Good
	IssuerPolicy  []byte // policy encoding: who may reissue
	AuditorPolicy []byte // policy encoding: who attests reserves (k of n)
}

func checkText(s string, max int, what string) error {
	if len(s) == 0 || len(s) > max {
		return errf(ErrLimits, "%s is %d bytes, want 1..%d", what, len(s), max)
	}
	if !utf8.ValidString(s) {
		return errf(ErrEncoding, "%s is not UTF-8", what)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return errf(ErrEncoding, "%s holds a control character", what)
		}
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return errf(ErrEncoding, "%s has leading or trailing spaces", what)
	}
	return nil
}

func checkTicker(s string) error {
	if len(s) == 0 || len(s) > MaxTickerLen {
		return errf(ErrLimits, "ticker is %d bytes, want 1..%d", len(s), MaxTickerLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return errf(ErrEncoding, "ticker %q: only A-Z and 0-9", s)
		}
	}
	return nil
}

func checkPolicy(enc []byte, what string) (*policy.Node, error) {
	if len(enc) == 0 || len(enc) > policy.MaxPolicySize {
		return nil, errf(ErrLimits, "%s policy is %d bytes, want 1..%d", what, len(enc), policy.MaxPolicySize)
	}
	n, err := policy.Decode(enc)
	if err != nil {
		return nil, &Error{Kind: ErrPolicy, Description: what + " policy", Cause: err}
	}
	return n, nil
}

// Validate checks every field against its limits and both policies decode.
func (c *Contract) Validate() error {
	if err := checkText(c.Name, MaxNameLen, "name"); err != nil {
		return err
	}
	if err := checkTicker(c.Ticker); err != nil {
		return err
	}
	if c.Decimals > MaxDecimals {
		return errf(ErrLimits, "decimals %d exceeds %d", c.Decimals, MaxDecimals)
	}
	if len(c.Basket) == 0 || len(c.Basket) > MaxGoods {
		return errf(ErrLimits, "basket of %d goods, want 1..%d", len(c.Basket), MaxGoods)
	}
	for i, g := range c.Basket {
		if err := checkText(g.Name, MaxGoodNameLen, "good name"); err != nil {
			return err
		}
		if err := checkText(g.Unit, MaxUnitLen, "unit"); err != nil {
			return err
		}
		if g.Quantity == 0 || g.Quantity > MaxAmount {
			return errf(ErrLimits, "good %q quantity %d, want 1..%d", g.Name, g.Quantity, uint64(MaxAmount))
		}
		if g.Decimals > MaxDecimals {
			return errf(ErrLimits, "good %q decimals %d exceeds %d", g.Name, g.Decimals, MaxDecimals)
		}
		for j := range i {
			if c.Basket[j].Name == g.Name {
				return errf(ErrGood, "good %q appears twice", g.Name)
			}
		}
	}
	if _, err := checkPolicy(c.IssuerPolicy, "issuer"); err != nil {
		return err
	}
	_, err := checkPolicy(c.AuditorPolicy, "auditor")
	return err
}

// Encode returns the canonical encoding (docs/assets.md §2). The contract
// should pass Validate.
func (c *Contract) Encode() []byte {
	b := make([]byte, 0, 64+len(c.IssuerPolicy)+len(c.AuditorPolicy)+64*len(c.Basket))
	b = append(b, ContractVersion)
	b = wire.AppendVarBytes(b, []byte(c.Name))
	b = wire.AppendVarBytes(b, []byte(c.Ticker))
	b = append(b, c.Decimals)
	b = wire.AppendCompactSize(b, uint64(len(c.Basket)))
	for _, g := range c.Basket {
		b = wire.AppendVarBytes(b, []byte(g.Name))
		b = wire.AppendVarBytes(b, []byte(g.Unit))
		b = binary.LittleEndian.AppendUint64(b, g.Quantity)
		b = append(b, g.Decimals)
	}
	b = wire.AppendVarBytes(b, c.IssuerPolicy)
	return wire.AppendVarBytes(b, c.AuditorPolicy)
}

// Hash returns TaggedHash("Ballast/Contract", encoding).
func (c *Contract) Hash() chainhash.Hash { return HashContract(c.Encode()) }

// HashContract hashes a contract encoding.
func HashContract(enc []byte) chainhash.Hash { return chainhash.TaggedHash(TagContract, enc) }

// DecodeContract decodes and validates a canonical contract encoding.
func DecodeContract(b []byte) (*Contract, error) {
	if len(b) > MaxContractSize {
		return nil, errf(ErrLimits, "contract of %d bytes exceeds %d", len(b), MaxContractSize)
	}
	r := reader{buf: b}
	if v := r.u8("version"); r.err == nil && v != ContractVersion {
		return nil, errf(ErrEncoding, "contract version %d, want %d", v, ContractVersion)
	}
	c := &Contract{}
	c.Name = string(r.varBytes(MaxNameLen, "name"))
	c.Ticker = string(r.varBytes(MaxTickerLen, "ticker"))
	c.Decimals = r.u8("decimals")
	n := r.compactSize(MaxGoods, "basket")
	if r.err == nil {
		c.Basket = make([]Good, n)
	}
	for i := range c.Basket {
		g := &c.Basket[i]
		g.Name = string(r.varBytes(MaxGoodNameLen, "good name"))
		g.Unit = string(r.varBytes(MaxUnitLen, "unit"))
		g.Quantity = r.u64("quantity")
		g.Decimals = r.u8("quantity decimals")
	}
	c.IssuerPolicy = r.varBytes(policy.MaxPolicySize, "issuer policy")
	c.AuditorPolicy = r.varBytes(policy.MaxPolicySize, "auditor policy")
	if err := r.finish("contract"); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Issuer returns the decoded issuer policy.
func (c *Contract) Issuer() (*policy.Node, error) { return checkPolicy(c.IssuerPolicy, "issuer") }

// Auditors returns the decoded auditor policy.
func (c *Contract) Auditors() (*policy.Node, error) { return checkPolicy(c.AuditorPolicy, "auditor") }

// ID derives an asset id from the outpoint the issuing input spends and the
// contract hash: TaggedHash("Ballast/AssetID", txid ‖ index u32 ‖ contract
// hash). An outpoint is spent once, so an id can be issued only once.
func ID(op wire.OutPoint, contractHash chainhash.Hash) wire.AssetID {
	var idx [4]byte
	binary.LittleEndian.PutUint32(idx[:], op.Index)
	return wire.AssetID(chainhash.TaggedHash(TagAssetID, op.Hash[:], idx[:], contractHash[:]))
}
