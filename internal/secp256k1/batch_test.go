//go:build cgo && libsecp256k1

package secp256k1

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/ballast-chain/ballast/internal/policy"
)

func newBatchVerifier(t testing.TB) *verifier {
	t.Helper()
	v, err := NewVerifier()
	if err != nil {
		t.Fatal(err)
	}
	bv, ok := v.(policy.BatchVerifier)
	if !ok {
		t.Fatalf("NewVerifier's %T is not a policy.BatchVerifier", v)
	}
	return bv.(*verifier)
}

// poolSize valid checks, signed once: distinct messages under 64 keys.
// Batches larger than the pool repeat checks. Under -race, which slows the
// pure-Go signing and checking of the pool tenfold, it is smaller.
func poolSize() int {
	if raceEnabled || testing.Short() {
		return 300
	}
	return 1100
}

var (
	poolOnce sync.Once
	pool     []policy.SigCheck
)

func validPool(t testing.TB) []policy.SigCheck {
	t.Helper()
	poolOnce.Do(func() {
		keys := make([]*btcec.PrivateKey, 64)
		for i := range keys {
			keys[i] = key(uint64(1000 + i))
		}
		p := make([]policy.SigCheck, poolSize())
		for i := range p {
			priv := keys[i%len(keys)]
			msg := sha256.Sum256(fmt.Appendf(nil, "batch message %d", i))
			var a [32]byte
			a[0], a[1] = byte(i), byte(i>>8)
			s, err := schnorr.Sign(priv, msg[:], schnorr.CustomNonce(a))
			if err != nil {
				panic(err)
			}
			p[i] = policy.SigCheck{Pub: xonly(priv), Msg: msg, Sig: [64]byte(s.Serialize())}
		}
		pool = p
	})
	return pool
}

// validBatch returns n valid checks, from a random place in the pool,
// cycling through it for n > poolSize().
func validBatch(t testing.TB, rng *rand.Rand, n int) []policy.SigCheck {
	p := validPool(t)
	start := rng.IntN(len(p))
	b := make([]policy.SigCheck, n)
	for i := range b {
		b[i] = p[(start+i)%len(p)]
	}
	return b
}

// goAll is the reference answer for a batch: the pure-Go verifier's AND.
func goAll(checks []policy.SigCheck) bool {
	for i := range checks {
		c := &checks[i]
		if !(policy.GoVerifier{}).VerifySchnorr(&c.Pub, &c.Msg, &c.Sig) {
			return false
		}
	}
	return true
}

// verifyBatch calls VerifyBatch and checks that it leaves the slice as it
// was.
func verifyBatch(t *testing.T, v *verifier, checks []policy.SigCheck) bool {
	t.Helper()
	before := slices.Clone(checks)
	ok := v.VerifyBatch(checks)
	if !slices.Equal(before, checks) {
		t.Fatal("VerifyBatch changed its checks")
	}
	return ok
}

// batchSizes cover each path of VerifyBatch: empty, one by one, one
// equation by Strauss's algorithm (below 88 points, 44 checks) and by
// Pippenger's, and several chunks (only where the test is not short).
func batchSizes() []int {
	s := []int{0, 1, 2, 3, batchMin - 1, batchMin, batchMin + 1, 43, 44, 45, 100, 1000}
	if !testing.Short() {
		s = append(s, batchChunk, batchChunk+1, 2*batchChunk+3)
	}
	return s
}

// TestValidPool checks the pool of valid checks the other tests build their
// batches from with the pure-Go verifier.
func TestValidPool(t *testing.T) {
	if !goAll(validPool(t)) {
		t.Fatal("pure Go rejects a check of the pool")
	}
}

