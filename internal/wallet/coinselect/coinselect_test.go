package coinselect

import (
	"errors"
	"math/rand/v2"
	"slices"
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

// Which algorithm applies, and what it chooses, on small sets. The params
// are the same throughout: a change output costs 50 now and 200 in all, the
// smallest change worth making is 1,000, every coin costs 100 to spend.
func TestWhichAlgorithm(t *testing.T) {
	p := Params{Target: 10_000_000, ChangeFee: 50, ChangeCost: 200, MinChange: 1000}
	for _, c := range []struct {
		name   string
		coins  []Coin
		algo   string
		picked []int
		change int64
	}{
		// Two coins land within [target, target+200]: no change output.
		{"changeless set exists: bnb", coins(4_000_100, 6_000_150, 9_000_000), "bnb", []int{0, 1}, 0},
		// Nothing lands in the window; the small coins add up to the target
		// plus a change, so the big coin is left whole (largest-first would
		// spend it and make 90M of change).
		{"small coins add up: knapsack subset", coins(100_000_000, 6_000_100, 5_000_100), "knapsack", []int{1, 2}, 1_000_000 - 50},
		// The small coins do not reach the target: the smallest coin above
		// it, not the largest.
		{"one coin covers it: knapsack lowest larger", coins(100_000_000, 30_000_100, 2_000_100), "knapsack", []int{1}, 20_000_000 - 50},
		// The coins reach the target but not a worthwhile change: the excess
		// (500, too much for bnb's window, too little for change) is fee.
		{"change not worth it: knapsack, excess to fee", coins(10_000_600), "knapsack", []int{0}, 0},
	} {
		r, err := Select(c.coins, p)
		if err != nil || r.Algo != c.algo || !slices.Equal(r.Indexes, c.picked) || r.Change != c.change {
			t.Errorf("%s: got %s %v change %d (%v); want %s %v change %d", c.name, r.Algo, r.Indexes, r.Change, err,
				c.algo, c.picked, c.change)
		}
	}
	// Largest-first, for comparison, fragments the big coin.
	r, err := LargestFirst(coins(100_000_000, 6_000_100, 5_000_100), p)
	if err != nil || !slices.Equal(r.Indexes, []int{0}) || r.Change != 90_000_000-100-50 {
		t.Errorf("largest first: %+v %v", r, err)
	}
}

// Knapsack with no random source is reproducible; with one it still pays
// the target.
func TestKnapsackReproducible(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		cs := make([]Coin, 2+rng.IntN(40))
		var total int64
		for i := range cs {
			cs[i] = Coin{Value: 1000 + rng.Int64N(100_000), Fee: 100}
			total += cs[i].effective()
		}
		p := Params{Target: 1 + rng.Int64N(total), ChangeFee: 50, ChangeCost: 200, MinChange: 1000}
		a, okA := Knapsack(cs, p, nil)
		b, okB := Knapsack(cs, p, nil)
		if !okA || !okB || !slices.Equal(a.Indexes, b.Indexes) {
			t.Fatalf("two runs differ: %v %v", a.Indexes, b.Indexes)
		}
		c, ok := Knapsack(cs, p, rand.New(rand.NewPCG(rng.Uint64(), 0)))
		var sum int64
		for _, i := range c.Indexes {
			sum += cs[i].effective()
		}
		if !ok || sum < p.Target {
			t.Fatalf("knapsack pays %d of %d", sum, p.Target)
		}
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
