package pow

import (
	"math/big"
	"testing"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

func mustHex(t testing.TB, s string) *big.Int {
	t.Helper()
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		t.Fatalf("bad hex %q", s)
	}
	return n
}

// Bitcoin Core's src/test/arith_uint256_tests.cpp "bignum_SetCompact", plus
// the overflow boundaries of each exponent and Bitcoin's limit.
func TestCompactToBigCore(t *testing.T) {
	tests := []struct {
		bits     uint32
		value    string // magnitude, hex; "" for overflow (checked separately)
		negative bool
		overflow bool
		normal   uint32 // BigToCompact of the decoded target
	}{
		{0x00000000, "0", false, false, 0},
		{0x00123456, "0", false, false, 0},
		{0x01003456, "0", false, false, 0},
		{0x02000056, "0", false, false, 0},
		{0x03000000, "0", false, false, 0},
		{0x04000000, "0", false, false, 0},
		{0x00923456, "0", false, false, 0},
		{0x01803456, "0", false, false, 0},
		{0x02800056, "0", false, false, 0},
		{0x03800000, "0", false, false, 0},
		{0x04800000, "0", false, false, 0},
		{0x01123456, "12", false, false, 0x01120000},
		{0x01fedcba, "7e", true, false, 0x01fe0000},
		{0x02123456, "1234", false, false, 0x02123400},
		{0x03123456, "123456", false, false, 0x03123456},
		{0x04123456, "12345600", false, false, 0x04123456},
		{0x04923456, "12345600", true, false, 0x04923456},
		{0x05009234, "92340000", false, false, 0x05009234},
		{0x20123456, "1234560000000000000000000000000000000000000000000000000000000000", false, false, 0x20123456},
		{0xff123456, "", false, true, 0xff123456},
		// Bitcoin's proof-of-work limit.
		{0x1d00ffff, "ffff0000000000000000000000000000000000000000000000000000", false, false, 0x1d00ffff},
		// Exponent 32..35 around 2^256.
		{0x207fffff, "7fffff0000000000000000000000000000000000000000000000000000000000", false, false, 0x207fffff},
		{0x2100ffff, "ffff000000000000000000000000000000000000000000000000000000000000", false, false, 0x2100ffff},
		{0x21010000, "", false, true, 0x21010000},
		{0x220000ff, "ff00000000000000000000000000000000000000000000000000000000000000", false, false, 0x2100ff00},
		{0x22000100, "", false, true, 0x21010000}, // 2^256
		{0x23000001, "", false, true, 0x21010000}, // 2^256
		{0x23000000, "0", false, false, 0},
		{0xff800000, "0", false, false, 0},
	}
	for _, tt := range tests {
		target, negative, overflow := CompactToBig(tt.bits)
		if negative != tt.negative || overflow != tt.overflow {
			t.Errorf("CompactToBig(%08x) flags = negative %v overflow %v, want %v %v",
				tt.bits, negative, overflow, tt.negative, tt.overflow)
		}
		if tt.overflow {
			if target.CmpAbs(new(big.Int).Lsh(big.NewInt(1), 256)) < 0 {
				t.Errorf("CompactToBig(%08x) = %x flagged overflow but below 2^256", tt.bits, target)
			}
		} else {
			want := mustHex(t, tt.value)
			if tt.negative {
				want.Neg(want)
			}
			if target.Cmp(want) != 0 {
				t.Errorf("CompactToBig(%08x) = %x, want %x", tt.bits, target, want)
			}
		}
		if got := BigToCompact(target); got != tt.normal {
			t.Errorf("BigToCompact(CompactToBig(%08x)) = %08x, want %08x", tt.bits, got, tt.normal)
		}
	}
}

