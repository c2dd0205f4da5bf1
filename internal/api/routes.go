package api

import (
	"strconv"
	"time"

	"github.com/ballast-chain/ballast/internal/auth"
	"github.com/ballast-chain/ballast/internal/ledger"
	"github.com/ballast-chain/ballast/internal/matching"
	"github.com/ballast-chain/ballast/internal/venue"
)

func (s *Server) routes() map[string]endpoint {
	return map[string]endpoint{
		"GET /api/v3/ping":          {weight: 1, fn: func(*request) (any, error) { return struct{}{}, nil }},
		"GET /api/v3/time":          {weight: 1, fn: func(*request) (any, error) { return map[string]int64{"serverTime": time.Now().UnixMilli()}, nil }},
		"GET /api/v3/exchangeInfo":  {weight: 20, fn: s.exchangeInfo},
		"GET /api/v3/depth":         {weight: 5, fn: s.depth},
		"GET /api/v3/trades":        {weight: 25, fn: s.trades},
		"GET /api/v3/ticker/price":  {weight: 2, fn: s.tickerPrice},
		"POST /api/v3/order":        {weight: 1, signed: true, perm: auth.PermTrade, order: true, fn: s.newOrder},
		"POST /api/v3/order/test":   {weight: 1, signed: true, perm: auth.PermTrade, fn: s.testOrder},
		"GET /api/v3/order":         {weight: 4, signed: true, perm: auth.PermRead, fn: s.getOrder},
		"DELETE /api/v3/order":      {weight: 1, signed: true, perm: auth.PermTrade, fn: s.cancelOrder},
		"GET /api/v3/openOrders":    {weight: 6, signed: true, perm: auth.PermRead, fn: s.openOrders(true)},
		"DELETE /api/v3/openOrders": {weight: 1, signed: true, perm: auth.PermTrade, fn: s.cancelAll},
		"GET /api/v3/allOrders":     {weight: 20, signed: true, perm: auth.PermRead, fn: s.openOrders(false)},
		"GET /api/v3/account":       {weight: 20, signed: true, perm: auth.PermRead, fn: s.account},
		"GET /api/v3/myTrades":      {weight: 20, signed: true, perm: auth.PermRead, fn: s.myTrades},

		"GET /api/v3/historicalTrades":     {weight: 25, fn: s.historicalTrades},
		"GET /api/v3/aggTrades":            {weight: 2, fn: s.aggTrades},
		"GET /api/v3/klines":               {weight: 2, fn: s.klines},
		"GET /api/v3/uiKlines":             {weight: 2, fn: s.klines},
		"GET /api/v3/avgPrice":             {weight: 2, fn: s.avgPrice},
		"GET /api/v3/ticker/24hr":          {weight: 2, fn: s.ticker24},
		"GET /api/v3/ticker":               {weight: 4, fn: s.ticker24},
		"GET /api/v3/ticker/bookTicker":    {weight: 2, fn: s.bookTicker},
		"POST /api/v3/order/cancelReplace": {weight: 1, signed: true, perm: auth.PermTrade, order: true, fn: s.cancelReplace},
		"POST /api/v3/userDataStream":      {weight: 2, keyOnly: true, fn: s.listenKeyCreate},
		"PUT /api/v3/userDataStream":       {weight: 2, keyOnly: true, fn: s.listenKeyKeepalive},
		"DELETE /api/v3/userDataStream":    {weight: 2, keyOnly: true, fn: s.listenKeyDelete},
	}
}

func badParam(name string) error {
	return &venue.APIError{Code: -1102, Msg: "Mandatory parameter '" + name + "' was not sent, was empty/null, or malformed."}
}

func (r *request) market(s *Server) (*venue.Market, error) {
	sym := r.params.Get("symbol")
	if sym == "" {
		return nil, badParam("symbol")
	}
	m, ok := s.v.Market(sym)
	if !ok {
		return nil, &venue.APIError{Code: -1121, Msg: "Invalid symbol."}
	}
	return m, nil
}

func (r *request) limit(def, max int) int {
	n, err := strconv.Atoi(r.params.Get("limit"))
	if err != nil || n <= 0 {
		return def
	}
	return min(n, max)
}