func TestVerifyBatchValid(t *testing.T) {
	v := newBatchVerifier(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range batchSizes() {
		b := validBatch(t, rng, n)
		if !verifyBatch(t, v, b) {
			t.Errorf("valid batch of %d does not verify", n)
		}
	}
	if !v.VerifyBatch(nil) {
		t.Error("nil batch does not verify")
	}
	// A sub-slice: C must read from the slice's first element.
	b := validBatch(t, rng, 200)
	b[2].Sig[5] ^= 1
	b[150].Sig[5] ^= 1
	if !verifyBatch(t, v, b[3:150]) || verifyBatch(t, v, b[3:151]) || verifyBatch(t, v, b[2:150]) {
		t.Error("sub-slices do not give the answers of their own checks")
	}
}

// notOnCurveX returns a value below p that is no point's x.
func notOnCurveX(rng *rand.Rand) [32]byte {
	for {
		var x [32]byte
		fill(rng, x[:])
		x[0] &= 0x7f // below p
		if _, err := schnorr.ParsePubKey(x[:]); err != nil {
			return x
		}
	}
}

// corruption changes one check. Every one makes it invalid.
type corruption struct {
	name string
	f    func(rng *rand.Rand, c *policy.SigCheck)
}

var corruptions = []corruption{
	{"bit flip in r", func(rng *rand.Rand, c *policy.SigCheck) { flip(rng, c.Sig[:32]) }},
	{"bit flip in s", func(rng *rand.Rand, c *policy.SigCheck) { flip(rng, c.Sig[32:]) }},
	{"bit flip in msg", func(rng *rand.Rand, c *policy.SigCheck) { flip(rng, c.Msg[:]) }},
	{"bit flip in pub", func(rng *rand.Rand, c *policy.SigCheck) { flip(rng, c.Pub[:]) }},
	{"r another point's x", func(rng *rand.Rand, c *policy.SigCheck) {
		// On the curve, so only the equation catches it.
		k := xonly(key(rng.Uint64()))
		copy(c.Sig[:32], k[:])
	}},
	{"r not on curve", func(rng *rand.Rand, c *policy.SigCheck) {
		x := notOnCurveX(rng)
		copy(c.Sig[:32], x[:])
	}},
	{"r = p", func(_ *rand.Rand, c *policy.SigCheck) { copy(c.Sig[:32], hex32(fieldP)) }},
	{"r = 2^256-1", func(_ *rand.Rand, c *policy.SigCheck) { copy(c.Sig[:32], hex32(ones)) }},
	{"r = p+1", func(_ *rand.Rand, c *policy.SigCheck) { copy(c.Sig[:32], hex32(fieldP1)) }},
	{"s = n", func(_ *rand.Rand, c *policy.SigCheck) { copy(c.Sig[32:], hex32(orderN)) }},
	{"s = n+1", func(_ *rand.Rand, c *policy.SigCheck) { copy(c.Sig[32:], hex32(orderN1)) }},
	{"s = 2^256-1", func(_ *rand.Rand, c *policy.SigCheck) { copy(c.Sig[32:], hex32(ones)) }},
	{"s + 1", func(_ *rand.Rand, c *policy.SigCheck) { addModN(c.Sig[32:], 1) }},
	{"pub = p", func(_ *rand.Rand, c *policy.SigCheck) { c.Pub = [32]byte(hex32(fieldP)) }},
	{"pub = 2^256-1", func(_ *rand.Rand, c *policy.SigCheck) { c.Pub = [32]byte(hex32(ones)) }},
	{"pub not on curve", func(rng *rand.Rand, c *policy.SigCheck) { c.Pub = notOnCurveX(rng) }},
	{"pub another key", func(rng *rand.Rand, c *policy.SigCheck) { c.Pub = xonly(key(rng.Uint64())) }},
}

const (
	ones    = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	fieldP1 = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc30"
	orderN1 = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142"
)

func hex32(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		panic(s)
	}
	return b
}

func flip(rng *rand.Rand, b []byte) {
	bit := rng.IntN(8 * len(b))
	b[bit/8] ^= 1 << (bit % 8)
}

// addModN adds d to the scalar x (32 bytes big-endian, below n) mod n.
func addModN(x []byte, d uint32) {
	var s, e btcec.ModNScalar
	s.SetByteSlice(x)
	e.SetInt(d)
	s.Add(&e)
	b := s.Bytes()
	copy(x, b[:])
}