func TestBigToCompact(t *testing.T) {
	tests := []struct {
		value string
		want  uint32
	}{
		{"0", 0},
		{"-0", 0},
		{"1", 0x01010000},
		{"-1", 0x01810000},
		{"7f", 0x017f0000},
		// Core: "Make sure that we don't generate compacts with the 0x00800000 bit set".
		{"80", 0x02008000},
		{"-80", 0x02808000},
		{"7fffff", 0x037fffff},
		{"800000", 0x04008000},
		{"12345678", 0x04123456}, // low byte truncated
		{"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 0x2100ffff},
		{"00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 0x1d00ffff},
		{"7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 0x207fffff},
	}
	for _, tt := range tests {
		n := mustHex(t, tt.value)
		orig := new(big.Int).Set(n)
		if got := BigToCompact(n); got != tt.want {
			t.Errorf("BigToCompact(%s) = %08x, want %08x", tt.value, got, tt.want)
		}
		if n.Cmp(orig) != 0 {
			t.Errorf("BigToCompact(%s) modified its argument to %x", tt.value, n)
		}
	}
}

func TestBigToCompactTooLarge(t *testing.T) {
	// The largest value any compact encodes is 0x7fffff << 8*252; one more
	// byte cannot be represented.
	largest, _, _ := CompactToBig(0xff7fffff)
	if got := BigToCompact(largest); got != 0xff7fffff {
		t.Fatalf("BigToCompact(largest) = %08x", got)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("BigToCompact(2^2040) did not panic")
		}
	}()
	BigToCompact(new(big.Int).Lsh(big.NewInt(1), 2040))
}

func TestHashToBig(t *testing.T) {
	var h chainhash.Hash
	h[0] = 0x01
	h[31] = 0x80
	want := new(big.Int).Lsh(big.NewInt(1), 255)
	want.Add(want, big.NewInt(1))
	if got := HashToBig(&h); got.Cmp(want) != 0 {
		t.Fatalf("HashToBig = %x, want %x", got, want)
	}
	// Bitcoin's genesis block hash, displayed byte-reversed, is the number.
	const genesis = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
	g, err := chainhash.NewHashFromStr(genesis)
	if err != nil {
		t.Fatal(err)
	}
	if got := HashToBig(&g); got.Cmp(mustHex(t, genesis)) != 0 {
		t.Fatalf("HashToBig(genesis) = %x", got)
	}
}

func TestCalcWork(t *testing.T) {
	tests := []struct {
		bits uint32
		want string
	}{
		{0x1d00ffff, "100010001"}, // Bitcoin's genesis chain work
		{0x207fffff, "2"},         // regtest limit: 2^256 / 2^255
		{0x01010000, "8000000000000000000000000000000000000000000000000000000000000000"}, // target 1
		{0x2100ffff, "1"},
		{0x00000000, "0"}, // zero target
		{0x01003456, "0"}, // zero target
		{0x04923456, "0"}, // negative
		{0xff123456, "0"}, // overflow
	}
	for _, tt := range tests {
		if got := CalcWork(tt.bits); got.Cmp(mustHex(t, tt.want)) != 0 {
			t.Errorf("CalcWork(%08x) = %x, want %s", tt.bits, got, tt.want)
		}
	}
}

// referenceCompactToBig is N = (-1)^sign * mantissa * 256^(exponent-3)
// written with Exp and Quo instead of shifts, as an independent check.
func referenceCompactToBig(bits uint32) *big.Int {
	e := int64(bits >> 24)
	m := big.NewInt(int64(bits & 0x007fffff))
	if e >= 3 {
		m.Mul(m, new(big.Int).Exp(big.NewInt(256), big.NewInt(e-3), nil))
	} else {
		m.Quo(m, new(big.Int).Exp(big.NewInt(256), big.NewInt(3-e), nil))
	}
	if bits&0x00800000 != 0 {
		m.Neg(m)
	}
	return m
}

func FuzzCompactRoundTrip(f *testing.F) {
	for _, b := range []uint32{0, 0x00123456, 0x01003456, 0x01123456, 0x01fedcba, 0x04923456,
		0x05009234, 0x1d00ffff, 0x20123456, 0x207fffff, 0x2100ffff, 0x21010000, 0x220000ff,
		0x22000100, 0xff123456, 0xff7fffff, 0xffffffff} {
		f.Add(b)
	}
	two256 := new(big.Int).Lsh(big.NewInt(1), 256)
	f.Fuzz(func(t *testing.T, bits uint32) {
		target, negative, overflow := CompactToBig(bits)
		if want := referenceCompactToBig(bits); target.Cmp(want) != 0 {
			t.Fatalf("CompactToBig(%08x) = %x, reference %x", bits, target, want)
		}
		if negative != (target.Sign() < 0) {
			t.Fatalf("CompactToBig(%08x) negative = %v for %x", bits, negative, target)
		}
		if overflow != (target.CmpAbs(two256) >= 0) {
			t.Fatalf("CompactToBig(%08x) overflow = %v for %x", bits, overflow, target)
		}

		// BigToCompact normalises: the result decodes to the same value
		// and flags, and is its own normal form.
		normal := BigToCompact(target)
		again, negative2, overflow2 := CompactToBig(normal)
		if again.Cmp(target) != 0 || negative2 != negative || overflow2 != overflow {
			t.Fatalf("%08x -> %x -> %08x -> %x (negative %v overflow %v)",
				bits, target, normal, again, negative2, overflow2)
		}
		if BigToCompact(again) != normal {
			t.Fatalf("%08x: normal form %08x is not a fixed point", bits, normal)
		}
		if normal&0x00800000 != 0 && target.Sign() >= 0 {
			t.Fatalf("%08x: normal form %08x sets the sign bit of a non-negative value", bits, normal)
		}

		// TargetBytes agrees with CompactToBig on which targets are usable
		// and on their value.
		tb, err := TargetBytes(bits)
		valid := !negative && !overflow && target.Sign() > 0
		if valid != (err == nil) {
			t.Fatalf("TargetBytes(%08x) err = %v, CompactToBig valid = %v", bits, err, valid)
		}
		if valid {
			h := chainhash.Hash(tb)
			if got := HashToBig(&h); got.Cmp(target) != 0 {
				t.Fatalf("TargetBytes(%08x) = %x, CompactToBig %x", bits, got, target)
			}
		}
	})
}
