package mempool

import (
	"slices"
	"strings"
	"testing"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

func ins(o ...*chaingen.SpendableOut) []*chaingen.SpendableOut { return o }

func TestReplaceByFee(t *testing.T) {
	h := newHarness(t, Config{})
	x := h.out()
	a := h.spend(ins(x), 1, 1000) // does not signal: full RBF replaces it anyway
	h.mustAccept(a)
	child := h.spend(outs(a), 1, 1000)
	h.mustAccept(child)
	r := h.spend(ins(x), 1, 2000+keySpendVSize)
	if tr := h.pool.TestAccept([]*wire.Tx{r}); !tr[0].Allowed || h.pool.Count() != 2 {
		t.Fatalf("TestAccept of a replacement: %+v", tr[0])
	}
	res := h.mustAccept(r)
	want := []chainhash.Hash{a.TxHash(), child.TxHash()}
	slices.SortFunc(want, compareHash)
	slices.SortFunc(res.Replaced, compareHash)
	if !slices.Equal(res.Replaced, want) {
		t.Fatalf("replaced %v, want %v", res.Replaced, want)
	}
	if h.pool.Has(a.TxHash()) || h.pool.Has(child.TxHash()) || h.pool.Count() != 1 {
		t.Fatal("replaced transactions are still in the pool")
	}
	if id, _ := h.pool.Spender(x.OutPoint); id != r.TxHash() {
		t.Fatal("spender index not updated")
	}
}

func TestReplacementRules(t *testing.T) {
	cases := []struct {
		name, reason, detail string
		cfg                  Config
		// setup fills the pool and returns the replacement to try and a
		// twin that differs only in the rule under test and is accepted.
		setup func(h *harness) (bad, good *wire.Tx)
	}{
		{"feerate-not-higher", "insufficient fee", "new feerate", Config{}, func(h *harness) (*wire.Tx, *wire.Tx) {
			x := h.out()
			h.mustAccept(h.spend(ins(x), 1, 5000))
			// More fee, but a lower rate: two outputs make it larger.
			return h.spend(ins(x), 2, 6000), h.spend(ins(x), 1, 5000+keySpendVSize)
		}},
		{"rule3-less-than-evicted", "insufficient fee", "less fees than conflicting txs; 0.00005999 < 0.00006", Config{}, func(h *harness) (*wire.Tx, *wire.Tx) {
			x := h.out()
			a := h.spend(ins(x), 1, 1000)
			h.mustAccept(a)
			h.mustAccept(h.spend(outs(a), 1, 5000)) // the child's fee must be covered too
			return h.spend(ins(x), 1, 5999), h.spend(ins(x), 1, 6000+keySpendVSize)
		}},
		{"rule4-relay-of-own-size", "insufficient fee", "not enough additional fees to relay; 0.0000011 < 0.00000111", Config{}, func(h *harness) (*wire.Tx, *wire.Tx) {
			x := h.out()
			h.mustAccept(h.spend(ins(x), 1, 1000))
			return h.spend(ins(x), 1, 1000+keySpendVSize-1), h.spend(ins(x), 1, 1000+keySpendVSize)
		}},
		{"rule2-new-unconfirmed-input", "replacement-adds-unconfirmed", "adds unconfirmed input, idx 1", Config{}, func(h *harness) (*wire.Tx, *wire.Tx) {
			x, y := h.out(), h.out()
			h.mustAccept(h.spend(ins(x), 1, 1000))
			other := h.spend(ins(y), 2, 1000)
			h.mustAccept(other)
			return h.spend(ins(x, outs(other)[0]), 1, 10_000), h.spend(ins(x, h.out()), 1, 10_000)
		}},
		{"spends-conflicting", "bad-txns-spends-conflicting-tx", "spends conflicting transaction", Config{}, func(h *harness) (*wire.Tx, *wire.Tx) {
			x, y := h.out(), h.out()
			a := h.spend(ins(x, y), 2, 1000)
			h.mustAccept(a)
			// Spends y (conflicting with a) and a's own output.
			return h.spend(ins(y, outs(a)[0]), 1, 50_000), nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.cfg)
			bad, good := tc.setup(h)
			before := h.pool.Count()
			if err := h.mustReject(bad, tc.reason); !strings.Contains(err.Error(), tc.detail) {
				t.Fatalf("%v, want details %q", err, tc.detail)
			}
			if h.pool.Count() != before {
				t.Fatal("a rejected replacement changed the pool")
			}
			if good != nil {
				if res := h.mustAccept(good); len(res.Replaced) == 0 {
					t.Fatal("good twin replaced nothing")
				}
			}
		})
	}
}

// Rule 5: a replacement may evict at most 100 transactions.
func TestTooManyReplacements(t *testing.T) {
	h := newHarness(t, Config{})
	fund := h.fund(MaxReplacements + 1)
	for _, o := range fund {
		h.mustAccept(h.spend(ins(o), 1, 1000))
	}
	fee := int64(MaxReplacements+1)*1000 + 100_000
	h.mustReject(h.spend(fund, 1, fee), "too many potential replacements")
	res := h.mustAccept(h.spend(fund[:MaxReplacements], 1, fee))
	if len(res.Replaced) != MaxReplacements {
		t.Fatalf("replaced %d", len(res.Replaced))
	}
}

// Under opt-in RBF a signalling conflict is still replaceable.
func TestOptInRBFSignalling(t *testing.T) {
	h := newHarness(t, Config{OptInRBF: true})
	x := h.out()
	h.mustAccept(h.build(ins(x), []wire.TxOut{h.pay(x.Out.Value - 1000)}, func(tx *wire.Tx) { tx.TxIn[0].Sequence = 0xfffffffd }))
	h.mustAccept(h.spend(ins(x), 1, 5000))
	if info := h.pool.Info(); info.FullRBF {
		t.Fatal("Info reports full RBF")
	}
}

// Limits are judged after the replacement's evictions: replacing a child
// of a parent at the descendant limit is allowed.
func TestReplacementWithinDescendantLimit(t *testing.T) {
	h := newHarness(t, Config{})
	parent := h.spend(ins(h.out()), 25, 10_000)
	h.mustAccept(parent)
	o := outs(parent)
	for i := range 24 {
		h.mustAccept(h.spend(o[i:i+1], 1, 1000))
	}
	h.mustReject(h.spend(o[24:25], 1, 1000), "too-long-mempool-chain")
	res := h.mustAccept(h.spend(o[23:24], 1, 1000+keySpendVSize))
	if len(res.Replaced) != 1 {
		t.Fatalf("replaced %v", res.Replaced)
	}
}

func TestFormatMoney(t *testing.T) {
	for v, want := range map[int64]string{0: "0.00", 500: "0.000005", 1000: "0.00001", 100_000_000: "1.00",
		123_456_789: "1.23456789", -150_000_000: "-1.50"} {
		if got := formatMoney(v); got != want {
			t.Errorf("formatMoney(%d) = %q, want %q", v, got, want)
		}
	}
}