// TestVerifyBatchCorrupt corrupts one check of valid batches, in each way,
// at the first, the last and random places, in batches verified one by one,
// as one equation (Strauss and Pippenger) and in chunks. Each answer must
// be false and agree with the pure-Go verifier on every check.
func TestVerifyBatchCorrupt(t *testing.T) {
	v := newBatchVerifier(t)
	rng := rand.New(rand.NewPCG(5, 6))
	sizes := []int{1, 2, batchMin - 1, batchMin, 30, 60, 300}
	if !testing.Short() {
		sizes = append(sizes, batchChunk+100)
	}
	for _, n := range sizes {
		b := validBatch(t, rng, n)
		for _, c := range corruptions {
			places := []int{0, n - 1, rng.IntN(n)}
			if n > batchChunk {
				places = places[1:] // the second chunk; the first has place 0 below
			}
			for _, at := range places {
				old := b[at]
				c.f(rng, &b[at])
				// The pure-Go verifier's AND over the batch is its answer
				// on this check: the others come from the pool, which
				// TestValidPool checks.
				if (policy.GoVerifier{}).VerifySchnorr(&b[at].Pub, &b[at].Msg, &b[at].Sig) {
					t.Fatalf("%s: pure Go accepts the corrupted check", c.name)
				}
				if verifyBatch(t, v, b) {
					t.Errorf("n=%d, %s at %d: batch verifies", n, c.name, at)
				}
				if v.VerifySchnorr(&b[at].Pub, &b[at].Msg, &b[at].Sig) {
					t.Errorf("n=%d, %s at %d: VerifySchnorr accepts the check", n, c.name, at)
				}
				b[at] = old
			}
		}
		// A duplicate of a valid check is one more valid check.
		if n > 1 {
			b[rng.IntN(n)] = b[rng.IntN(n)]
			b[0] = b[n-1]
			if !verifyBatch(t, v, b) {
				t.Errorf("n=%d: batch with duplicates does not verify", n)
			}
		}
	}
	// Corruption in the first chunk of several.
	if !testing.Short() {
		b := validBatch(t, rng, 2*batchChunk+3)
		b[0].Sig[40] ^= 1
		if verifyBatch(t, v, b) {
			t.Error("batch with a bad first check in the first chunk verifies")
		}
	}
}

// TestVerifyBatchVectors puts each BIP340 test vector (those with a 32-byte
// message) among valid checks: the batch verifies exactly when the vector
// should.
func TestVerifyBatchVectors(t *testing.T) {
	v := newBatchVerifier(t)
	rng := rand.New(rand.NewPCG(7, 8))
	tested := 0
	for _, row := range bip340Vectors(t) {
		pub, msg, sig := mustHex(t, row[2]), mustHex(t, row[4]), mustHex(t, row[5])
		if len(pub) != 32 || len(msg) != 32 || len(sig) != 64 {
			continue
		}
		tested++
		vec := policy.SigCheck{Pub: [32]byte(pub), Msg: [32]byte(msg), Sig: [64]byte(sig)}
		want := row[6] == "TRUE"
		// With the pool valid (TestValidPool), the pure-Go verifier's AND
		// over each batch below is its answer on the vector.
		if goAll([]policy.SigCheck{vec}) != want {
			t.Fatalf("vector %s: pure Go disagrees with the vector", row[0])
		}
		for _, n := range []int{1, 2, batchMin - 1, batchMin, 50, 200} {
			b := validBatch(t, rng, n)
			at := rng.IntN(n)
			if n > 2 && tested%2 == 0 {
				at = 0 // the check of weight 1
			}
			b[at] = vec
			if got := verifyBatch(t, v, b); got != want {
				t.Errorf("vector %s (%s) at %d of %d: batch verifies %v, want %v", row[0], row[7], at, n, got, want)
			}
		}
	}
	if tested < 15 {
		t.Errorf("only %d vectors", tested)
	}
}

// TestVerifyBatchWeights shifts s of one valid check by +d and of another
// by -d. Both checks fail, but the unweighted sum of their equations,
// (s_1+s_2) G = R_1 + R_2 + e_1 P_1 + e_2 P_2, still holds (checked here
// in pure Go): only the random weights catch the pair.
func TestVerifyBatchWeights(t *testing.T) {
	v := newBatchVerifier(t)
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{2, 3, batchMin, 40, 100, 500} {
		for trial := range 4 {
			b := validBatch(t, rng, n)
			i := rng.IntN(n)
			if trial == 0 {
				i = 0 // weight 1 for one of the pair
			}
			j := rng.IntN(n - 1)
			if j >= i {
				j++
			}
			d := rng.Uint32() | 1
			addModN(b[i].Sig[32:], d)
			subModN(b[j].Sig[32:], d)
			// The other checks are valid (TestValidPool): the pair alone
			// decides whether the batch's unweighted sum holds.
			if !unweightedSumHolds(t, []policy.SigCheck{b[i], b[j]}) {
				t.Fatal("the shifted pair does not pass the unweighted equation: the test is wrong")
			}
			if goAll([]policy.SigCheck{b[i]}) || goAll([]policy.SigCheck{b[j]}) {
				t.Fatal("pure Go accepts a shifted check")
			}
			if verifyBatch(t, v, b) {
				t.Errorf("n=%d: checks %d and %d with s shifted by +-%d verify as a batch", n, i, j, d)
			}
		}
	}
}

