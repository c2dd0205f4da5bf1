package api

import (
	"time"

	"github.com/ballast-chain/ballast/internal/auth"
	"github.com/ballast-chain/ballast/internal/ledger"
	"github.com/ballast-chain/ballast/internal/venue"
)

// userEvents sends executionReport and outboundAccountPosition to the
// accounts whose orders a command changed.
func (st *streams) userEvents(m *venue.Market, u *venue.Update) {
	touched := map[uint64]bool{}
	for i := range u.Orders {
		o := &u.Orders[i]
		st.mu.Lock()
		listening := len(st.byUser[o.Account]) > 0
		st.mu.Unlock()
		if !listening {
			continue
		}
		touched[o.Account] = true
		st.emitUser(o.Account, executionReport(m, o, u.TimeMS))
	}
	for acct := range touched {
		var bs []any
		for _, a := range []string{m.Spec.Base, m.Spec.Quote} {
			b := st.s.v.Ledger.Balance(ledger.AccountID(acct), ledger.Asset(a))
			d := m.Spec.BaseDecimals
			if a == m.Spec.Quote {
				d = m.Spec.QuoteDecimals
			}
			bs = append(bs, map[string]string{"a": a, "f": venue.FormatAmount(b.Free, d), "l": venue.FormatAmount(b.Locked, d)})
		}
		st.emitUser(acct, map[string]any{"e": "outboundAccountPosition", "E": u.TimeMS, "u": u.TimeMS, "B": bs})
	}
}

func executionReport(m *venue.Market, o *venue.OrderUpdate, now int64) map[string]any {
	sp := &m.Spec
	x := "NEW"
	switch {
	case o.LastQty > 0:
		x = "TRADE"
	case o.Status == venue.StatusCanceled:
		x = "CANCELED"
	case o.Status == venue.StatusExpired:
		x = "EXPIRED"
	case o.Status == venue.StatusExpiredInMatch:
		x = "TRADE_PREVENTION"
	}
	tid := int64(-1)
	if o.TradeID != 0 {
		tid = int64(o.TradeID)
	}
	asset := o.CommissionAsset
	var commission any = "0"
	if asset != "" {
		d := sp.BaseDecimals
		if asset == sp.Quote {
			d = sp.QuoteDecimals
		}
		commission = venue.FormatAmount(o.Commission, d)
	}
	price := sp.FormatPrice(o.Price)
	if o.Type == "MARKET" {
		price = sp.FormatPrice(0)
	}
	return map[string]any{"e": "executionReport", "E": now, "s": o.Symbol, "c": o.ClientOrderID, "S": o.Side.String(),
		"o": o.Type, "f": tifName(o.TIF), "q": sp.FormatQty(o.Qty), "p": price, "P": sp.FormatPrice(o.StopPrice),
		"F": sp.FormatQty(o.Iceberg), "g": -1, "C": "", "x": x, "X": o.Status, "r": "NONE", "i": o.ID,
		"l": sp.FormatQty(o.LastQty), "z": sp.FormatQty(o.Filled), "L": sp.FormatPrice(o.LastPrice), "n": commission,
		"N": asset, "T": o.UpdateMS, "t": tid, "I": 0, "w": o.Working && o.Status == venue.StatusNew || o.Status == venue.StatusPartiallyFilled,
		"m": o.Maker, "M": false, "O": o.TimeMS, "Z": sp.FormatQuote(o.CumQuote), "Y": sp.FormatQuote(o.LastQuote),
		"Q": sp.FormatQuote(o.QuoteQty), "W": o.TimeMS, "V": "NONE"}
}

// listenKeys are the listenKey flow's keys: account and expiry (60 min,
// extended by PUT), in memory (a restart invalidates them, as a client
// expects keys to expire anyway).
func (s *Server) listenKeyCreate(r *request) (any, error) {
	key := auth.RandomToken(32)
	s.lkMu.Lock()
	s.listenKeys[key] = listenKey{account: r.account, expires: time.Now().Add(time.Hour)}
	for k, lk := range s.listenKeys {
		if time.Now().After(lk.expires) {
			delete(s.listenKeys, k)
		}
	}
	s.lkMu.Unlock()
	return map[string]string{"listenKey": key}, nil
}

type listenKey struct {
	account uint64
	expires time.Time
}

func (s *Server) listenKeyKeepalive(r *request) (any, error) {
	key := r.params.Get("listenKey")
	s.lkMu.Lock()
	defer s.lkMu.Unlock()
	lk, ok := s.listenKeys[key]
	if !ok || lk.account != r.account {
		return nil, &venue.APIError{Code: -1125, Msg: "This listenKey does not exist."}
	}
	lk.expires = time.Now().Add(time.Hour)
	s.listenKeys[key] = lk
	return struct{}{}, nil
}

func (s *Server) listenKeyDelete(r *request) (any, error) {
	key := r.params.Get("listenKey")
	s.lkMu.Lock()
	defer s.lkMu.Unlock()
	if lk, ok := s.listenKeys[key]; !ok || lk.account != r.account {
		return nil, &venue.APIError{Code: -1125, Msg: "This listenKey does not exist."}
	}
	delete(s.listenKeys, key)
	return struct{}{}, nil
}

func (s *Server) lookupListenKey(key string) (uint64, bool) {
	s.lkMu.Lock()
	defer s.lkMu.Unlock()
	lk, ok := s.listenKeys[key]
	if !ok || time.Now().After(lk.expires) {
		return 0, false
	}
	return lk.account, true
}

// balanceUpdate sends Binance's balanceUpdate for a change outside trading
// (admin credits and debits), then the account's position in that asset.
func (st *streams) balanceUpdate(b *venue.BalanceChange) {
	d, ok := st.s.v.AssetDecimals(b.Asset)
	if !ok {
		d = 8
	}
	st.emitUser(b.Account, map[string]any{"e": "balanceUpdate", "E": b.TimeMS, "a": b.Asset,
		"d": venue.FormatAmount(b.Delta, d), "T": b.TimeMS})
	bal := st.s.v.Ledger.Balance(ledger.AccountID(b.Account), ledger.Asset(b.Asset))
	st.emitUser(b.Account, map[string]any{"e": "outboundAccountPosition", "E": b.TimeMS, "u": b.TimeMS,
		"B": []any{map[string]string{"a": b.Asset, "f": venue.FormatAmount(bal.Free, d), "l": venue.FormatAmount(bal.Locked, d)}}})
}
