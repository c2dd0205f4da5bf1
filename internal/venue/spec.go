package venue

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/ballast-chain/ballast/internal/matching"
)

// MarketSpec defines a market between two assets. Quantities are integers
// of 10^-QtyDecimals base; prices of 10^-PriceDecimals quote per whole
// base. Asset amounts in the ledger are integers of 10^-Decimals of the
// asset, so a trade of price p and quantity q moves q×BaseScale base units
// and p×q×QuoteScale quote units, exactly.
type MarketSpec struct {
	Symbol        string
	Base, Quote   string
	BaseDecimals  int // of the base asset in the ledger
	QuoteDecimals int // of the quote asset in the ledger
	PriceDecimals int
	QtyDecimals   int
	// ProtectionPct caps a MARKET buy by quantity: it runs as an IOC limit
	// at the best ask plus this percentage (0 means 10).
	ProtectionPct int64
	Engine        matching.Config
}

func pow10(n int) int64 {
	v := int64(1)
	for range n {
		v *= 10
	}
	return v
}

// BaseScale is the base units per quantity unit.
func (s *MarketSpec) BaseScale() int64 { return pow10(s.BaseDecimals - s.QtyDecimals) }

// QuoteScale is the quote units per notional unit (price unit × qty unit).
func (s *MarketSpec) QuoteScale() int64 {
	return pow10(s.QuoteDecimals - s.PriceDecimals - s.QtyDecimals)
}

// Validate checks the spec.
func (s *MarketSpec) Validate() error {
	switch {
	case s.Symbol == "" || strings.ToUpper(s.Symbol) != s.Symbol || s.Base == "" || s.Quote == "" || s.Base == s.Quote:
		return fmt.Errorf("market needs an upper-case symbol and two distinct assets")
	case s.BaseDecimals < 0 || s.BaseDecimals > 18 || s.QuoteDecimals < 0 || s.QuoteDecimals > 18:
		return fmt.Errorf("asset decimals must be in 0..18")
	case s.QtyDecimals < 0 || s.QtyDecimals > s.BaseDecimals:
		return fmt.Errorf("quantity decimals must be in 0..base decimals")
	case s.PriceDecimals < 0 || s.PriceDecimals+s.QtyDecimals > s.QuoteDecimals:
		return fmt.Errorf("price decimals + quantity decimals must not exceed quote decimals")
	case s.ProtectionPct < 0 || s.ProtectionPct > 1000:
		return fmt.Errorf("protection must be in 0..1000 percent")
	}
	if err := s.Engine.Validate(); err != nil {
		return err
	}
	hi, lo := bits.Mul64(uint64(s.Engine.MaxPrice), uint64(s.Engine.MaxQty))
	hi2, lo2 := bits.Mul64(lo, uint64(s.QuoteScale()))
	if hi != 0 || hi2 != 0 || lo2 > 1<<62 {
		return fmt.Errorf("MaxPrice × MaxQty × quote scale overflows")
	}
	if hi, lo := bits.Mul64(uint64(s.Engine.MaxQty), uint64(s.BaseScale())); hi != 0 || lo > 1<<62 {
		return fmt.Errorf("MaxQty × base scale overflows")
	}
	return nil
}

// hold returns the asset and amount an order must lock: the quote it can
// spend (buys) or the base it can sell. It depends only on the command, so
// recovery recomputes exactly the holds taken live.
func (s *MarketSpec) hold(side matching.Side, typ matching.OrderType, price, qty, quoteQty int64) (string, int64, error) {
	if side == matching.Sell {
		if qty == 0 {
			return "", 0, errUnsupported() // a sell by quote amount has no bounded base
		}
		return s.Base, qty * s.BaseScale(), nil
	}
	switch {
	case quoteQty != 0:
		return s.Quote, quoteQty * s.QuoteScale(), nil
	case price != 0:
		return s.Quote, price * qty * s.QuoteScale(), nil
	}
	return "", 0, errUnsupported() // market-priced buy by quantity: the venue converts it first
}

// FormatPrice and friends turn integers into Binance's decimal strings.
func (s *MarketSpec) FormatPrice(p int64) string { return formatFixed(p, s.PriceDecimals) }

// FormatQty formats a quantity.
func (s *MarketSpec) FormatQty(q int64) string { return formatFixed(q, s.QtyDecimals) }

// FormatQuote formats a notional (price×qty units) as a quote amount.
func (s *MarketSpec) FormatQuote(n int64) string {
	return formatFixed(n, s.PriceDecimals+s.QtyDecimals)
}

// ParsePrice parses a decimal price; ok is false if it is not a whole
// number of price units.
func (s *MarketSpec) ParsePrice(v string) (int64, bool) { return ParseFixed(v, s.PriceDecimals) }

// ParseQty parses a decimal quantity.
func (s *MarketSpec) ParseQty(v string) (int64, bool) { return ParseFixed(v, s.QtyDecimals) }

// ParseQuote parses a decimal quote amount into notional units.
func (s *MarketSpec) ParseQuote(v string) (int64, bool) {
	return ParseFixed(v, s.PriceDecimals+s.QtyDecimals)
}

func formatFixed(v int64, dec int) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	s := strconv.FormatUint(u, 10)
	if dec > 0 {
		for len(s) <= dec {
			s = "0" + s
		}
		s = s[:len(s)-dec] + "." + s[len(s)-dec:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// FormatAmount formats an asset amount with its decimals.
func FormatAmount(v int64, dec int) string { return formatFixed(v, dec) }

// ParseFixed parses a non-negative decimal with at most dec significant
// fractional digits (trailing zeros allowed) into an integer, bounded to
// 2^62.
func ParseFixed(v string, dec int) (int64, bool) {
	if v == "" || len(v) > 40 {
		return 0, false
	}
	intPart, frac, _ := strings.Cut(v, ".")
	frac = strings.TrimRight(frac, "0")
	if len(frac) > dec || (intPart == "" && frac == "") {
		return 0, false
	}
	var n uint64
	digits := intPart + frac + strings.Repeat("0", dec-len(frac))
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
		if n > 1<<62 {
			return 0, false
		}
	}
	return int64(n), true
}
