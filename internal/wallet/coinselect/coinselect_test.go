package coinselect

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func coins(vals ...int64) []Coin {
	cs := make([]Coin, len(vals))
	for i, v := range vals {
		cs[i] = Coin{Value: v, Fee: 100}
	}
	return cs
}

func TestBranchAndBoundExact(t *testing.T) {
	cs := coins(1_000_100, 2_000_100, 3_000_100, 5_000_100)
	r, err := Select(cs, Params{Target: 5_000_000, ChangeFee: 50, ChangeCost: 200, MinChange: 1000})
	if err != nil || r.Algo != "bnb" || r.Change != 0 {
		t.Fatalf("%+v %v", r, err)
	}
	var sum int64
	for _, i := range r.Indexes {
		sum += cs[i].effective()
	}
	if sum != 5_000_000 {
		t.Errorf("sum %d", sum)
	}
}

func TestFallbackMakesChange(t *testing.T) {
	cs := coins(10_000_000, 7_000_000)
	r, err := Select(cs, Params{Target: 1_000_000, ChangeFee: 50, ChangeCost: 200, MinChange: 1000})
	if err != nil || r.Algo != "largest_first" || len(r.Indexes) != 1 || r.Indexes[0] != 0 {
		t.Fatalf("%+v %v", r, err)
	}
	if r.Change != 10_000_000-100-1_000_000-50 {
		t.Errorf("change %d", r.Change)
	}
}

func TestInsufficient(t *testing.T) {
	_, err := Select(coins(1000, 2000), Params{Target: 5000})
	if !errors.Is(err, ErrInsufficient) {
		t.Fatal(err)
	}
	// Coins worth less than their fee are useless.
	_, err = Select([]Coin{{Value: 50, Fee: 100}}, Params{Target: 1})
	if !errors.Is(err, ErrInsufficient) {
		t.Fatal(err)
	}
}

// Every selection pays the target, and value is conserved.
func TestRandomInvariant(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		cs := make([]Coin, 1+rng.IntN(30))
		var total int64
		for i := range cs {
			cs[i] = Coin{Value: 1 + rng.Int64N(1_000_000), Fee: rng.Int64N(500)}
			total += cs[i].Value
		}
		p := Params{Target: 1 + rng.Int64N(total), ChangeFee: 40, ChangeCost: 100, MinChange: 546}
		r, err := Select(cs, p)
		if err != nil {
			continue
		}
		var in int64
		for _, i := range r.Indexes {
			in += cs[i].Value
		}
		if in != p.Target+r.Change+r.Fee {
			t.Fatalf("not conserved: in %d target %d change %d fee %d", in, p.Target, r.Change, r.Fee)
		}
		if r.Change != 0 && r.Change < p.MinChange {
			t.Fatalf("change %d below minimum", r.Change)
		}
	}
}
