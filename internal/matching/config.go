package matching

import (
	"encoding/binary"
	"hash/crc32"
	"math/bits"
)

// Config describes one market: its filters, fee rates and defaults. Prices
// are in price units and quantities in quantity units; the API edge maps
// decimal strings onto them (for example price unit = 0.01 USDT, quantity
// unit = 0.00000001 BTC). A notional (price × quantity) is in price units ×
// quantity units, which the edge maps to quote currency the same way.
//
// The zero value is not valid; start from DefaultConfig or fill every filter.
type Config struct {
	// PRICE_FILTER: MinPrice <= price <= MaxPrice and (price-MinPrice) is a
	// multiple of TickSize. Applies to limit prices and stop prices.
	MinPrice, MaxPrice, TickSize int64
	// LOT_SIZE: MinQty <= qty <= MaxQty and (qty-MinQty) is a multiple of
	// StepSize; also applies to iceberg quantities and amended quantities.
	// MinQty must itself be a multiple of StepSize, so every valid quantity
	// is a multiple of StepSize.
	MinQty, MaxQty, StepSize int64
	// NOTIONAL: price × qty >= MinNotional, and <= MaxNotional when
	// MaxNotional is non-zero. MARKET orders by quote amount check their
	// quote amount; MARKET and STOP_LOSS/TAKE_PROFIT orders by base
	// quantity have no price and are not checked.
	MinNotional, MaxNotional int64
	// ICEBERG_PARTS: an iceberg may be split into at most this many parts
	// (ceil(qty / icebergQty)). Zero disables iceberg orders.
	IcebergParts int64
	// MAX_NUM_ORDERS: open orders (resting and untriggered stops) per
	// account in this market. Zero means no limit.
	MaxOpenOrders int32
	// Fee rates in parts per million of the received amount: the buyer pays
	// in the base asset it receives, the seller in the quote it receives.
	MakerFeePPM, TakerFeePPM uint32
	// DefaultSTP is the mode of orders sent with STPDefault. Zero means
	// STPExpireTaker, Binance's default.
	DefaultSTP STPMode
	// InitialOrders sizes the order pool; it grows past this when needed.
	// Zero means 1024.
	InitialOrders int
}

// DefaultConfig returns a valid configuration resembling a Binance BTCUSDT
// market in integer units: prices in cents up to 1,000,000.00, quantities in
// 10^-5 BTC up to 9,000 BTC, 5.00 minimum notional and 0.1% fees. The units
// must be coarse enough that MaxPrice × MaxQty fits (here 9×10^16).
func DefaultConfig() Config {
	return Config{
		MinPrice: 1, MaxPrice: 100_000_000, TickSize: 1,
		MinQty: 1, MaxQty: 9_000 * 100_000, StepSize: 1,
		MinNotional:   500 * 100_000, // 5.00 USDT: 500 cents × 10^5 units per BTC
		IcebergParts:  100,
		MaxOpenOrders: 200,
		MakerFeePPM:   1000, TakerFeePPM: 1000,
		DefaultSTP: STPExpireTaker,
	}
}

// maxTicks bounds the tick range so the price bitset stays small (32 MiB at
// most) and tick offsets fit in int32.
const maxTicks = 1 << 28

// Validate checks that the configuration is usable and that no notional a
// valid order can produce overflows an int64.
func (c *Config) Validate() error {
	switch {
	case c.TickSize <= 0 || c.MinPrice <= 0 || c.MaxPrice < c.MinPrice:
		return ruleError(ErrInvalidConfig, "price filter needs 0 < MinPrice <= MaxPrice and TickSize > 0")
	case (c.MaxPrice-c.MinPrice)/c.TickSize >= maxTicks:
		return ruleError(ErrInvalidConfig, "price range spans more than %d ticks", maxTicks)
	case c.StepSize <= 0 || c.MinQty <= 0 || c.MaxQty < c.MinQty || c.MinQty%c.StepSize != 0:
		return ruleError(ErrInvalidConfig, "lot size needs 0 < MinQty <= MaxQty, StepSize > 0 and MinQty a multiple of StepSize")
	case c.MinNotional < 0 || c.MaxNotional < 0 || (c.MaxNotional != 0 && c.MaxNotional < c.MinNotional):
		return ruleError(ErrInvalidConfig, "notional filter needs 0 <= MinNotional <= MaxNotional")
	case c.IcebergParts < 0 || c.MaxOpenOrders < 0 || c.InitialOrders < 0:
		return ruleError(ErrInvalidConfig, "negative limit")
	case c.MakerFeePPM > 1_000_000 || c.TakerFeePPM > 1_000_000:
		return ruleError(ErrInvalidConfig, "fee rate above 100%%")
	case c.DefaultSTP > STPDecrement:
		return ruleError(ErrInvalidConfig, "invalid default STP mode %d", c.DefaultSTP)
	}
	hi, lo := bits.Mul64(uint64(c.MaxPrice), uint64(c.MaxQty))
	if hi != 0 || lo > 1<<62 {
		// Below 2^62 so that sums of two notionals also fit.
		return ruleError(ErrInvalidConfig, "MaxPrice × MaxQty overflows the notional range")
	}
	return nil
}

func (c *Config) defaultSTP() STPMode {
	if c.DefaultSTP == STPDefault {
		return STPExpireTaker
	}
	return c.DefaultSTP
}

func (c *Config) numTicks() int { return int((c.MaxPrice-c.MinPrice)/c.TickSize) + 1 }

// Fingerprint is a checksum of every field that changes matching results. A
// snapshot records it so recovery under a different configuration fails
// loudly instead of diverging.
func (c *Config) Fingerprint() uint32 {
	var b [8*10 + 4*3 + 1]byte
	p := b[:0]
	for _, v := range []int64{c.MinPrice, c.MaxPrice, c.TickSize, c.MinQty, c.MaxQty, c.StepSize,
		c.MinNotional, c.MaxNotional, c.IcebergParts, int64(c.MaxOpenOrders)} {
		p = binary.LittleEndian.AppendUint64(p, uint64(v))
	}
	p = binary.LittleEndian.AppendUint32(p, c.MakerFeePPM)
	p = binary.LittleEndian.AppendUint32(p, c.TakerFeePPM)
	p = append(p, byte(c.defaultSTP()))
	return crc32.Checksum(p, crc32.MakeTable(crc32.Castagnoli))
}

// fee returns floor(amount × ppm / 10^6). Fees round down so nobody is
// charged more than the published rate. amount < 2^62 and ppm <= 10^6, so
// the 128-bit product's high word is below 10^6 and Div64 cannot panic.
func fee(amount int64, ppm uint32) int64 {
	hi, lo := bits.Mul64(uint64(amount), uint64(ppm))
	q, _ := bits.Div64(hi, lo, 1_000_000)
	return int64(q)
}

// mulNotional returns price × qty and whether it fits in the notional range.
func mulNotional(price, qty int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(price), uint64(qty))
	if hi != 0 || lo > 1<<62 {
		return 0, false
	}
	return int64(lo), true
}