func subModN(x []byte, d uint32) {
	var s, e btcec.ModNScalar
	s.SetByteSlice(x)
	e.SetInt(d)
	e.Negate()
	s.Add(&e)
	b := s.Bytes()
	copy(x, b[:])
}

// unweightedSumHolds reports whether sum s_i G = sum (R_i + e_i P_i), with
// btcec.
func unweightedSumHolds(t *testing.T, checks []policy.SigCheck) bool {
	t.Helper()
	var lhs, rhs btcec.JacobianPoint
	var ssum btcec.ModNScalar
	for _, c := range checks {
		p, err := schnorr.ParsePubKey(c.Pub[:])
		if err != nil {
			t.Fatal(err)
		}
		r, err := schnorr.ParsePubKey(c.Sig[:32])
		if err != nil {
			t.Fatal(err)
		}
		var s, e btcec.ModNScalar
		s.SetByteSlice(c.Sig[32:])
		ssum.Add(&s)
		h := challenge(c.Sig[:32], c.Pub[:], c.Msg[:])
		e.SetByteSlice(h[:])
		var pj, rj, ep btcec.JacobianPoint
		p.AsJacobian(&pj)
		r.AsJacobian(&rj)
		btcec.ScalarMultNonConst(&e, &pj, &ep)
		btcec.AddNonConst(&rhs, &rj, &rhs)
		btcec.AddNonConst(&rhs, &ep, &rhs)
	}
	btcec.ScalarBaseMultNonConst(&ssum, &lhs)
	lhs.ToAffine()
	rhs.ToAffine()
	return lhs.X.Equals(&rhs.X) && lhs.Y.Equals(&rhs.Y)
}

// challenge is BIP340's hash_BIP0340/challenge(r || P || m).
func challenge(r, p, m []byte) [32]byte {
	tag := sha256.Sum256([]byte("BIP0340/challenge"))
	h := sha256.New()
	h.Write(tag[:])
	h.Write(tag[:])
	h.Write(r)
	h.Write(p)
	h.Write(m)
	return [32]byte(h.Sum(nil))
}

// TestVerifyBatchConcurrent shares one verifier between goroutines
// verifying valid and invalid batches of every path at once (for -race).
func TestVerifyBatchConcurrent(t *testing.T) {
	v := newBatchVerifier(t)
	rng := rand.New(rand.NewPCG(11, 12))
	type job struct {
		b    []policy.SigCheck
		want bool
	}
	var jobs []job
	for _, n := range []int{3, batchMin, 40, 200} {
		b := validBatch(t, rng, n)
		bad := slices.Clone(b)
		bad[rng.IntN(n)].Sig[33] ^= 4
		jobs = append(jobs, job{b, true}, job{bad, false})
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Go(func() {
			for k := range 12 {
				j := jobs[(g+k)%len(jobs)]
				if got := v.VerifyBatch(j.b); got != j.want {
					errs <- fmt.Sprintf("batch of %d: %v, want %v", len(j.b), got, j.want)
				}
				c := &j.b[0]
				if got := v.VerifySchnorr(&c.Pub, &c.Msg, &c.Sig); !got && j.want {
					errs <- "a valid signature failed"
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestVerifyBatchSalts checks that verifiers with different salts (so
// different weights) agree.
func TestVerifyBatchSalts(t *testing.T) {
	v1, v2 := newBatchVerifier(t), newBatchVerifier(t)
	if v1.salt == v2.salt {
		t.Fatal("two verifiers drew the same salt")
	}
	rng := rand.New(rand.NewPCG(13, 14))
	b := validBatch(t, rng, 100)
	if !v1.VerifyBatch(b) || !v2.VerifyBatch(b) {
		t.Error("a valid batch fails under one of two salts")
	}
	b[50].Msg[0] ^= 1
	if v1.VerifyBatch(b) || v2.VerifyBatch(b) {
		t.Error("an invalid batch verifies under one of two salts")
	}
}
