package venue

import (
	"sort"
	"time"
)

// Kline is one candle (prices in price units, volumes in quantity and
// notional units).
type Kline struct {
	OpenMS, CloseMS        int64
	Open, High, Low, Close int64
	Volume, QuoteVolume    int64
	Trades                 int
	TakerBuyVolume         int64
	TakerBuyQuote          int64
}

// Intervals maps Binance's kline intervals to milliseconds; months are
// calendar months and handled apart (see klineStart).
var intervalMS = map[string]int64{
	"1s": 1e3, "1m": 60e3, "3m": 180e3, "5m": 300e3, "15m": 900e3, "30m": 1800e3,
	"1h": 3600e3, "2h": 7200e3, "4h": 14400e3, "6h": 21600e3, "8h": 28800e3, "12h": 43200e3,
	"1d": 86400e3, "3d": 259200e3, "1w": 604800e3, "1M": 0,
}

// ValidInterval reports whether iv is a kline interval.
func ValidInterval(iv string) bool { _, ok := intervalMS[iv]; return ok }

// KlineBounds returns the open and close time of the candle of interval
// iv holding tms. Weeks start on Monday as on Binance.
func KlineBounds(iv string, tms int64) (open, closeMS int64) {
	switch iv {
	case "1M":
		t := time.UnixMilli(tms).UTC()
		s := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		return s.UnixMilli(), s.AddDate(0, 1, 0).UnixMilli() - 1
	case "1w":
		const monday = 4 * 86400e3 // 1970-01-05 was a Monday
		d := intervalMS[iv]
		o := (tms-monday)/d*d + monday
		if tms < o {
			o -= d
		}
		return o, o + d - 1
	}
	d := intervalMS[iv]
	o := tms / d * d
	return o, o + d - 1
}

// Klines builds candles of interval iv from the trade history, oldest
// first, with open time in [startMS, endMS] (0: unbounded), the last limit.
func (m *Market) Klines(iv string, startMS, endMS int64, limit int) []Kline {
	m.mu.Lock()
	defer m.mu.Unlock()
	trades := m.trades
	if startMS > 0 && len(trades) > 0 && trades[0].ID > 1 && startMS < trades[0].TimeMS {
		// The window starts before memory: older trades come from the
		// database (read without the market's lock).
		first := trades[0].ID
		m.mu.Unlock()
		old := m.storedTradesBetween(startMS, endMS, first)
		m.mu.Lock()
		trades = append(old, m.trades...)
	}
	var out []Kline
	for _, t := range trades {
		o, c := KlineBounds(iv, t.TimeMS)
		if (startMS > 0 && o < startMS) || (endMS > 0 && o > endMS) {
			continue
		}
		if n := len(out); n == 0 || out[n-1].OpenMS != o {
			out = append(out, Kline{OpenMS: o, CloseMS: c, Open: t.Price, High: t.Price, Low: t.Price})
		}
		k := &out[len(out)-1]
		k.addTrade(t)
	}
	if limit > 0 && len(out) > limit {
		if startMS > 0 {
			out = out[:limit]
		} else {
			out = out[len(out)-limit:]
		}
	}
	return out
}

func (k *Kline) addTrade(t Trade) {
	k.High, k.Low, k.Close = max(k.High, t.Price), min(k.Low, t.Price), t.Price
	k.Volume += t.Qty
	k.QuoteVolume += t.Quote
	k.Trades++
	if !t.BuyerIsMaker {
		k.TakerBuyVolume += t.Qty
		k.TakerBuyQuote += t.Quote
	}
}

// Stats is a rolling-window ticker.
type Stats struct {
	Kline
	PrevClose               int64
	FirstID, LastID         uint64
	BidPrice, BidQty        int64
	AskPrice, AskQty        int64
	WeightedAvgNum, LastQty int64
	HasTrades               bool
}

