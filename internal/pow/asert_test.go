package pow

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"testing"
)

// asertVectors is the schema of testdata/asert_test_vectors.json (see its
// "comments" field).
type asertVectors struct {
	Params map[string]struct {
		PowLimit           string `json:"powLimit"`
		TargetSecsPerBlock int64  `json:"targetSecsPerBlock"`
		HalfLifeSecs       int64  `json:"halfLifeSecs"`
	} `json:"params"`
	Scenarios []struct {
		Description   string `json:"description"`
		Params        string `json:"params"`
		StartDiffBits uint32 `json:"startDiffBits"`
		StartHeight   int64  `json:"startHeight"`
		StartTime     int64  `json:"startTime"`
		Tests         []struct {
			Height           uint64 `json:"height"`
			Timestamp        int64  `json:"timestamp"`
			ExpectedDiffBits uint32 `json:"expectedDiffBits"`
		} `json:"tests"`
	} `json:"scenarios"`
}

func TestASERTVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/asert_test_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v asertVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, s := range v.Scenarios {
		p, ok := v.Params[s.Params]
		if !ok {
			t.Fatalf("%s: unknown params %q", s.Description, s.Params)
		}
		powLimit := mustHex(t, p.PowLimit)
		if err := CheckASERTParams(powLimit, p.TargetSecsPerBlock, p.HalfLifeSecs, s.StartDiffBits); err != nil {
			t.Fatalf("%s: %v", s.Description, err)
		}
		for _, tc := range s.Tests {
			cases++
			// The start is the anchor; height and timestamp are those of
			// the most recent block (the parent of the block whose
			// difficulty is computed). Heights go past MaxInt64, their
			// difference does not.
			heightDelta := int64(tc.Height - uint64(s.StartHeight))
			timeDelta := tc.Timestamp - s.StartTime
			got := CalcASERTBits(powLimit, p.TargetSecsPerBlock, p.HalfLifeSecs, s.StartDiffBits, heightDelta, timeDelta)
			if got != tc.ExpectedDiffBits {
				t.Errorf("%s: height %d time %d: bits %08x, want %08x",
					s.Description, tc.Height, tc.Timestamp, got, tc.ExpectedDiffBits)
			}
		}
	}
	// The published file: 17 scenarios, 1,424 cases. Fail if it shrank.
	if len(v.Scenarios) != 17 || cases != 1424 {
		t.Fatalf("ran %d scenarios, %d cases; want 17, 1424", len(v.Scenarios), cases)
	}
}

func TestCheckASERTParams(t *testing.T) {
	limit := mustHex(t, bitcoinPowLimit)
	tests := []struct {
		name       string
		powLimit   *big.Int
		spacing    int64
		halfLife   int64
		anchorBits uint32
		want       error
	}{
		{"valid", limit, 600, 172800, 0x1d00ffff, nil},
		{"anchor of target 1", limit, 600, 172800, 0x01010000, nil},
		{"nil limit", nil, 600, 172800, 0x1d00ffff, ErrBadParams},
		{"zero limit", new(big.Int), 600, 172800, 0x1d00ffff, ErrBadParams},
		{"negative limit", big.NewInt(-1), 600, 172800, 0x1d00ffff, ErrBadParams},
		{"limit of 2^256", new(big.Int).Lsh(big.NewInt(1), 256), 600, 172800, 0x1d00ffff, ErrBadParams},
		{"zero spacing", limit, 0, 172800, 0x1d00ffff, ErrBadParams},
		{"negative half-life", limit, 600, -1, 0x1d00ffff, ErrBadParams},
		{"zero half-life", limit, 600, 0, 0x1d00ffff, ErrBadParams},
		{"anchor above limit", limit, 600, 172800, 0x1d010000, ErrBadTarget},
		{"zero anchor", limit, 600, 172800, 0, ErrBadTarget},
		{"negative anchor", limit, 600, 172800, 0x1c80ffff, ErrBadTarget},
		{"overflowing anchor", limit, 600, 172800, 0xff123456, ErrBadTarget},
	}
	for _, tt := range tests {
		err := CheckASERTParams(tt.powLimit, tt.spacing, tt.halfLife, tt.anchorBits)
		if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestCalcASERTBitsPanics(t *testing.T) {
	limit := mustHex(t, bitcoinPowLimit)
	tests := []struct {
		name                  string
		spacing, halfLife     int64
		anchorBits            uint32
		heightDelta, timeDiff int64
	}{
		{"negative height delta", 600, 172800, 0x1d00ffff, -1, 0},
		{"zero half-life", 600, 0, 0x1d00ffff, 0, 0},
		{"zero spacing", 0, 172800, 0x1d00ffff, 0, 0},
		{"anchor above limit", 600, 172800, 0x1e00ffff, 0, 0},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tt.name)
				}
			}()
			CalcASERTBits(limit, tt.spacing, tt.halfLife, tt.anchorBits, tt.heightDelta, tt.timeDiff)
		}()
	}
}

