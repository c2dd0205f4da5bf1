package mempool

import (
	"errors"
	"math"
	"testing"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/sighash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// rejectCase is one policy or consensus rule. build returns a transaction
// breaking exactly that rule and, where there is one, a twin that differs
// only in the rule and is accepted: if the rule stopped being enforced, bad
// would be accepted; if it were enforced too widely, good would not be.
type rejectCase struct {
	name   string
	reason string
	cfg    Config
	build  func(h *harness) (bad, good *wire.Tx)
}

func TestRejectReasons(t *testing.T) {
	for _, tc := range rejectCases() {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.cfg)
			bad, good := tc.build(h)
			err := h.mustReject(bad, tc.reason)
			if h.pool.Has(bad.TxHash()) && tc.reason != "txn-already-in-mempool" && tc.reason != "txn-same-nonwitness-data-in-mempool" {
				t.Fatalf("rejected tx is in the pool")
			}
			res := h.pool.TestAccept([]*wire.Tx{bad})
			if res[0].Allowed || res[0].RejectReason != tc.reason {
				t.Fatalf("TestAccept: %+v, want %q", res[0], tc.reason)
			}
			t.Logf("%s: %v", tc.reason, err)
			if good != nil {
				if r := h.pool.TestAccept([]*wire.Tx{good}); !r[0].Allowed {
					t.Fatalf("TestAccept of the good twin: %v", r[0].Err)
				}
				h.mustAccept(good)
			}
		})
	}
}

