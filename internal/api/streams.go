package api

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ballast-chain/ballast/internal/matching"
	"github.com/ballast-chain/ballast/internal/venue"
)

// streams fans venue updates out to WebSocket connections. The venue
// calls onUpdate under a market's lock, so it only queues; one dispatcher
// goroutine encodes each event once and offers the bytes to every
// subscriber's bounded queue (a full queue drops that subscriber).
type streams struct {
	s  *Server
	in chan *venue.Update
	// ctx is the connections' context, cancelled when run ends.
	ctx  context.Context
	stop context.CancelFunc

	mu     sync.Mutex
	byName map[string]*subSet // stream name -> subscribers
	byUser map[uint64]map[*wsConn]struct{}
	conns  atomic.Int64

	// dispatcher-owned state
	depth   map[string]*depthAcc // "<sym>@depth" and "<sym>@depth@100ms"
	klines  map[string]*venue.Kline
	wake    []*wsConn // writers to wake at the end of the batch
	dropped atomic.Uint64

	frames, flushes atomic.Uint64 // frames sent, socket writes (batches)
}

// subSet is a stream's subscribers and, for emit, a snapshot of them
// rebuilt only after a change (so an event costs no allocation per
// subscriber).
type subSet struct {
	conns map[*wsConn]struct{}
	list  []*wsConn // nil after a change
}

func (set *subSet) snapshot() []*wsConn {
	if set.list == nil {
		set.list = make([]*wsConn, 0, len(set.conns))
		for c := range set.conns {
			set.list = append(set.list, c)
		}
	}
	return set.list
}

// depthAcc accumulates one market's changed levels between flushes.
type depthAcc struct {
	lastU      uint64 // u of the last flushed diff
	u          uint64
	bids, asks map[int64]int64
}

func newStreams(s *Server) *streams {
	ctx, stop := context.WithCancel(context.Background())
	return &streams{s: s, in: make(chan *venue.Update, 1<<16), ctx: ctx, stop: stop, byName: map[string]*subSet{},
		byUser: map[uint64]map[*wsConn]struct{}{}, depth: map[string]*depthAcc{}, klines: map[string]*venue.Kline{}}
}

// onUpdate is the venue subscriber: queue, never block.
func (st *streams) onUpdate(u *venue.Update) {
	select {
	case st.in <- u:
	default:
		// The dispatcher is behind: depth diffs would have a gap, so
		// depth subscribers are dropped at the next flush to resync.
		st.dropped.Add(1)
	}
}

func (st *streams) subscribe(c *wsConn, name string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if c.removed {
		return
	}
	set := st.byName[name]
	if set == nil {
		set = &subSet{conns: map[*wsConn]struct{}{}}
		st.byName[name] = set
	}
	set.conns[c] = struct{}{}
	set.list = nil
}

func (st *streams) unsubscribe(c *wsConn, name string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.unsubscribeLocked(c, name)
}

func (st *streams) unsubscribeLocked(c *wsConn, name string) {
	if set := st.byName[name]; set != nil {
		if _, ok := set.conns[c]; !ok {
			return
		}
		delete(set.conns, c)
		set.list = nil
		if len(set.conns) == 0 {
			delete(st.byName, name)
		}
	}
}

func (st *streams) subscribeUser(c *wsConn, acct uint64) {
	// Warm the anti-phishing cache: emitUser runs under a market's lock
	// and reads only the cache.
	st.s.v.AntiPhishingCode(context.Background(), acct)
	st.mu.Lock()
	defer st.mu.Unlock()
	if c.removed {
		return
	}
	set := st.byUser[acct]
	if set == nil {
		set = map[*wsConn]struct{}{}
		st.byUser[acct] = set
	}
	set[c] = struct{}{}
}

// remove unsubscribes c from everything; with gone set, c is never
// subscribed again (a request still being handled cannot re-add it).
func (st *streams) remove(c *wsConn, gone bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	c.removed = c.removed || gone
	c.mu.Lock()
	defer c.mu.Unlock()
	for name := range c.subs {
		st.unsubscribeLocked(c, name)
	}
	if c.user != 0 {
		if set := st.byUser[c.user]; set != nil {
			delete(set, c)
			if len(set) == 0 {
				delete(st.byUser, c.user)
			}
		}
	}
}

// has reports whether anyone listens to name.
func (st *streams) has(name string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.byName[name] != nil
}

// emit sends one encoded event of stream name to its subscribers.
func (st *streams) emit(name string, v any) {
	st.mu.Lock()
	set := st.byName[name]
	if set == nil {
		st.mu.Unlock()
		return
	}
	subs := set.snapshot() // immutable: a change makes a new one
	st.mu.Unlock()
	data, _ := json.Marshal(v)
	msg := &outMsg{raw: data, stream: name}
	for _, c := range subs {
		if c.offer(msg) {
			st.wake = append(st.wake, c)
		}
	}
}

