package mempool

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// feeSim feeds an estimator synthetic traffic: each block, for each class,
// n transactions enter at the class's rate and confirm after its delay (or,
// with delay 0, leave the pool unconfirmed after waiting drop blocks).
type feeClass struct {
	rate  FeeRate
	n     int
	delay int32 // blocks to confirm; 0 = never
	drop  int32 // for delay 0: blocks before removal
}

type feeSim struct {
	f       *FeeEstimator
	height  int32
	pending map[int32][]chainhash.Hash // confirm at height
	dropped map[int32][]chainhash.Hash // removed unconfirmed at height
	seq     uint32
}

func newFeeSim() *feeSim {
	s := &feeSim{f: NewFeeEstimator(), height: 100, pending: map[int32][]chainhash.Hash{}, dropped: map[int32][]chainhash.Hash{}}
	s.f.processBlock(s.height, nil)
	return s
}

func (s *feeSim) run(blocks int, classes ...feeClass) {
	for range blocks {
		for _, c := range classes {
			for range c.n {
				s.seq++
				var id chainhash.Hash
				binary.LittleEndian.PutUint32(id[:], s.seq)
				if !s.f.processTx(id, s.height, c.rate) {
					panic("not tracked")
				}
				if c.delay > 0 {
					s.pending[s.height+c.delay] = append(s.pending[s.height+c.delay], id)
				} else {
					s.dropped[s.height+c.drop] = append(s.dropped[s.height+c.drop], id)
				}
			}
		}
		s.height++
		for _, id := range s.dropped[s.height] {
			s.f.removeTx(id)
		}
		s.f.processBlock(s.height, s.pending[s.height])
		delete(s.pending, s.height)
	}
}

func TestFeeEstimatorTargets(t *testing.T) {
	s := newFeeSim()
	if _, err := s.f.EstimateSmartFee(2, false); !errors.Is(err, ErrNoFeeEstimate) || err.Error() != "Insufficient data or no feerate found" {
		t.Fatalf("empty estimator: %v", err)
	}
	fast := feeClass{rate: 20_000, n: 2, delay: 1}
	mid := feeClass{rate: 8_000, n: 9, delay: 3}
	midLost := feeClass{rate: 8_000, n: 1, drop: 10} // 90% of the mid rate confirms
	slow := feeClass{rate: 3_000, n: 2, delay: 10}
	s.run(300, fast, mid, midLost, slow)

	cases := []struct {
		target       int
		conservative bool
		want         FeeRate
		blocks       int
	}{
		{1, false, 20_000, 2},     // 1 is answered as 2
		{2, false, 20_000, 2},     // only the fast rate confirms within 2
		{6, false, 8_000, 6},      // 90% of the mid rate confirms within 6: enough (85%)...
		{6, true, 20_000, 6},      // ...but not for the conservative 95%
		{12, false, 3_000, 12},    // the slow rate confirms within 10
		{100, false, 3_000, 100},  // long horizon
		{1008, false, 3_000, 149}, // capped at half the 299 blocks with data
	}
	for _, c := range cases {
		got, err := s.f.EstimateSmartFee(c.target, c.conservative)
		if err != nil || got.FeeRate != c.want || got.Blocks != c.blocks {
			t.Errorf("target %d conservative %v: %+v, %v; want %d for %d blocks", c.target, c.conservative, got, err, c.want, c.blocks)
		}
	}
	for _, bad := range []int{0, -1, MaxConfirmTarget + 1} {
		if _, err := s.f.EstimateSmartFee(bad, false); !errors.Is(err, ErrInvalidTarget) {
			t.Errorf("target %d: %v", bad, err)
		}
	}
}

// Transactions still waiting past the target count against their bucket.
func TestFeeEstimatorCountsWaiting(t *testing.T) {
	s := newFeeSim()
	s.run(100, feeClass{rate: 20_000, n: 2, delay: 1}, feeClass{rate: 5_000, n: 2, delay: 2})
	if got, _ := s.f.EstimateSmartFee(4, false); got.FeeRate != 5_000 {
		t.Fatalf("before the backlog: %+v", got)
	}
	// A backlog at 5,000 that never confirms: 400 transactions waiting.
	s.run(5, feeClass{rate: 5_000, n: 80, delay: 1000})
	if got, _ := s.f.EstimateSmartFee(4, false); got.FeeRate != 20_000 {
		t.Fatalf("with the backlog: %+v", got)
	}
}

func TestFeeEstimatorSaveLoad(t *testing.T) {
	s := newFeeSim()
	s.run(120, feeClass{rate: 20_000, n: 2, delay: 1}, feeClass{rate: 4_000, n: 3, delay: 5})
	var buf bytes.Buffer
	if err := s.f.Save(&buf); err != nil {
		t.Fatal(err)
	}
	g := NewFeeEstimator()
	if err := g.Load(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	for _, target := range []int{2, 5, 10, 50} {
		a, errA := s.f.EstimateSmartFee(target, false)
		b, errB := g.EstimateSmartFee(target, false)
		if a != b || (errA == nil) != (errB == nil) {
			t.Fatalf("target %d: %+v %v / loaded %+v %v", target, a, errA, b, errB)
		}
	}
	bad := bytes.Clone(buf.Bytes())
	bad[100] ^= 1
	if err := g.Load(bytes.NewReader(bad)); !errors.Is(err, ErrMalformedFile) {
		t.Fatalf("corrupted: %v", err)
	}
	if err := g.Load(bytes.NewReader(buf.Bytes()[:50])); !errors.Is(err, ErrMalformedFile) {
		t.Fatalf("truncated: %v", err)
	}
}

// End to end: transactions accepted by the pool and confirmed by blocks
// teach the pool's estimator, whose answer respects the pool's minimum.
func TestPoolFeeEstimation(t *testing.T) {
	h := newHarness(t, Config{})
	h.funds0Value()
	for range 10 { // 30 confirmations: enough for the medium horizon
		var txs []*wire.Tx
		for range 3 {
			tx := h.spend(ins(h.out()), 1, 1000) // 9,009 per kvB
			h.mustAccept(tx)
			txs = append(txs, tx)
		}
		h.mine(txs...)
	}
	est, err := h.pool.EstimateSmartFee(2, false)
	if err != nil || est.FeeRate != 9009 || est.Blocks != 2 {
		t.Fatalf("estimate %+v, %v", est, err)
	}
	h.pool.mu.Lock()
	h.pool.rollingMinFee, h.pool.blockSinceBump = 50_000, false
	h.pool.mu.Unlock()
	if est, _ := h.pool.EstimateSmartFee(2, false); est.FeeRate != 50_000 {
		t.Fatalf("estimate below the pool minimum: %+v", est)
	}
}