func rejectCases() []rejectCase {
	one := func(h *harness, v int64, edit func(*wire.Tx)) *wire.Tx {
		return h.build([]*chaingen.SpendableOut{h.out()}, []wire.TxOut{h.pay(v)}, edit)
	}
	keep := func(h *harness) int64 { return h.funds0Value() - 1000 }
	return []rejectCase{
		{name: "coinbase", reason: "coinbase", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			return h.g.Coinbase(h.chain.c.Tip.Height+1, 1000, nil), nil
		}},
		{name: "version", reason: "version", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			bad := one(h, keep(h), func(tx *wire.Tx) { tx.Version = 3 })
			good := one(h, keep(h), func(tx *wire.Tx) { tx.Version = 1 })
			return bad, good
		}},
		{name: "tx-size", reason: "tx-size", cfg: Config{MaxTxWeight: 600}, build: func(h *harness) (*wire.Tx, *wire.Tx) {
			bad := h.build([]*chaingen.SpendableOut{h.out()}, []wire.TxOut{h.pay(1000), h.pay(keep(h) - 1000)}, nil)
			return bad, one(h, keep(h), nil) // weights 610 and 442
		}},
		{name: "tx-size-small", reason: "tx-size-small", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			burn := func(n int) wire.TxOut { return wire.TxOut{Lock: wire.BurnLock(make([]byte, n))} }
			bad := h.build([]*chaingen.SpendableOut{h.out()}, []wire.TxOut{burn(1)}, nil) // 64 bytes
			good := h.build([]*chaingen.SpendableOut{h.out()}, []wire.TxOut{burn(2)}, nil)
			return bad, good
		}},
		{name: "dust", reason: "dust", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			bad := h.build([]*chaingen.SpendableOut{h.out()}, []wire.TxOut{h.pay(293), h.pay(keep(h))}, nil)
			good := h.build([]*chaingen.SpendableOut{h.out()}, []wire.TxOut{h.pay(294), h.pay(keep(h))}, nil)
			return bad, good
		}},
		{name: "dust-asset", reason: "dust", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			asset := wire.TxOut{Asset: wire.AssetID{1}, Value: 0, Lock: chaingen.KeyLock(h.g.Key)}
			return h.build([]*chaingen.SpendableOut{h.out()}, []wire.TxOut{h.pay(keep(h)), asset}, nil), nil
		}},
		{name: "multi-op-return", reason: "multi-op-return", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			burn := wire.TxOut{Lock: wire.BurnLock([]byte("ref"))}
			bad := h.build([]*chaingen.SpendableOut{h.out()}, []wire.TxOut{h.pay(keep(h)), burn, burn}, nil)
			good := h.build([]*chaingen.SpendableOut{h.out()}, []wire.TxOut{h.pay(keep(h)), burn}, nil)
			return bad, good
		}},
		{name: "record", reason: "bad-txns-record", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			return one(h, keep(h), func(tx *wire.Tx) { tx.Records = []wire.Record{{Type: wire.RecordIssue}} }), nil
		}},
		{name: "non-final", reason: "non-final", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			v := keep(h) // funds first: funding mines a block
			tip := uint32(h.chain.c.Tip.Height)
			lock := func(lt uint32) func(*wire.Tx) {
				return func(tx *wire.Tx) { tx.LockTime, tx.TxIn[0].Sequence = lt, 0xfffffffe }
			}
			return one(h, v, lock(tip+1)), one(h, v, lock(tip))
		}},
		{name: "non-BIP68-final", reason: "non-BIP68-final", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			fresh := h.fund(2) // confirmed at the tip
			seq := func(n uint32) func(*wire.Tx) { return func(tx *wire.Tx) { tx.TxIn[0].Sequence = n } }
			v := fresh[0].Out.Value - 1000
			bad := h.build(fresh[:1], []wire.TxOut{h.pay(v)}, seq(2))
			good := h.build(fresh[1:], []wire.TxOut{h.pay(v)}, seq(1))
			return bad, good
		}},
		{name: "non-BIP68-final-unconfirmed-parent", reason: "non-BIP68-final", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			parent := h.spend([]*chaingen.SpendableOut{h.out()}, 2, 1000)
			h.mustAccept(parent)
			v := parent.TxOut[0].Value - 1000
			seq := func(n uint32) func(*wire.Tx) { return func(tx *wire.Tx) { tx.TxIn[0].Sequence = n } }
			bad := h.build(outs(parent)[:1], []wire.TxOut{h.pay(v)}, seq(1))
			good := h.build(outs(parent)[1:], []wire.TxOut{h.pay(v)}, seq(0))
			return bad, good
		}},
		{name: "premature-coinbase", reason: "bad-txns-premature-spend-of-coinbase", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			young := h.g.Coinbases[h.chain.c.Tip.Height-testMaturity/2]
			return h.spend([]*chaingen.SpendableOut{young}, 1, 1000), h.spend([]*chaingen.SpendableOut{h.coinbase()}, 1, 1000)
		}},
		{name: "missing-inputs", reason: "bad-txns-inputs-missingorspent", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			ghost := &chaingen.SpendableOut{OutPoint: wire.OutPoint{Hash: chainhash.Hash{9}}, Out: h.pay(5000)}
			return h.spend([]*chaingen.SpendableOut{ghost}, 1, 1000), nil
		}},
		{name: "already-known", reason: "txn-already-known", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			tx := h.spend([]*chaingen.SpendableOut{h.out()}, 1, 1000)
			h.mine(tx)
			return tx, nil
		}},
		{name: "already-in-mempool", reason: "txn-already-in-mempool", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			tx := h.spend([]*chaingen.SpendableOut{h.out()}, 1, 1000)
			h.mustAccept(tx)
			return tx, nil
		}},
		{name: "same-nonwitness", reason: "txn-same-nonwitness-data-in-mempool", build: sameTxidOtherWitness},
		{name: "min-relay-fee", reason: "min relay fee not met", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			bad := h.spend([]*chaingen.SpendableOut{h.out()}, 1, keySpendVSize-1)
			good := h.spend([]*chaingen.SpendableOut{h.out()}, 1, keySpendVSize)
			return bad, good
		}},
		{name: "below-out", reason: "bad-txns-in-belowout", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			return one(h, h.funds0Value()+1, nil), nil
		}},
		{name: "bad-signature", reason: "mandatory-script-verify-flag-failed", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			tx := h.spend([]*chaingen.SpendableOut{h.out()}, 1, 1000)
			tx.TxIn[0].Witness[0][5] ^= 1
			return tx, nil
		}},
		{name: "full-rbf-off", reason: "txn-mempool-conflict", cfg: Config{OptInRBF: true}, build: func(h *harness) (*wire.Tx, *wire.Tx) {
			final, signalling := h.out(), h.out()
			h.mustAccept(h.spend([]*chaingen.SpendableOut{final}, 1, 1000))
			h.mustAccept(h.build([]*chaingen.SpendableOut{signalling}, []wire.TxOut{h.pay(signalling.Out.Value - 1000)},
				func(tx *wire.Tx) { tx.TxIn[0].Sequence = 0xfffffffd }))
			return h.spend([]*chaingen.SpendableOut{final}, 1, 5000), h.spend([]*chaingen.SpendableOut{signalling}, 1, 5000)
		}},
		{name: "ancestor-count", reason: "too-long-mempool-chain", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			tip := h.chainOf(h.out(), 25)
			return h.spend(outs(tip)[:1], 1, 1000), nil
		}},
		{name: "ancestor-size", reason: "too-long-mempool-chain", cfg: Config{AncestorSizeLimit: 2*keySpendVSize + 50},
			build: func(h *harness) (*wire.Tx, *wire.Tx) {
				tip := h.chainOf(h.out(), 2)
				return h.spend(outs(tip)[:1], 1, 1000), nil
			}},
		{name: "descendant-count", reason: "too-long-mempool-chain", build: func(h *harness) (*wire.Tx, *wire.Tx) {
			parent := h.spend([]*chaingen.SpendableOut{h.out()}, 26, 5000)
			h.mustAccept(parent)
			o := outs(parent)
			for i := range 24 {
				h.mustAccept(h.spend(o[i:i+1], 1, 1000))
			}
			return h.spend(o[24:25], 1, 1000), nil
		}},
		{name: "descendant-size", reason: "too-long-mempool-chain", cfg: Config{DescendantSizeLimit: 400}, build: func(h *harness) (*wire.Tx, *wire.Tx) {
			parent := h.spend([]*chaingen.SpendableOut{h.out()}, 3, 1000) // 195 vB
			h.mustAccept(parent)
			o := outs(parent)
			h.mustAccept(h.spend(o[:1], 1, 1000))
			return h.spend(o[1:2], 1, 1000), nil
		}},
	}
}