func (st *streams) emitUser(acct uint64, v any) {
	st.mu.Lock()
	set := st.byUser[acct]
	subs := make([]*wsConn, 0, len(set))
	for c := range set {
		subs = append(subs, c)
	}
	st.mu.Unlock()
	if len(subs) == 0 {
		return
	}
	// The anti-phishing code rides in every user-data event as "apc"
	// (Binance defines no such field; clients ignore unknown ones).
	if m, ok := v.(map[string]any); ok {
		if code := st.s.v.CachedAntiPhishingCode(acct); code != "" {
			m["apc"] = code
		}
	}
	data, _ := json.Marshal(v)
	msg := &outMsg{raw: data, user: true}
	for _, c := range subs {
		if c.offer(msg) {
			st.wake = append(st.wake, c)
		}
	}
}

// run dispatches updates and flushes depth and ticker streams on timers.
func (st *streams) run(done <-chan struct{}) {
	fast, slow := time.NewTicker(100*time.Millisecond), time.NewTicker(time.Second)
	defer fast.Stop()
	defer slow.Stop()
	for _, m := range st.s.v.Markets() {
		st.initDepth(m)
	}
	defer st.stop()
	for {
		select {
		case <-done:
			return
		case u := <-st.in:
			st.dispatch(u)
			// Take a few more that are waiting before waking anyone
			// (bounded: writers must drain before queues fill).
			for range 15 {
				select {
				case u := <-st.in:
					st.dispatch(u)
					continue
				default:
				}
				break
			}
		case <-fast.C:
			st.flushDepth("@depth@100ms")
		case <-slow.C:
			st.flushDepth("@depth")
			st.tickers()
		}
		st.wakeWriters()
	}
}

// wakeWriters wakes the writers of every connection that got frames in
// this batch.
func (st *streams) wakeWriters() {
	for i, c := range st.wake {
		c.wakeWriter()
		st.wake[i] = nil
	}
	st.wake = st.wake[:0]
	if cap(st.wake) > 1<<16 {
		st.wake = nil
	}
}

func (st *streams) initDepth(m *venue.Market) {
	_, _, _, _, seq := m.BookTicker()
	sym := strings.ToLower(m.Spec.Symbol)
	for _, suffix := range []string{"@depth", "@depth@100ms"} {
		if st.depth[sym+suffix] == nil {
			st.depth[sym+suffix] = &depthAcc{lastU: seq, u: seq, bids: map[int64]int64{}, asks: map[int64]int64{}}
		}
	}
}

func (st *streams) dispatch(u *venue.Update) {
	if b := u.Balance; b != nil {
		st.balanceUpdate(b)
		return
	}
	m, ok := st.s.v.Market(u.Symbol)
	if !ok {
		return
	}
	sym := strings.ToLower(u.Symbol)
	if st.depth[sym+"@depth"] == nil {
		st.initDepth(m)
	}
	for _, suffix := range []string{"@depth", "@depth@100ms"} {
		acc := st.depth[sym+suffix]
		if u.LastSeq <= acc.u {
			continue
		}
		acc.u = u.LastSeq
		for _, l := range u.Bids {
			acc.bids[l.Price] = l.Qty
		}
		for _, l := range u.Asks {
			acc.asks[l.Price] = l.Qty
		}
	}
	sp := &m.Spec
	for _, t := range u.Trades {
		st.emit(sym+"@trade", map[string]any{"e": "trade", "E": u.TimeMS, "s": u.Symbol, "t": t.ID,
			"p": sp.FormatPrice(t.Price), "q": sp.FormatQty(t.Qty), "T": t.TimeMS, "m": t.BuyerIsMaker, "M": true})
		st.emit(sym+"@aggTrade", map[string]any{"e": "aggTrade", "E": u.TimeMS, "s": u.Symbol, "a": t.ID,
			"p": sp.FormatPrice(t.Price), "q": sp.FormatQty(t.Qty), "f": t.ID, "l": t.ID, "T": t.TimeMS, "m": t.BuyerIsMaker, "M": true})
		st.klineTrade(m, sym, u.TimeMS, t)
	}
	if len(u.Bids)+len(u.Asks) > 0 && st.has(sym+"@bookTicker") {
		b, bq, a, aq, seq := m.BookTicker()
		st.emit(sym+"@bookTicker", map[string]any{"u": seq, "s": u.Symbol, "b": sp.FormatPrice(b), "B": sp.FormatQty(bq),
			"a": sp.FormatPrice(a), "A": sp.FormatQty(aq)})
	}
	st.userEvents(m, u)
}

