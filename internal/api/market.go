package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/ballast-chain/ballast/internal/venue"
)

// Market-data routes beyond the basic ones in routes.go.

func (r *request) int64Param(name string) int64 {
	v, _ := strconv.ParseInt(r.params.Get(name), 10, 64)
	return v
}

// markets resolves symbol or symbols=["A","B"] (or every market if
// neither is sent and all is true).
func (r *request) markets(s *Server, all bool) ([]*venue.Market, bool, error) {
	if raw := r.params.Get("symbols"); raw != "" {
		raw = strings.Trim(raw, "[]")
		var out []*venue.Market
		for _, sym := range strings.Split(raw, ",") {
			m, ok := s.v.Market(strings.Trim(sym, `" `))
			if !ok {
				return nil, false, &venue.APIError{Code: -1121, Msg: "Invalid symbol."}
			}
			out = append(out, m)
		}
		return out, true, nil
	}
	if r.params.Get("symbol") == "" && all {
		return s.v.Markets(), true, nil
	}
	m, err := r.market(s)
	if err != nil {
		return nil, false, err
	}
	return []*venue.Market{m}, false, nil
}

func one(list []any, multi bool) any {
	if multi {
		return list
	}
	return list[0]
}

func (s *Server) historicalTrades(r *request) (any, error) {
	m, err := r.market(s)
	if err != nil {
		return nil, err
	}
	from, _ := strconv.ParseUint(r.params.Get("fromId"), 10, 64)
	ts := m.Trades(from, r.limit(500, 1000))
	out := make([]any, len(ts))
	for i, t := range ts {
		out[i] = map[string]any{"id": t.ID, "price": m.Spec.FormatPrice(t.Price), "qty": m.Spec.FormatQty(t.Qty),
			"quoteQty": m.Spec.FormatQuote(t.Quote), "time": t.TimeMS, "isBuyerMaker": t.BuyerIsMaker, "isBestMatch": true}
	}
	return out, nil
}

func (s *Server) aggTrades(r *request) (any, error) {
	m, err := r.market(s)
	if err != nil {
		return nil, err
	}
	from, _ := strconv.ParseUint(r.params.Get("fromId"), 10, 64)
	as := m.AggTrades(from, r.int64Param("startTime"), r.int64Param("endTime"), r.limit(500, 1000))
	out := make([]any, len(as))
	for i, a := range as {
		out[i] = aggJSON(m, a)
	}
	return out, nil
}

func aggJSON(m *venue.Market, a venue.AggTrade) map[string]any {
	return map[string]any{"a": a.ID, "p": m.Spec.FormatPrice(a.Price), "q": m.Spec.FormatQty(a.Qty),
		"f": a.FirstTrade, "l": a.LastTrade, "T": a.TimeMS, "m": a.BuyerIsMaker, "M": true}
}

func (s *Server) klines(r *request) (any, error) {
	m, err := r.market(s)
	if err != nil {
		return nil, err
	}
	iv := r.params.Get("interval")
	if !venue.ValidInterval(iv) {
		return nil, &venue.APIError{Code: -1120, Msg: "Invalid interval."}
	}
	ks := m.Klines(iv, r.int64Param("startTime"), r.int64Param("endTime"), r.limit(500, 1000))
	out := make([]any, len(ks))
	for i, k := range ks {
		out[i] = klineRow(m, k)
	}
	return out, nil
}

func klineRow(m *venue.Market, k venue.Kline) []any {
	sp := &m.Spec
	return []any{k.OpenMS, sp.FormatPrice(k.Open), sp.FormatPrice(k.High), sp.FormatPrice(k.Low), sp.FormatPrice(k.Close),
		sp.FormatQty(k.Volume), k.CloseMS, sp.FormatQuote(k.QuoteVolume), k.Trades,
		sp.FormatQty(k.TakerBuyVolume), sp.FormatQuote(k.TakerBuyQuote), "0"}
}

func (s *Server) avgPrice(r *request) (any, error) {
	m, err := r.market(s)
	if err != nil {
		return nil, err
	}
	p, last := m.AvgPrice(time.Now().UnixMilli(), 5)
	return map[string]any{"mins": 5, "price": m.Spec.FormatPrice(p), "closeTime": last}, nil
}

func (s *Server) ticker24(r *request) (any, error) {
	ms, multi, err := r.markets(s, true)
	if err != nil {
		return nil, err
	}
	window := int64(24 * time.Hour / time.Millisecond)
	if ws := r.params.Get("windowSize"); ws != "" {
		if window, err = parseWindow(ws); err != nil {
			return nil, err
		}
	}
	mini := r.params.Get("type") == "MINI"
	now := time.Now().UnixMilli()
	var out []any
	for _, m := range ms {
		out = append(out, tickerJSON(m, m.Ticker(now, window), mini))
	}
	if len(out) == 0 {
		return []any{}, nil
	}
	return one(out, multi), nil
}