// funds0Value is the value of the stock outputs (all equal).
func (h *harness) funds0Value() int64 {
	if len(h.funds) == 0 {
		h.funds = h.fund(50)
	}
	return h.funds[0].Out.Value
}

// chainOf accepts a chain of n one-output spends starting at o and returns
// the last.
func (h *harness) chainOf(o *chaingen.SpendableOut, n int) *wire.Tx {
	var tx *wire.Tx
	for range n {
		tx = h.spend([]*chaingen.SpendableOut{o}, 1, 1000)
		h.mustAccept(tx)
		o = outs(tx)[0]
	}
	return tx
}

// sameTxidOtherWitness spends an or(A, B) policy output twice, signed by A
// and by B: one txid, two wtxids.
func sameTxidOtherWitness(h *harness) (*wire.Tx, *wire.Tx) {
	a, b := chaingen.KeyFromSeed("a"), chaingen.KeyFromSeed("b")
	pol := policy.NewOr(policy.NewKey(chaingen.XOnly(a)), policy.NewKey(chaingen.XOnly(b)))
	lock := wire.PolicyLock(pol.Hash())
	in := h.out()
	fund := h.build([]*chaingen.SpendableOut{in}, []wire.TxOut{{Value: in.Out.Value - 1000, Lock: lock}}, nil)
	h.mustAccept(fund)
	tx := &wire.Tx{Version: 2, TxIn: []wire.TxIn{{PrevOut: outs(fund)[0].OutPoint, Sequence: math.MaxUint32}},
		TxOut: []wire.TxOut{h.pay(fund.TxOut[0].Value - 1000)}}
	prev := []wire.TxOut{fund.TxOut[0]}
	hash, err := sighash.Hash(tx, 0, prev, sighash.NewCache(tx, prev))
	if err != nil {
		h.t.Fatal(err)
	}
	env := policy.SpendEnv{SigHash: hash, TxVersion: tx.Version, LockTime: tx.LockTime, Sequence: tx.TxIn[0].Sequence}
	witness := func(k *policy.KeyRing) [][]byte {
		w, err := policy.BuildWitness(lock, pol, k, &env)
		if err != nil {
			h.t.Fatal(err)
		}
		return w
	}
	byA, byB := *tx, *tx
	byA.TxIn = []wire.TxIn{tx.TxIn[0]}
	byB.TxIn = []wire.TxIn{tx.TxIn[0]}
	byA.TxIn[0].Witness = witness(policy.NewKeyRing(a))
	byB.TxIn[0].Witness = witness(policy.NewKeyRing(b))
	if byA.TxHash() != byB.TxHash() || byA.WitnessHash() == byB.WitnessHash() {
		h.t.Fatal("witness variants do not share a txid")
	}
	h.mustAccept(&byA)
	return &byB, nil
}