// TestASERTExtremes covers inputs far outside the vectors: results pin to the
// limit or to target 1 instead of wrapping.
func TestASERTExtremes(t *testing.T) {
	limit := mustHex(t, bitcoinPowLimit)
	limitBits := BigToCompact(limit)
	const (
		anchor  = 0x1b00a5a6
		target1 = 0x01010000
	)
	tests := []struct {
		name                   string
		halfLife               int64
		heightDelta, timeDelta int64
		want                   uint32
	}{
		{"latest time", 172800, 0, math.MaxInt64, limitBits},
		{"earliest time", 172800, 0, math.MinInt64, target1},
		{"most blocks, earliest time", 172800, math.MaxInt64, math.MinInt64, target1},
		{"spacing*heights dwarfs the time", 172800, math.MaxInt64, math.MaxInt64, target1},
		{"on schedule near MaxInt64", 172800, math.MaxInt64 / 600, math.MaxInt64 / 600 * 600, anchor},
		{"on schedule at 2^40 blocks", 172800, 1 << 40, 600 << 40, anchor},
		{"300 half-lives behind", 172800, 0, 172800 * 300, limitBits},
		{"600000 half-lives ahead", 1, 1000, 0, target1},
	}
	for _, tt := range tests {
		if got := CalcASERTBits(limit, 600, tt.halfLife, anchor, tt.heightDelta, tt.timeDelta); got != tt.want {
			t.Errorf("%s: CalcASERTBits(Δh %d, Δt %d) = %08x, want %08x",
				tt.name, tt.heightDelta, tt.timeDelta, got, tt.want)
		}
	}
}

// TestASERTApproximatesExponential checks the fixed-point result against
// anchor * 2^((Δt - spacing*Δh)/halfLife) in floating point. The integer
// algorithm errs by under 0.013% (polynomial), 2^-15 (compact mantissa) and
// ln2*2^-16 (exponent truncation); 0.05% bounds their sum.
func TestASERTApproximatesExponential(t *testing.T) {
	limit := mustHex(t, bitcoinPowLimit)
	const (
		spacing  = 600
		halfLife = 172800
		anchor   = 0x1b00a5a6
	)
	anchorTarget, _, _ := CompactToBig(anchor)
	r := rand.New(rand.NewPCG(5, 6))
	for range 5000 {
		heightDelta := r.Int64N(1_000_000)
		// Up to 15 half-lives either side of the schedule.
		timeDelta := spacing*heightDelta + r.Int64N(30*halfLife) - 15*halfLife
		got, _, _ := CompactToBig(CalcASERTBits(limit, spacing, halfLife, anchor, heightDelta, timeDelta))
		exponent := float64(timeDelta-spacing*heightDelta) / halfLife
		want := new(big.Float).SetInt(anchorTarget)
		want.Mul(want, big.NewFloat(math.Exp2(exponent)))
		if want.Cmp(new(big.Float).SetInt(limit)) > 0 {
			want.SetInt(limit)
		}
		ratio, _ := new(big.Float).Quo(new(big.Float).SetInt(got), want).Float64()
		if math.Abs(ratio-1) > 5e-4 {
			t.Fatalf("Δh %d Δt %d: target %x, exponential %.6g (ratio %.6f)", heightDelta, timeDelta, got, want, ratio)
		}
	}
}