func (s *Server) exchangeInfo(*request) (any, error) {
	var syms []any
	for _, m := range s.v.Markets() {
		sp, c := m.Spec, m.Spec.Engine
		syms = append(syms, map[string]any{
			"symbol": sp.Symbol, "status": "TRADING", "baseAsset": sp.Base, "baseAssetPrecision": sp.BaseDecimals,
			"quoteAsset": sp.Quote, "quotePrecision": sp.QuoteDecimals, "quoteAssetPrecision": sp.QuoteDecimals,
			"baseCommissionPrecision": sp.BaseDecimals, "quoteCommissionPrecision": sp.QuoteDecimals,
			"orderTypes":     []string{"LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"},
			"icebergAllowed": c.IcebergParts > 0, "ocoAllowed": false, "otoAllowed": false,
			"quoteOrderQtyMarketAllowed": true, "allowTrailingStop": false, "cancelReplaceAllowed": true,
			"isSpotTradingAllowed": true, "isMarginTradingAllowed": false,
			"permissions": []string{"SPOT"}, "permissionSets": [][]string{{"SPOT"}},
			"defaultSelfTradePreventionMode":  "EXPIRE_TAKER",
			"allowedSelfTradePreventionModes": []string{"NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT"},
			"filters": []any{
				map[string]any{"filterType": "PRICE_FILTER", "minPrice": sp.FormatPrice(c.MinPrice), "maxPrice": sp.FormatPrice(c.MaxPrice), "tickSize": sp.FormatPrice(c.TickSize)},
				map[string]any{"filterType": "LOT_SIZE", "minQty": sp.FormatQty(c.MinQty), "maxQty": sp.FormatQty(c.MaxQty), "stepSize": sp.FormatQty(c.StepSize)},
				map[string]any{"filterType": "NOTIONAL", "minNotional": sp.FormatQuote(c.MinNotional), "applyMinToMarket": true,
					"maxNotional": sp.FormatQuote(max(c.MaxNotional, 0)), "applyMaxToMarket": false, "avgPriceMins": 5},
				map[string]any{"filterType": "MAX_NUM_ORDERS", "maxNumOrders": c.MaxOpenOrders},
			},
		})
	}
	return map[string]any{"timezone": "UTC", "serverTime": time.Now().UnixMilli(),
		"rateLimits": []any{
			map[string]any{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": s.cfg.WeightPerMinute},
			map[string]any{"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": s.cfg.OrdersPer10s},
		}, "exchangeFilters": []any{}, "symbols": syms}, nil
}

func (s *Server) depth(r *request) (any, error) {
	m, err := r.market(s)
	if err != nil {
		return nil, err
	}
	bids, asks, seq := m.Depth(r.limit(100, 5000))
	f := func(ls []matching.Level) [][2]string {
		out := make([][2]string, len(ls))
		for i, l := range ls {
			out[i] = [2]string{m.Spec.FormatPrice(l.Price), m.Spec.FormatQty(l.Qty)}
		}
		return out
	}
	return map[string]any{"lastUpdateId": seq, "bids": f(bids), "asks": f(asks)}, nil
}

func (s *Server) trades(r *request) (any, error) {
	m, err := r.market(s)
	if err != nil {
		return nil, err
	}
	ts := m.Trades(0, r.limit(500, 1000))
	out := make([]any, len(ts))
	for i, t := range ts {
		out[i] = map[string]any{"id": t.ID, "price": m.Spec.FormatPrice(t.Price), "qty": m.Spec.FormatQty(t.Qty),
			"quoteQty": m.Spec.FormatQuote(t.Quote), "time": t.TimeMS, "isBuyerMaker": t.BuyerIsMaker, "isBestMatch": true}
	}
	return out, nil
}

func (s *Server) tickerPrice(r *request) (any, error) {
	m, err := r.market(s)
	if err != nil {
		return nil, err
	}
	ts := m.Trades(0, 1)
	p := "0"
	if len(ts) == 1 {
		p = m.Spec.FormatPrice(ts[0].Price)
	}
	return map[string]string{"symbol": m.Spec.Symbol, "price": p}, nil
}

func enumSide(s string) (matching.Side, bool) {
	switch s {
	case "BUY":
		return matching.Buy, true
	case "SELL":
		return matching.Sell, true
	}
	return 0, false
}

func enumType(s string) (matching.OrderType, bool) {
	for t := matching.Limit; t <= matching.TakeProfitLimit; t++ {
		if t.String() == s {
			return t, true
		}
	}
	return 0, false
}

func enumTIF(s string) (matching.TimeInForce, bool) {
	switch s {
	case "":
		return matching.TIFNone, true
	case "GTC":
		return matching.GTC, true
	case "IOC":
		return matching.IOC, true
	case "FOK":
		return matching.FOK, true
	}
	return 0, false
}

// parseOrder maps the request's decimal strings onto the market's units.
func (s *Server) parseOrder(r *request, m *venue.Market) (venue.NewOrder, error) {
	p := r.params
	n := venue.NewOrder{Account: r.account, ClientOrderID: p.Get("newClientOrderId")}
	var ok bool
	if n.Side, ok = enumSide(p.Get("side")); !ok {
		return n, &venue.APIError{Code: -1117, Msg: "Invalid side."}
	}
	if n.Type, ok = enumType(p.Get("type")); !ok {
		return n, &venue.APIError{Code: -1116, Msg: "Invalid orderType."}
	}
	if n.TIF, ok = enumTIF(p.Get("timeInForce")); !ok {
		return n, &venue.APIError{Code: -1115, Msg: "Invalid timeInForce."}
	}
	num := func(name string, parse func(string) (int64, bool), dst *int64) error {
		v := p.Get(name)
		if v == "" {
			return nil
		}
		x, ok := parse(v)
		if !ok {
			return &venue.APIError{Code: -1013, Msg: "Filter failure: " + map[string]string{"price": "PRICE_FILTER", "stopPrice": "PRICE_FILTER", "quoteOrderQty": "NOTIONAL"}[name] + lotName(name)}
		}
		*dst = x
		return nil
	}
	for _, f := range []struct {
		name  string
		parse func(string) (int64, bool)
		dst   *int64
	}{{"price", m.Spec.ParsePrice, &n.Price}, {"stopPrice", m.Spec.ParsePrice, &n.StopPrice},
		{"quantity", m.Spec.ParseQty, &n.Qty}, {"icebergQty", m.Spec.ParseQty, &n.Iceberg}, {"quoteOrderQty", m.Spec.ParseQuote, &n.QuoteQty}} {
		if err := num(f.name, f.parse, f.dst); err != nil {
			return n, err
		}
	}
	return n, nil
}

func lotName(name string) string {
	if name == "quantity" || name == "icebergQty" {
		return "LOT_SIZE"
	}
	return ""
}

func (s *Server) newOrder(r *request) (any, error) {
	m, err := r.market(s)
	if err != nil {
		return nil, err
	}
	n, err := s.parseOrder(r, m)
	if err != nil {
		return nil, err
	}
	res, err := s.v.PlaceOrder(r.ctx, m.Spec.Symbol, n)
	if err != nil {
		return nil, err
	}
	rt := r.params.Get("newOrderRespType")
	if rt == "" {
		rt = "FULL"
		if n.Type != matching.Market && n.Type != matching.Limit {
			rt = "ACK"
		}
	}
	o := res.Order
	switch rt {
	case "ACK":
		return ackJSON(&o), nil
	case "RESULT":
		return orderJSON(m, &o, true), nil
	}
	out := orderJSON(m, &o, true)
	fills := make([]any, len(res.Fills))
	for i, f := range res.Fills {
		fee, asset := f.BuyerFee, m.Spec.Base
		dec := m.Spec.BaseDecimals
		if o.Side == matching.Sell {
			fee, asset, dec = f.SellerFee, m.Spec.Quote, m.Spec.QuoteDecimals
		}
		fills[i] = map[string]any{"price": m.Spec.FormatPrice(f.Price), "qty": m.Spec.FormatQty(f.Qty),
			"commission": venue.FormatAmount(fee, dec), "commissionAsset": asset, "tradeId": f.ID}
	}
	out["fills"] = fills
	return out, nil
}

func (s *Server) testOrder(r *request) (any, error) {
	m, err := r.market(s)
	if err != nil {
		return nil, err
	}
	if _, err := s.parseOrder(r, m); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func orderJSON(m *venue.Market, o *venue.Order, transact bool) map[string]any {
	out := map[string]any{"symbol": o.Symbol, "orderId": o.ID, "orderListId": -1, "clientOrderId": o.ClientOrderID,
		"price": m.Spec.FormatPrice(o.Price), "origQty": m.Spec.FormatQty(o.Qty), "executedQty": m.Spec.FormatQty(o.Filled),
		"cummulativeQuoteQty": m.Spec.FormatQuote(o.CumQuote), "status": o.Status, "timeInForce": tifName(o.TIF),
		"type": o.Type, "side": o.Side.String(), "workingTime": o.TimeMS, "selfTradePreventionMode": "NONE"}
	if o.Type == "MARKET" {
		out["price"] = m.Spec.FormatPrice(0)
	}
	if transact {
		out["transactTime"] = o.UpdateMS
	} else {
		out["stopPrice"] = m.Spec.FormatPrice(o.StopPrice)
		out["icebergQty"] = m.Spec.FormatQty(o.Iceberg)
		out["time"], out["updateTime"], out["isWorking"] = o.TimeMS, o.UpdateMS, o.Working
		out["origQuoteOrderQty"] = m.Spec.FormatQuote(o.QuoteQty)
	}
	return out
}

func tifName(t matching.TimeInForce) string {
	if t == matching.TIFNone {
		return "GTC"
	}
	return t.String()
}

func (r *request) orderRef() (uint64, string, error) {
	id, _ := strconv.ParseUint(r.params.Get("orderId"), 10, 64)
	cid := r.params.Get("origClientOrderId")
	if id == 0 && cid == "" {
		return 0, "", &venue.APIError{Code: -1102, Msg: "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"}
	}
	return id, cid, nil
}

func (s *Server) getOrder(r *request) (any, error) {
	m, err := r.market(s)
	if err != nil {
		return nil, err
	}
	id, cid, err := r.orderRef()
	if err != nil {
		return nil, err
	}
	o, err := m.GetOrder(r.account, id, cid)
	if err != nil {
		return nil, err
	}
	return orderJSON(m, &o, false), nil
}

func (s *Server) cancelOrder(r *request) (any, error) {
	m, err := r.market(s)
	if err != nil {
		return nil, err
	}
	id, cid, err := r.orderRef()
	if err != nil {
		return nil, err
	}
	o, err := s.v.CancelOrder(r.ctx, m.Spec.Symbol, r.account, id, cid)
	if err != nil {
		return nil, err
	}
	out := orderJSON(m, &o, true)
	out["origClientOrderId"] = o.ClientOrderID
	return out, nil
}

func (s *Server) cancelAll(r *request) (any, error) {
	m, err := r.market(s)
	if err != nil {
		return nil, err
	}
	os, err := s.v.CancelAll(r.ctx, m.Spec.Symbol, r.account)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(os))
	for i := range os {
		out[i] = orderJSON(m, &os[i], true)
	}
	return out, nil
}

func (s *Server) openOrders(open bool) func(r *request) (any, error) {
	return func(r *request) (any, error) {
		var ms []*venue.Market
		if r.params.Get("symbol") == "" && open {
			ms = s.v.Markets()
		} else {
			m, err := r.market(s)
			if err != nil {
				return nil, err
			}
			ms = []*venue.Market{m}
		}
		from, _ := strconv.ParseUint(r.params.Get("orderId"), 10, 64)
		out := []any{}
		for _, m := range ms {
			for _, o := range m.Orders(r.account, open, from, r.limit(500, 1000)) {
				out = append(out, orderJSON(m, &o, false))
			}
		}
		return out, nil
	}
}

func (s *Server) account(r *request) (any, error) {
	bs := s.v.Ledger.Balances(ledger.AccountID(r.account))
	dec := map[string]int{}
	for _, m := range s.v.Markets() {
		dec[m.Spec.Base], dec[m.Spec.Quote] = m.Spec.BaseDecimals, m.Spec.QuoteDecimals
	}
	out := []any{}
	for _, b := range bs {
		d := dec[string(b.Asset)]
		out = append(out, map[string]string{"asset": string(b.Asset), "free": venue.FormatAmount(b.Free, d), "locked": venue.FormatAmount(b.Locked, d)})
	}
	return map[string]any{"makerCommission": 10, "takerCommission": 10, "buyerCommission": 0, "sellerCommission": 0,
		"canTrade": true, "canWithdraw": false, "canDeposit": true, "brokered": false, "requireSelfTradePrevention": false,
		"updateTime": time.Now().UnixMilli(), "accountType": "SPOT", "balances": out, "permissions": []string{"SPOT"}, "uid": r.account}, nil
}

func (s *Server) myTrades(r *request) (any, error) {
	m, err := r.market(s)
	if err != nil {
		return nil, err
	}
	from, _ := strconv.ParseUint(r.params.Get("fromId"), 10, 64)
	ts := m.AccountTrades(r.account, from, r.limit(500, 1000))
	out := make([]any, len(ts))
	for i, t := range ts {
		buyer := t.Buyer == r.account
		fee, asset, dec := t.SellerFee, m.Spec.Quote, m.Spec.QuoteDecimals
		order, maker := t.MakerOrder, !t.BuyerIsMaker
		if buyer {
			fee, asset, dec, maker = t.BuyerFee, m.Spec.Base, m.Spec.BaseDecimals, t.BuyerIsMaker
		}
		if !maker {
			order = t.TakerOrder
		}
		out[i] = map[string]any{"symbol": m.Spec.Symbol, "id": t.ID, "orderId": order, "orderListId": -1,
			"price": m.Spec.FormatPrice(t.Price), "qty": m.Spec.FormatQty(t.Qty), "quoteQty": m.Spec.FormatQuote(t.Quote),
			"commission": venue.FormatAmount(fee, dec), "commissionAsset": asset, "time": t.TimeMS,
			"isBuyer": buyer, "isMaker": maker, "isBestMatch": true}
	}
	return out, nil
}