// Ticker returns the statistics of the window ending at nowMS.
func (m *Market) Ticker(nowMS, windowMS int64) Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	var s Stats
	s.OpenMS, s.CloseMS = nowMS-windowMS, nowMS
	i := sort.Search(len(m.trades), func(i int) bool { return m.trades[i].TimeMS >= nowMS-windowMS })
	if i > 0 {
		s.PrevClose = m.trades[i-1].Price
	}
	for _, t := range m.trades[i:] {
		if !s.HasTrades {
			s.Open, s.High, s.Low, s.FirstID, s.HasTrades = t.Price, t.Price, t.Price, t.ID, true
		}
		s.addTrade(t)
		s.LastID, s.LastQty = t.ID, t.Qty
	}
	s.BidPrice, s.BidQty = best(m.bids, true)
	s.AskPrice, s.AskQty = best(m.asks, false)
	return s
}

// BookTicker returns the best bid and ask (0 when a side is empty).
func (m *Market) BookTicker() (bid, bidQty, ask, askQty int64, seq uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	bid, bidQty = best(m.bids, true)
	ask, askQty = best(m.asks, false)
	return bid, bidQty, ask, askQty, m.nextSeq - 1
}

func best(book map[int64]int64, high bool) (int64, int64) {
	var p, q int64
	for bp, bq := range book {
		if q == 0 || (high && bp > p) || (!high && bp < p) {
			p, q = bp, bq
		}
	}
	return p, q
}

// AvgPrice is the volume-weighted price of the trades of the last mins
// minutes (Binance's avgPrice), as notional/qty in price units, and the
// last trade's time.
func (m *Market) AvgPrice(nowMS int64, mins int) (price int64, lastMS int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var q, n int64
	for i := len(m.trades) - 1; i >= 0 && m.trades[i].TimeMS >= nowMS-int64(mins)*60e3; i-- {
		q += m.trades[i].Qty
		n += m.trades[i].Quote
	}
	if len(m.trades) > 0 {
		lastMS = m.trades[len(m.trades)-1].TimeMS
		if q == 0 {
			return m.trades[len(m.trades)-1].Price, lastMS
		}
	}
	if q == 0 {
		return 0, 0
	}
	return n / q, lastMS
}

// AggTrade is Binance's aggregate trade: consecutive fills of one taker
// order at one price.
type AggTrade struct {
	ID                    uint64 // the first trade id (aggregate ids are trade ids here)
	Price, Qty            int64
	FirstTrade, LastTrade uint64
	TimeMS                int64
	BuyerIsMaker          bool
}

// AggTrades aggregates the recent history (ids >= fromID, at most limit).
func (m *Market) AggTrades(fromID uint64, startMS, endMS int64, limit int) []AggTrade {
	ts := m.Trades(fromID, defaultTradeWindow)
	var out []AggTrade
	for _, t := range ts {
		if (startMS > 0 && t.TimeMS < startMS) || (endMS > 0 && t.TimeMS > endMS) {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Price == t.Price && out[n-1].LastTrade+1 == t.ID && ts[0].ID <= t.ID {
			if a := &out[n-1]; a.BuyerIsMaker == t.BuyerIsMaker && a.TimeMS == t.TimeMS && sameTaker(ts, a.FirstTrade, t) {
				a.Qty += t.Qty
				a.LastTrade = t.ID
				continue
			}
		}
		out = append(out, AggTrade{ID: t.ID, Price: t.Price, Qty: t.Qty, FirstTrade: t.ID, LastTrade: t.ID, TimeMS: t.TimeMS, BuyerIsMaker: t.BuyerIsMaker})
	}
	if limit > 0 && len(out) > limit {
		if fromID > 0 || startMS > 0 {
			out = out[:limit]
		} else {
			out = out[len(out)-limit:]
		}
	}
	return out
}

func sameTaker(ts []Trade, first uint64, t Trade) bool {
	i := sort.Search(len(ts), func(i int) bool { return ts[i].ID >= first })
	return i < len(ts) && ts[i].TakerOrder == t.TakerOrder
}