// TestASERTMonotonicScan walks the time delta second by second across many
// fractional wrap-arounds: later blocks never get a harder target.
func TestASERTMonotonicScan(t *testing.T) {
	limit := mustHex(t, "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")
	prev := big.NewInt(0)
	for td := int64(-200); td <= 200; td++ {
		// simnet: 1 s spacing, 6 s half-life; 100 blocks in.
		got, _, _ := CompactToBig(CalcASERTBits(limit, 1, 6, 0x1e1b4e81, 100, 100+td))
		if got.Cmp(prev) < 0 {
			t.Fatalf("Δt %d: target %x below the previous %x", 100+td, got, prev)
		}
		prev = got
	}
}

// asertLimits are the limits FuzzASERT draws from: the vectors' three and
// Bitcoin's.
func asertLimits(t testing.TB) []*big.Int {
	return []*big.Int{
		mustHex(t, "00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
		mustHex(t, "000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
		mustHex(t, "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
		mustHex(t, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
	}
}

func FuzzASERT(f *testing.F) {
	f.Add(uint8(0), int64(300), int64(43200), uint32(0x1b00a5a6), int64(10), int64(3000), int64(1), int64(0))
	f.Add(uint8(2), int64(1), int64(6), uint32(0x207fffff), int64(0), int64(-5), int64(100), int64(1))
	f.Add(uint8(1), int64(120), int64(720), uint32(0x1d074388), int64(24), int64(2880), int64(65535), int64(3))
	f.Add(uint8(3), int64(math.MaxInt64), int64(math.MaxInt64), uint32(0x01010000), int64(math.MaxInt64), int64(math.MinInt64), int64(math.MaxInt64), int64(math.MaxInt64))
	limits := asertLimits(f)
	f.Fuzz(func(t *testing.T, limitIndex uint8, spacing, halfLife int64, anchorBits uint32, heightDelta, timeDelta, later, more int64) {
		powLimit := limits[int(limitIndex)%len(limits)]
		if CheckASERTParams(powLimit, spacing, halfLife, anchorBits) != nil || heightDelta < 0 {
			t.Skip("outside CalcASERTBits's domain")
		}
		target := func(heightDelta, timeDelta int64) *big.Int {
			bits := CalcASERTBits(powLimit, spacing, halfLife, anchorBits, heightDelta, timeDelta)
			n, negative, overflow := CompactToBig(bits)
			if negative || overflow || n.Sign() <= 0 || n.Cmp(powLimit) > 0 {
				t.Fatalf("Δh %d Δt %d: bits %08x, target %x not in [1, %x]", heightDelta, timeDelta, bits, n, powLimit)
			}
			if BigToCompact(n) != bits {
				t.Fatalf("bits %08x are not in normal form", bits)
			}
			return n
		}
		base := target(heightDelta, timeDelta)

		// A later parent timestamp never makes the target harder.
		if later < 0 {
			later = -(later + 1)
		}
		if timeDelta <= math.MaxInt64-later {
			if t2 := target(heightDelta, timeDelta+later); t2.Cmp(base) < 0 {
				t.Fatalf("Δt %d -> %d: target fell from %x to %x", timeDelta, timeDelta+later, base, t2)
			}
		}
		// More blocks in the same time never make it easier.
		if more < 0 {
			more = -(more + 1)
		}
		if heightDelta <= math.MaxInt64-more {
			if t2 := target(heightDelta+more, timeDelta); t2.Cmp(base) > 0 {
				t.Fatalf("Δh %d -> %d: target rose from %x to %x", heightDelta, heightDelta+more, base, t2)
			}
		}
	})
}