func TestAcceptResultAndViews(t *testing.T) {
	h := newHarness(t, Config{})
	in := h.out()
	parent := h.spend([]*chaingen.SpendableOut{in}, 2, 2000)
	r := h.mustAccept(parent)
	if r.TxID != parent.TxHash() || r.WTxID != parent.WitnessHash() || r.Fee != 2000 || r.VSize != vsizeOf(parent.Weight()) {
		t.Fatalf("result %+v", r)
	}
	child := h.spend(outs(parent)[:1], 1, 3000)
	h.mustAccept(child)
	if id, ok := h.pool.Spender(in.OutPoint); !ok || id != parent.TxHash() {
		t.Fatalf("Spender = %s, %v", id, ok)
	}
	// FetchUtxo: the pool's unspent output is there at MempoolHeight, the
	// spent one and the spent chain output are gone.
	if e, _ := h.pool.FetchUtxo(outs(parent)[1].OutPoint); e == nil || e.Height != MempoolHeight || e.Out.Value != parent.TxOut[1].Value {
		t.Fatalf("FetchUtxo of unspent pool output: %+v", e)
	}
	for _, op := range []wire.OutPoint{outs(parent)[0].OutPoint, in.OutPoint} {
		if e, _ := h.pool.FetchUtxo(op); e != nil {
			t.Fatalf("FetchUtxo of spent %v: %+v", op, e)
		}
	}
	if e, _ := h.pool.FetchUtxo(h.out().OutPoint); e == nil {
		t.Fatal("FetchUtxo misses a chain output")
	}
	pe, ok := h.pool.Entry(parent.TxHash())
	if !ok || pe.DescendantCount != 2 || pe.Fees.Descendant != 5000 || pe.AncestorCount != 1 ||
		len(pe.SpentBy) != 1 || pe.SpentBy[0] != child.TxHash() || pe.BIP125Replaceable {
		t.Fatalf("parent entry %+v", pe)
	}
	ce, _ := h.pool.Entry(child.TxHash())
	if ce.AncestorCount != 2 || ce.AncestorSize != pe.VSize+ce.VSize || ce.Fees.Ancestor != 5000 ||
		len(ce.Depends) != 1 || ce.Depends[0] != parent.TxHash() || ce.Height != h.chain.c.Tip.Height {
		t.Fatalf("child entry %+v", ce)
	}
	info := h.pool.Info()
	if info.Size != 2 || info.Bytes != pe.VSize+ce.VSize || info.TotalFee != 5000 || !info.Loaded || !info.FullRBF ||
		info.MempoolMinFee != DefaultMinRelayFeeRate || info.MaxMempool != DefaultMaxUsage || info.Usage <= 0 {
		t.Fatalf("info %+v", info)
	}
	if got := h.pool.Get(child.TxHash()); got == nil || got.WitnessHash() != child.WitnessHash() || got == child {
		t.Fatal("Get must return the pool's own copy")
	}
	if len(h.pool.TxIDs()) != 2 {
		t.Fatal("TxIDs")
	}
}

// The pool keeps a copy: changing the submitted transaction afterwards
// changes nothing.
func TestAcceptCopies(t *testing.T) {
	h := newHarness(t, Config{})
	tx := h.spend([]*chaingen.SpendableOut{h.out()}, 1, 1000)
	h.mustAccept(tx)
	id := tx.TxHash()
	tx.TxOut[0].Value = 1
	tx.TxIn[0].Witness[0][0] ^= 0xff
	if got := h.pool.Get(id); got.TxHash() != id {
		t.Fatal("pool transaction changed with the caller's")
	}
}