func (st *streams) klineTrade(m *venue.Market, sym string, now int64, t venue.Trade) {
	for _, iv := range klineIntervals {
		name := sym + "@kline_" + iv
		k := st.klines[name]
		o, c := venue.KlineBounds(iv, t.TimeMS)
		if k == nil || k.OpenMS != o {
			k = &venue.Kline{OpenMS: o, CloseMS: c, Open: t.Price, High: t.Price, Low: t.Price}
			st.klines[name] = k
		}
		k.High, k.Low, k.Close = max(k.High, t.Price), min(k.Low, t.Price), t.Price
		k.Volume += t.Qty
		k.QuoteVolume += t.Quote
		k.Trades++
		if !t.BuyerIsMaker {
			k.TakerBuyVolume += t.Qty
			k.TakerBuyQuote += t.Quote
		}
		if !st.has(name) {
			continue
		}
		sp := &m.Spec
		st.emit(name, map[string]any{"e": "kline", "E": now, "s": m.Spec.Symbol, "k": map[string]any{
			"t": k.OpenMS, "T": k.CloseMS, "s": m.Spec.Symbol, "i": iv, "f": -1, "L": t.ID,
			"o": sp.FormatPrice(k.Open), "c": sp.FormatPrice(k.Close), "h": sp.FormatPrice(k.High), "l": sp.FormatPrice(k.Low),
			"v": sp.FormatQty(k.Volume), "n": k.Trades, "x": false, "q": sp.FormatQuote(k.QuoteVolume),
			"V": sp.FormatQty(k.TakerBuyVolume), "Q": sp.FormatQuote(k.TakerBuyQuote), "B": "0"}})
	}
}

var klineIntervals = []string{"1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M"}

// flushDepth sends accumulated diffs (U = previous u + 1, so a client
// can check continuity) and partial-book snapshots.
func (st *streams) flushDepth(suffix string) {
	lost := st.dropped.Swap(0) > 0
	now := time.Now().UnixMilli()
	for _, m := range st.s.v.Markets() {
		sym := strings.ToLower(m.Spec.Symbol)
		acc := st.depth[sym+suffix]
		if acc == nil || acc.u == acc.lastU {
			continue
		}
		if lost {
			st.dropAll(sym + suffix)
		}
		sp := &m.Spec
		levels := func(book map[int64]int64) [][2]string {
			out := make([][2]string, 0, len(book))
			for p, q := range book {
				out = append(out, [2]string{sp.FormatPrice(p), sp.FormatQty(q)})
			}
			return out
		}
		if len(acc.bids)+len(acc.asks) > 0 {
			st.emit(sym+suffix, map[string]any{"e": "depthUpdate", "E": now, "s": m.Spec.Symbol,
				"U": acc.lastU + 1, "u": acc.u, "b": levels(acc.bids), "a": levels(acc.asks)})
			clear(acc.bids)
			clear(acc.asks)
			speed := strings.TrimPrefix(suffix, "@depth")
			for _, n := range []int{5, 10, 20} {
				name := sym + "@depth" + strconv.Itoa(n) + speed
				if !st.has(name) {
					continue
				}
				bids, asks, seq := m.Depth(n)
				st.emit(name, map[string]any{"lastUpdateId": seq, "bids": pairs(sp, bids), "asks": pairs(sp, asks)})
			}
		}
		acc.lastU = acc.u
	}
}

func (st *streams) dropAll(name string) {
	st.mu.Lock()
	var cs []*wsConn
	if set := st.byName[name]; set != nil {
		cs = set.snapshot()
	}
	st.mu.Unlock()
	for _, c := range cs {
		c.drop("depth stream fell behind; resubscribe and resync from /api/v3/depth")
	}
}

func pairs(sp *venue.MarketSpec, ls []matching.Level) [][2]string {
	out := make([][2]string, len(ls))
	for i, l := range ls {
		out[i] = [2]string{sp.FormatPrice(l.Price), sp.FormatQty(l.Qty)}
	}
	return out
}

// tickers sends the rolling 24 h ticker and mini ticker once a second.
func (st *streams) tickers() {
	now := time.Now().UnixMilli()
	for _, m := range st.s.v.Markets() {
		sym := strings.ToLower(m.Spec.Symbol)
		full, mini := st.has(sym+"@ticker"), st.has(sym+"@miniTicker")
		if !full && !mini {
			continue
		}
		stats := m.Ticker(now, 86400e3)
		t := tickerJSON(m, stats, false)
		if mini {
			st.emit(sym+"@miniTicker", map[string]any{"e": "24hrMiniTicker", "E": now, "s": m.Spec.Symbol,
				"c": t["lastPrice"], "o": t["openPrice"], "h": t["highPrice"], "l": t["lowPrice"], "v": t["volume"], "q": t["quoteVolume"]})
		}
		if full {
			st.emit(sym+"@ticker", map[string]any{"e": "24hrTicker", "E": now, "s": m.Spec.Symbol,
				"p": t["priceChange"], "P": t["priceChangePercent"], "w": t["weightedAvgPrice"], "x": t["prevClosePrice"],
				"c": t["lastPrice"], "Q": t["lastQty"], "b": t["bidPrice"], "B": t["bidQty"], "a": t["askPrice"], "A": t["askQty"],
				"o": t["openPrice"], "h": t["highPrice"], "l": t["lowPrice"], "v": t["volume"], "q": t["quoteVolume"],
				"O": stats.OpenMS, "C": stats.CloseMS, "F": t["firstId"], "L": t["lastId"], "n": stats.Trades})
		}
	}
}