func parseWindow(ws string) (int64, error) {
	bad := &venue.APIError{Code: -1100, Msg: "Illegal characters found in parameter 'windowSize'."}
	if len(ws) < 2 {
		return 0, bad
	}
	n, err := strconv.ParseInt(ws[:len(ws)-1], 10, 64)
	if err != nil || n <= 0 {
		return 0, bad
	}
	switch ws[len(ws)-1] {
	case 'm':
		return n * 60e3, nil
	case 'h':
		return n * 3600e3, nil
	case 'd':
		return n * 86400e3, nil
	}
	return 0, bad
}

func tickerJSON(m *venue.Market, st venue.Stats, mini bool) map[string]any {
	sp := &m.Spec
	first, last := int64(-1), int64(-1)
	if st.HasTrades {
		first, last = int64(st.FirstID), int64(st.LastID)
	}
	out := map[string]any{"symbol": sp.Symbol, "openPrice": sp.FormatPrice(st.Open), "highPrice": sp.FormatPrice(st.High),
		"lowPrice": sp.FormatPrice(st.Low), "lastPrice": sp.FormatPrice(st.Close), "volume": sp.FormatQty(st.Volume),
		"quoteVolume": sp.FormatQuote(st.QuoteVolume), "openTime": st.OpenMS, "closeTime": st.CloseMS,
		"firstId": first, "lastId": last, "count": st.Trades}
	if mini {
		return out
	}
	var wavg int64
	if st.Volume > 0 {
		wavg = st.QuoteVolume / st.Volume
	}
	change := st.Close - st.Open
	pct := "0.000"
	if st.Open > 0 {
		pct = venue.FormatAmount(change*100_000/st.Open, 3)
	}
	out["priceChange"], out["priceChangePercent"], out["weightedAvgPrice"] = sp.FormatPrice(change), pct, sp.FormatPrice(wavg)
	out["prevClosePrice"], out["lastQty"] = sp.FormatPrice(st.PrevClose), sp.FormatQty(st.LastQty)
	out["bidPrice"], out["bidQty"] = sp.FormatPrice(st.BidPrice), sp.FormatQty(st.BidQty)
	out["askPrice"], out["askQty"] = sp.FormatPrice(st.AskPrice), sp.FormatQty(st.AskQty)
	return out
}

func (s *Server) bookTicker(r *request) (any, error) {
	ms, multi, err := r.markets(s, true)
	if err != nil {
		return nil, err
	}
	var out []any
	for _, m := range ms {
		b, bq, a, aq, _ := m.BookTicker()
		out = append(out, map[string]any{"symbol": m.Spec.Symbol, "bidPrice": m.Spec.FormatPrice(b), "bidQty": m.Spec.FormatQty(bq),
			"askPrice": m.Spec.FormatPrice(a), "askQty": m.Spec.FormatQty(aq)})
	}
	if len(out) == 0 {
		return []any{}, nil
	}
	return one(out, multi), nil
}

// cancelReplace is POST /api/v3/order/cancelReplace with
// cancelReplaceMode=STOP_ON_FAILURE (the engine's atomic mode).
func (s *Server) cancelReplace(r *request) (any, error) {
	m, err := r.market(s)
	if err != nil {
		return nil, err
	}
	if mode := r.params.Get("cancelReplaceMode"); mode != "STOP_ON_FAILURE" {
		return nil, &venue.APIError{Code: -1102, Msg: "Mandatory parameter 'cancelReplaceMode' was not sent, was empty/null, or malformed."}
	}
	id, _ := strconv.ParseUint(r.params.Get("cancelOrderId"), 10, 64)
	if id == 0 {
		if cid := r.params.Get("cancelOrigClientOrderId"); cid != "" {
			o, err := m.GetOrder(r.account, 0, cid)
			if err != nil {
				return nil, err
			}
			id = o.ID
		}
	}
	if id == 0 {
		return nil, &venue.APIError{Code: -1102, Msg: "Param 'cancelOrigClientOrderId' or 'cancelOrderId' must be sent, but both were empty/null!"}
	}
	old, err := m.GetOrder(r.account, id, "")
	if err != nil {
		return nil, err
	}
	n, err := s.parseOrder(r, m)
	if err != nil {
		return nil, err
	}
	res, err := s.v.CancelReplace(r.ctx, m.Spec.Symbol, id, n)
	if err != nil {
		return nil, err
	}
	cancelled, _ := m.GetOrder(r.account, id, "")
	if cancelled.Status == old.Status {
		cancelled.Status = venue.StatusCanceled
	}
	co := orderJSON(m, &cancelled, true)
	co["origClientOrderId"] = cancelled.ClientOrderID
	return map[string]any{"cancelResult": "SUCCESS", "newOrderResult": "SUCCESS",
		"cancelResponse": co, "newOrderResponse": orderJSON(m, &res.Order, true)}, nil
}
