package pow

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// hashOf returns the hash whose little-endian number is n (0 <= n < 2^256).
func hashOf(n *big.Int) chainhash.Hash {
	var be [32]byte
	n.FillBytes(be[:])
	var h chainhash.Hash
	for i := range be {
		h[i] = be[31-i]
	}
	return h
}

func TestTargetBytes(t *testing.T) {
	tests := []struct {
		bits uint32
		want string // hex of the number; "" for ErrBadTarget
	}{
		{0x1d00ffff, "ffff0000000000000000000000000000000000000000000000000000"},
		{0x207fffff, "7fffff0000000000000000000000000000000000000000000000000000000000"},
		{0x2100ffff, "ffff000000000000000000000000000000000000000000000000000000000000"},
		{0x220000ff, "ff00000000000000000000000000000000000000000000000000000000000000"},
		{0x01123456, "12"},
		{0x02123456, "1234"},
		{0x03123456, "123456"},
		{0x04123456, "12345600"},
		{0x01010000, "1"},
		{0x00000000, ""},
		{0x01003456, ""},
		{0x04923456, ""},
		{0x01fedcba, ""},
		{0xff123456, ""},
		{0x21010000, ""},
		{0x22000100, ""},
	}
	for _, tt := range tests {
		got, err := TargetBytes(tt.bits)
		if tt.want == "" {
			if !errors.Is(err, ErrBadTarget) {
				t.Errorf("TargetBytes(%08x) err = %v, want ErrBadTarget", tt.bits, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("TargetBytes(%08x): %v", tt.bits, err)
			continue
		}
		if want := hashOf(mustHex(t, tt.want)); got != want {
			t.Errorf("TargetBytes(%08x) = %x, want %x", tt.bits, got, want)
		}
	}
}

func TestHashMeetsTarget(t *testing.T) {
	target := hashOf(mustHex(t, "00000000ffff0000000000000000000000000000000000000000000000000000"))
	tests := []struct {
		hash string
		want bool
	}{
		{"0", true},
		{"00000000ffff0000000000000000000000000000000000000000000000000000", true}, // equal
		{"00000000fffeffffffffffffffffffffffffffffffffffffffffffffffffffff", true},
		{"00000000ffff0000000000000000000000000000000000000000000000000001", false}, // lowest limb decides
		{"00000000ffff0000000000000000000000000001000000000000000000000000", false},
		{"0000000100000000000000000000000000000000000000000000000000000000", false}, // highest limb decides
		{"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", false},
	}
	for _, tt := range tests {
		h := hashOf(mustHex(t, tt.hash))
		if got := HashMeetsTarget(&h, (*[32]byte)(&target)); got != tt.want {
			t.Errorf("HashMeetsTarget(%s) = %v, want %v", tt.hash, got, tt.want)
		}
	}

	// Random pairs, most differing only in low limbs, against big.Int.
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var a, b chainhash.Hash
		for i := range a {
			a[i] = byte(r.UintN(256))
		}
		b = a
		// Perturb one byte so limbs often tie above it.
		b[r.IntN(32)] ^= byte(1 + r.UintN(255))
		if r.IntN(10) == 0 {
			b = a
		}
		want := HashToBig(&a).Cmp(HashToBig(&b)) <= 0
		if got := HashMeetsTarget(&a, (*[32]byte)(&b)); got != want {
			t.Fatalf("HashMeetsTarget(%x, %x) = %v, want %v", a, b, got, want)
		}
	}
}

const bitcoinPowLimit = "00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

func TestCheckProofOfWork(t *testing.T) {
	powLimit := mustHex(t, bitcoinPowLimit)
	genesis, err := chainhash.NewHashFromStr("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
	if err != nil {
		t.Fatal(err)
	}
	target1d := mustHex(t, "ffff0000000000000000000000000000000000000000000000000000")
	atTarget := hashOf(target1d)
	aboveTarget := hashOf(new(big.Int).Add(target1d, big.NewInt(1)))

	tests := []struct {
		name     string
		hash     chainhash.Hash
		bits     uint32
		powLimit *big.Int
		want     error
	}{
		{"bitcoin genesis", genesis, 0x1d00ffff, powLimit, nil},
		{"hash equals target", atTarget, 0x1d00ffff, powLimit, nil},
		{"hash one above target", aboveTarget, 0x1d00ffff, powLimit, ErrHighHash},
		{"genesis at harder target", genesis, 0x1b0404cb, powLimit, ErrHighHash},
		{"target above limit", chainhash.Hash{}, 0x1d010000, powLimit, ErrBadTarget},
		{"target just above limit", chainhash.Hash{}, 0x1e00ffff, powLimit, ErrBadTarget},
		{"zero target", chainhash.Hash{}, 0x01003456, powLimit, ErrBadTarget},
		{"zero bits", chainhash.Hash{}, 0, powLimit, ErrBadTarget},
		{"negative target", chainhash.Hash{}, 0x04923456, powLimit, ErrBadTarget},
		{"overflowing target", chainhash.Hash{}, 0xff123456, powLimit, ErrBadTarget},
		{"regtest limit", aboveTarget, 0x207fffff, mustHex(t, "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"), nil},
		{"target equals limit", chainhash.Hash{}, 0x2100ffff, mustHex(t, "ffff000000000000000000000000000000000000000000000000000000000000"), nil},
		{"limit above 2^256", chainhash.Hash{}, 0x2100ffff, new(big.Int).Lsh(big.NewInt(1), 300), nil},
		{"nil limit", chainhash.Hash{}, 0x1d00ffff, nil, ErrBadTarget},
		{"zero limit", chainhash.Hash{}, 0x1d00ffff, new(big.Int), ErrBadTarget},
	}
	for _, tt := range tests {
		err := CheckProofOfWork(tt.hash, tt.bits, tt.powLimit)
		if tt.want == nil {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
		var re *RuleError
		if !errors.As(err, &re) || re.Kind != tt.want || re.Description == "" {
			t.Errorf("%s: err = %#v, want a *RuleError of kind %v with a description", tt.name, err, tt.want)
		}
	}
}

// referenceCheckProofOfWork is Core's CheckProofOfWork written with big.Int.
func referenceCheckProofOfWork(hash chainhash.Hash, bits uint32, powLimit *big.Int) error {
	target, negative, overflow := CompactToBig(bits)
	if negative || overflow || target.Sign() == 0 || target.Cmp(powLimit) > 0 {
		return ErrBadTarget
	}
	if HashToBig(&hash).Cmp(target) > 0 {
		return ErrHighHash
	}
	return nil
}

func TestCheckProofOfWorkMatchesReference(t *testing.T) {
	limits := []*big.Int{
		mustHex(t, bitcoinPowLimit),
		mustHex(t, "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
		mustHex(t, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
		big.NewInt(0x123456),
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 50000 {
		powLimit := limits[r.IntN(len(limits))]
		// Exponents near the interesting range, sometimes anything.
		bits := uint32(r.IntN(36))<<24 | uint32(r.UintN(1<<24))
		if r.IntN(8) == 0 {
			bits = r.Uint32()
		}
		// Hashes near the target, so both outcomes occur.
		var hash chainhash.Hash
		if target, neg, of := CompactToBig(bits); !neg && !of && target.Sign() > 0 {
			delta := big.NewInt(int64(r.IntN(5)) - 2)
			n := new(big.Int).Add(target, delta)
			if n.Sign() >= 0 && n.BitLen() <= 256 {
				hash = hashOf(n)
			}
		} else {
			for i := range hash {
				hash[i] = byte(r.UintN(256))
			}
		}
		got := CheckProofOfWork(hash, bits, powLimit)
		want := referenceCheckProofOfWork(hash, bits, powLimit)
		if !errors.Is(got, want) || (got == nil) != (want == nil) {
			t.Fatalf("CheckProofOfWork(%x, %08x, %x) = %v, reference %v", hash, bits, powLimit, got, want)
		}
	}
}

func TestCheckProofOfWorkDoesNotAllocate(t *testing.T) {
	powLimit := mustHex(t, bitcoinPowLimit)
	genesis, _ := chainhash.NewHashFromStr("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
	allocs := testing.AllocsPerRun(100, func() {
		if err := CheckProofOfWork(genesis, 0x1d00ffff, powLimit); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("CheckProofOfWork allocates %v times per call", allocs)
	}
}

func TestRuleError(t *testing.T) {
	err := error(&RuleError{Kind: ErrHighHash, Description: "hash too high"})
	if !errors.Is(err, ErrHighHash) || errors.Is(err, ErrBadTarget) {
		t.Fatalf("errors.Is does not follow Kind: %v", err)
	}
	if got, want := err.Error(), "ErrHighHash: hash too high"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	if ErrBadTarget.Error() != "ErrBadTarget" || ErrBadParams.Error() != "ErrBadParams" {
		t.Fatal("ErrorKind.Error is not the kind's name")
	}
}
