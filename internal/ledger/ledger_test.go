package ledger

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// model is the naive reference: a map of balances updated field by field.
type model map[key]Balance

func (m model) get(a AccountID, s Asset) Balance { return m[key{a, s}] }

func TestRandomStreamMatchesModel(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 7))
		l := New(nil)
		m := model{}
		assets := []Asset{"BLST", "TUSD", "XYZ"}
		accts := []AccountID{1, 2, 3, 4}
		for step := range 3000 {
			a := accts[r.IntN(len(accts))]
			b := accts[r.IntN(len(accts))]
			s := assets[r.IntN(len(assets))]
			q := assets[r.IntN(len(assets))]
			amt := r.Int64N(1000) + 1
			var mv Movement
			var want func() (model, bool)
			switch r.IntN(5) {
			case 0:
				mv = Credit(a, s, amt)
				want = func() (model, bool) {
					n := m.clone()
					n.add(a, s, amt, 0)
					n.add(External, s, -amt, 0)
					return n, true
				}
			case 1:
				mv = Debit(a, s, amt)
				want = func() (model, bool) {
					n := m.clone()
					n.add(a, s, -amt, 0)
					n.add(External, s, amt, 0)
					return n, n.get(a, s).Free >= 0
				}
			case 2:
				mv = Lock(a, s, amt)
				want = func() (model, bool) {
					n := m.clone()
					n.add(a, s, -amt, amt)
					return n, n.get(a, s).Free >= 0
				}
			case 3:
				mv = Unlock(a, s, amt)
				want = func() (model, bool) {
					n := m.clone()
					n.add(a, s, amt, -amt)
					return n, n.get(a, s).Locked >= 0
				}
			case 4:
				if s == q {
					continue
				}
				quote := r.Int64N(1000) + 1
				f := Fill{Buyer: a, Seller: b, BaseAsset: s, QuoteAsset: q, Base: amt, Quote: quote,
					BuyerFee: amt / 10, SellerFee: quote / 10}
				mv = Settle(f)
				want = func() (model, bool) {
					n := m.clone()
					n.add(a, q, 0, -quote)
					n.add(b, q, quote-f.SellerFee, 0)
					n.add(Fees, q, f.SellerFee, 0)
					n.add(b, s, 0, -amt)
					n.add(a, s, amt-f.BuyerFee, 0)
					n.add(Fees, s, f.BuyerFee, 0)
					return n, n.get(a, q).Locked >= 0 && n.get(b, s).Locked >= 0
				}
			}
			next, ok := want()
			err := l.Post(mv)
			if ok != (err == nil) {
				t.Fatalf("seed %d step %d: %v: model ok=%v, ledger err=%v", seed, step, mv, ok, err)
			}
			if err != nil && !errors.Is(err, ErrInsufficientBalance) {
				t.Fatalf("seed %d step %d: unexpected error kind %v", seed, step, err)
			}
			if ok {
				m = next
			}
			if err := l.CheckInvariants(); err != nil {
				t.Fatalf("seed %d step %d: %v", seed, step, err)
			}
			for k, want := range m {
				if got := l.Balance(k.acct, k.asset); got != want {
					t.Fatalf("seed %d step %d: %d/%s = %+v, model %+v", seed, step, k.acct, k.asset, got, want)
				}
			}
		}
	}
}

func (m model) clone() model {
	n := make(model, len(m))
	for k, v := range m {
		n[k] = v
	}
	return n
}

func (m model) add(a AccountID, s Asset, free, locked int64) {
	b := m[key{a, s}]
	b.Free += free
	b.Locked += locked
	m[key{a, s}] = b
}

func TestUnbalancedRefused(t *testing.T) {
	l := New(nil)
	err := l.Post(Movement{Kind: Deposit, Entries: []Entry{{Account: 1, Asset: "A", Amount: 5}}})
	if !errors.Is(err, ErrUnbalanced) {
		t.Fatalf("got %v, want ErrUnbalanced", err)
	}
	if l.Movements() != 0 {
		t.Fatal("unbalanced movement applied")
	}
}

func TestOverflowRefused(t *testing.T) {
	l := New(nil)
	if err := l.Post(Credit(1, "A", 1<<62)); err != nil {
		t.Fatal(err)
	}
	if err := l.Post(Credit(1, "A", 1<<62)); !errors.Is(err, ErrOverflow) {
		t.Fatalf("got %v, want ErrOverflow", err)
	}
}

func TestReplayAllowsTransientNegative(t *testing.T) {
	l := New(nil)
	l.SetReplay(true)
	if err := l.Post(Lock(1, "A", 10)); err != nil {
		t.Fatal(err)
	}
	if err := l.Post(Credit(1, "A", 10)); err != nil {
		t.Fatal(err)
	}
	l.SetReplay(false)
	if err := l.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
	if got := l.Balance(1, "A"); got != (Balance{0, 10}) {
		t.Fatalf("balance %+v", got)
	}
}