func TestMissingInputsIsOrphanHint(t *testing.T) {
	h := newHarness(t, Config{})
	parent := h.spend([]*chaingen.SpendableOut{h.out()}, 1, 1000)
	child := h.spend(outs(parent), 1, 1000)
	_, err := h.pool.Accept(child)
	if !errors.Is(err, consensus.ErrMissingTxOut) || !errors.Is(err, ErrConsensus) {
		t.Fatalf("orphan: %v", err)
	}
	h.mustAccept(parent)
	h.mustAccept(child)
}

func TestPackageTestAccept(t *testing.T) {
	h := newHarness(t, Config{})
	in := h.out()
	parent := h.spend([]*chaingen.SpendableOut{in}, 2, 1000)
	child := h.spend(outs(parent)[:1], 1, 1000)
	res := h.pool.TestAccept([]*wire.Tx{parent, child})
	for _, r := range res {
		if !r.Allowed || !r.Checked || r.Fee != 1000 {
			t.Fatalf("package member %+v", r)
		}
	}
	if h.pool.Count() != 0 {
		t.Fatal("TestAccept changed the pool")
	}
	h.checkInvariants()
	cases := []struct {
		txs    []*wire.Tx
		reason string
	}{
		{[]*wire.Tx{child, parent}, "package-not-sorted"},
		{[]*wire.Tx{parent, parent}, "package-contains-duplicates"},
		{[]*wire.Tx{parent, child, h.spend(outs(parent)[:1], 1, 2000)}, "conflict-in-package"},
	}
	for _, c := range cases {
		for _, r := range h.pool.TestAccept(c.txs) {
			if r.Allowed || r.RejectReason != c.reason {
				t.Fatalf("%s: %+v", c.reason, r)
			}
		}
	}
	// A failing member stops the check; the rest are not looked at.
	bad := h.spend(outs(parent)[1:], 1, 1)
	res = h.pool.TestAccept([]*wire.Tx{parent, bad, h.spend(outs(bad), 1, 1000)})
	if !res[0].Allowed || res[1].Allowed || res[1].RejectReason != "min relay fee not met" || res[2].Checked {
		t.Fatalf("package with failing member: %+v", res)
	}
	// Packages may not replace.
	h.mustAccept(parent)
	rival := h.spend([]*chaingen.SpendableOut{in}, 1, 5000)
	other := h.spend([]*chaingen.SpendableOut{h.out()}, 1, 1000)
	res = h.pool.TestAccept([]*wire.Tx{other, rival})
	if res[1].RejectReason != "bip125-replacement-disallowed" {
		t.Fatalf("package replacement: %+v", res[1])
	}
	if h.pool.Count() != 1 {
		t.Fatal("TestAccept changed the pool")
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{{MaxUsage: -1}, {Expiry: -1}, {MinRelayFeeRate: -1}, {MaxTxWeight: 400_001},
		{AncestorLimit: -1}, {DescendantSizeLimit: -1}} {
		if _, err := New(c, &testChain{}, nil); !errors.Is(err, ErrInvalidConfig) {
			t.Fatalf("%+v: %v", c, err)
		}
	}
	d := DefaultConfig()
	if d.MaxUsage != 300_000_000 || d.Expiry.Hours() != 336 || d.MinRelayFeeRate != 1000 || d.DustRelayFeeRate != 3000 ||
		d.AncestorLimit != 25 || d.DescendantSizeLimit != 101_000 || d.OptInRBF {
		t.Fatalf("defaults %+v", d)
	}
}

// The injected verifier is what checks signatures (the node passes one with
// its signature cache), and re-adds after a reorganisation do not call it.
func TestVerifySpendsHook(t *testing.T) {
	calls := 0
	h := newHarness(t, Config{VerifySpends: func(tx *wire.Tx, prev []wire.TxOut) error {
		calls++
		return consensus.VerifyTxSpends(tx, prev)
	}})
	tx := h.spend(ins(h.out()), 1, 1000)
	h.mustAccept(tx)
	if calls != 1 {
		t.Fatalf("%d calls", calls)
	}
	h.mine(h.spend(ins(h.out()), 1, 1000))
	h.disconnect()
	if calls != 1 || h.pool.Count() != 2 {
		t.Fatalf("%d calls, %d in the pool after the reorg", calls, h.pool.Count())
	}
}
