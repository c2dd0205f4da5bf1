package asset

import "math/big"

// GoodCoverage is how well one good of the basket is covered: Held against
// Required = supply × quantity per unit, both in the good's own scale.
// Coverage = Held / Required is kept as the exact fraction Num/Den.
type GoodCoverage struct {
	Good     Good
	Held     uint64
	Required *big.Int // ceil(supply × Quantity / 10^Decimals of the asset)
	Num, Den *big.Int // Den = 0 when supply is 0 (coverage undefined)
}

// Covered reports Held >= supply × quantity (exactly, not rounded).
func (g *GoodCoverage) Covered() bool { return g.Den.Sign() == 0 || g.Num.Cmp(g.Den) >= 0 }

// Coverage computes, for every good of c's basket, reserves against
// supply (in base units): coverage = held × 10^decimals / (supply ×
// quantity). held maps basket index to quantity held (absent: 0). It
// returns the per-good figures, the index of the least-covered good (-1
// when supply is 0) and whether any good is under-backed. Integers only.
func Coverage(c *Contract, supply int64, held map[int]uint64) (goods []GoodCoverage, minGood int, under bool) {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(c.Decimals)), nil)
	s := big.NewInt(max(supply, 0))
	minGood = -1
	for i, g := range c.Basket {
		h := held[i]
		need := new(big.Int).Mul(s, new(big.Int).SetUint64(g.Quantity))
		req, rem := new(big.Int).QuoRem(need, scale, new(big.Int))
		if rem.Sign() != 0 {
			req.Add(req, big.NewInt(1))
		}
		gc := GoodCoverage{Good: g, Held: h, Required: req,
			Num: new(big.Int).Mul(new(big.Int).SetUint64(h), scale), Den: need}
		if !gc.Covered() {
			under = true
		}
		if supply > 0 && (minGood < 0 || lessRatio(&gc, &goods[minGood])) {
			minGood = i
		}
		goods = append(goods, gc)
	}
	return goods, minGood, under
}

// lessRatio compares a.Num/a.Den < b.Num/b.Den with positive denominators.
func lessRatio(a, b *GoodCoverage) bool {
	l := new(big.Int).Mul(a.Num, b.Den)
	r := new(big.Int).Mul(b.Num, a.Den)
	return l.Cmp(r) < 0
}

// FormatRatio writes num/den as a decimal with prec fraction digits,
// rounded down ("" when den is 0).
func FormatRatio(num, den *big.Int, prec int) string {
	if den.Sign() == 0 {
		return ""
	}
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(prec)), nil)
	q := new(big.Int).Quo(new(big.Int).Mul(num, scale), den)
	return FormatUnits(q, prec)
}

// FormatUnits writes v × 10^-decimals as a decimal string.
func FormatUnits(v *big.Int, decimals int) string {
	neg := v.Sign() < 0
	s := new(big.Int).Abs(v).String()
	if decimals > 0 {
		for len(s) <= decimals {
			s = "0" + s
		}
		s = s[:len(s)-decimals] + "." + s[len(s)-decimals:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
