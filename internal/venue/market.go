package venue

import (
	"sync"

	"github.com/ballast-chain/ballast/internal/exchangedb"
	"github.com/ballast-chain/ballast/internal/journal"
	"github.com/ballast-chain/ballast/internal/ledger"
	"github.com/ballast-chain/ballast/internal/matching"
)

// Order statuses as Binance names them.
const (
	StatusNew             = "NEW"
	StatusPartiallyFilled = "PARTIALLY_FILLED"
	StatusFilled          = "FILLED"
	StatusCanceled        = "CANCELED"
	StatusExpired         = "EXPIRED"
	StatusExpiredInMatch  = "EXPIRED_IN_MATCH"
	StatusRejected        = "REJECTED"
)

// Order is the venue's view of an order (open or finished).
type Order struct {
	Symbol        string
	ID            uint64
	Account       uint64
	ClientOrderID string
	Side          matching.Side
	Type          string // the API type (a MARKET buy by quantity runs as an IOC limit)
	TIF           matching.TimeInForce
	Price         int64
	StopPrice     int64
	Qty           int64
	QuoteQty      int64
	Iceberg       int64
	Filled        int64
	CumQuote      int64 // notional units
	Prevented     int64
	Status        string
	Working       bool
	TimeMS        int64
	UpdateMS      int64

	engineType matching.OrderType
	holdAsset  string
	held       int64 // still locked for this order
	done       bool
}

// Trade is one fill.
type Trade struct {
	ID           uint64
	Price, Qty   int64
	Quote        int64
	TimeMS       int64
	BuyerIsMaker bool
	TakerOrder   uint64
	MakerOrder   uint64
	Buyer        uint64
	Seller       uint64
	BuyerFee     int64 // base units of the ledger
	SellerFee    int64 // quote units of the ledger
}

// pendingMeta is what the API knew about an order before the engine gave
// it an id; keyed by the command's Ref.
type pendingMeta struct {
	clientID string
	apiType  string
	timeMS   int64
	account  uint64
	asset    string
	hold     int64
}

// Market is a running market: its journal and the state derived from the
// event stream, applied in event-seq order.
type Market struct {
	Spec MarketSpec
	j    *journal.Journal
	l    *ledger.Ledger
	now  func() int64
	subs *hub

	mu        sync.Mutex
	nextSeq   uint64 // seq of the next event to apply
	meta      map[uint64]pendingMeta
	orders    map[uint64]*Order
	byClient  map[clientKey]uint64
	accounts  map[uint64][]uint64 // account -> its order ids, oldest first
	bids      map[int64]int64
	asks      map[int64]int64
	trades    []Trade
	lastID    uint64 // last trade id
	touched   []*Order
	cmdTrades []Trade // the trades of the command being applied
	window    int     // in-memory trade history bound

	db   *exchangedb.DB // history beyond the window
	hist *historyWriter // nil while the journal replays
}

type clientKey struct {
	account uint64
	id      string
}

// JournalStats returns the market journal's fsync counters.
func (m *Market) JournalStats() journal.Stats { return m.j.Stats() }

func newMarket(spec MarketSpec, l *ledger.Ledger, now func() int64, h *hub, window int) *Market {
	if window <= 0 {
		window = defaultTradeWindow
	}
	m := &Market{Spec: spec, l: l, now: now, subs: h, nextSeq: 1, window: window,
		meta: map[uint64]pendingMeta{}, orders: map[uint64]*Order{},
		byClient: map[clientKey]uint64{}, accounts: map[uint64][]uint64{}, bids: map[int64]int64{}, asks: map[int64]int64{}}
	return m
}

// deliver applies one command's events. The journal calls it in seq
// order from a single goroutine (its Replay and Durable hooks), once the
// command is durable and before the submitter is answered, so the
// market's state never runs ahead of the log and a submitter finds its
// order applied when Submit returns.
func (m *Market) deliver(evs []matching.Event) {
	if len(evs) == 0 {
		return
	}
	m.mu.Lock()
	m.applyLocked(evs)
	m.mu.Unlock()
}

// applyLocked applies one command's events: holds of rejected orders are
// released, trades settled, finished orders' unused holds released.
func (m *Market) applyLocked(evs []matching.Event) {
	now := m.now()
	m.touched = m.touched[:0]
	m.cmdTrades = m.cmdTrades[:0]
	for i := range evs {
		ev := &evs[i]
		m.nextSeq = ev.Seq + 1
		switch ev.Kind {
		case matching.EvAccepted:
			m.accept(ev, now)
		case matching.EvRejected:
			// The hold taken before submission goes back.
			if meta, ok := m.meta[ev.Ref]; ok {
				delete(m.meta, ev.Ref)
				m.release(meta.account, meta.asset, meta.hold)
			}
		case matching.EvTrade:
			m.trade(ev, now)
		case matching.EvBookDelta:
			book := m.bids
			if ev.Side == matching.Sell {
				book = m.asks
			}
			if ev.Qty == 0 {
				delete(book, ev.Price)
			} else {
				book[ev.Price] = ev.Qty
			}
		case matching.EvCancelled, matching.EvExpired:
			if o := m.orders[ev.OrderID]; o != nil {
				o.Status = StatusCanceled
				if ev.Kind == matching.EvExpired {
					o.Status = StatusExpired
					if ev.Reason == matching.ExpireSTP {
						o.Status = StatusExpiredInMatch
					}
				}
				m.finish(o, now)
			}
		case matching.EvPrevented:
			if o := m.orders[ev.OrderID]; o != nil {
				o.Prevented += ev.Qty
				m.touch(o)
			}
			if o := m.orders[ev.MakerOrderID]; o != nil {
				o.Prevented += ev.MakerQty
				m.touch(o)
			}
		case matching.EvTriggered:
			if o := m.orders[ev.OrderID]; o != nil {
				o.Working, o.engineType = true, ev.Type
				m.touch(o)
			}
		case matching.EvAmended:
			if o := m.orders[ev.OrderID]; o != nil {
				o.Qty = ev.Qty
				m.touch(o)
			}
		}
	}
	// Orders that cannot rest are finished once their command is through.
	for _, o := range m.touched {
		if o.done {
			continue
		}
		rests := o.engineType != matching.Market && (o.TIF == matching.GTC || o.engineType == matching.LimitMaker || !o.Working)
		switch {
		case o.QuoteQty == 0 && o.Filled+o.Prevented >= o.Qty:
			o.Status = StatusFilled
			if o.Prevented > 0 && o.Filled < o.Qty {
				o.Status = StatusExpiredInMatch
			}
			m.finish(o, now)
		case !rests:
			o.Status = StatusExpired
			if o.QuoteQty != 0 && o.Filled > 0 {
				o.Status = StatusFilled // spent its quote down to the last whole step
			}
			m.finish(o, now)
		}
	}
	if m.hist != nil {
		m.hist.add(m.Spec.Symbol, m.touched, m.cmdTrades)
	}
	if m.subs != nil {
		m.subs.publish(m, evs, now)
	}
}

func (m *Market) touch(o *Order) {
	for _, t := range m.touched {
		if t == o {
			return
		}
	}
	m.touched = append(m.touched, o)
}

func (m *Market) accept(ev *matching.Event, now int64) {
	asset, amount, _ := m.Spec.hold(ev.Side, ev.Type, ev.Price, ev.Qty, ev.Quote)
	o := &Order{Symbol: m.Spec.Symbol, ID: ev.OrderID, Account: ev.Account, Side: ev.Side, Type: ev.Type.String(),
		TIF: ev.TIF, Price: ev.Price, StopPrice: ev.StopPrice, Qty: ev.Qty, QuoteQty: ev.Quote, Iceberg: ev.Iceberg,
		Status: StatusNew, Working: ev.StopPrice == 0, TimeMS: now, UpdateMS: now,
		engineType: ev.Type, holdAsset: asset, held: amount}
	if meta, ok := m.meta[ev.Ref]; ok {
		delete(m.meta, ev.Ref)
		o.ClientOrderID, o.Type, o.TimeMS, o.UpdateMS = meta.clientID, meta.apiType, meta.timeMS, meta.timeMS
	} else if amount > 0 {
		// Replay: the hold taken live before submission is taken again.
		if err := m.l.Post(ledger.Lock(ledger.AccountID(o.Account), ledger.Asset(asset), amount)); err != nil {
			panic("venue: replayed hold failed: " + err.Error())
		}
	}
	if o.ClientOrderID == "" {
		o.ClientOrderID = "replayed-" + formatFixed(int64(o.ID), 0)
	}
	m.orders[o.ID] = o
	m.byClient[clientKey{o.Account, o.ClientOrderID}] = o.ID
	m.accounts[o.Account] = append(m.accounts[o.Account], o.ID)
	m.touch(o)
}

func (m *Market) trade(ev *matching.Event, now int64) {
	bs, qs := m.Spec.BaseScale(), m.Spec.QuoteScale()
	taker, maker := m.orders[ev.OrderID], m.orders[ev.MakerOrderID]
	t := Trade{ID: ev.TradeID, Price: ev.Price, Qty: ev.Qty, Quote: ev.Quote, TimeMS: now,
		TakerOrder: ev.OrderID, MakerOrder: ev.MakerOrderID}
	var buyerOrder, sellerOrder *Order
	if ev.Side == matching.Buy {
		t.Buyer, t.Seller, buyerOrder, sellerOrder = ev.Account, ev.MakerAccount, taker, maker
		t.BuyerFee, t.SellerFee = ev.TakerFee*bs, ev.MakerFee*qs
	} else {
		t.Buyer, t.Seller, buyerOrder, sellerOrder = ev.MakerAccount, ev.Account, maker, taker
		t.BuyerFee, t.SellerFee, t.BuyerIsMaker = ev.MakerFee*bs, ev.TakerFee*qs, true
	}
	f := ledger.Fill{Buyer: ledger.AccountID(t.Buyer), Seller: ledger.AccountID(t.Seller),
		BaseAsset: ledger.Asset(m.Spec.Base), QuoteAsset: ledger.Asset(m.Spec.Quote),
		Base: ev.Qty * bs, Quote: ev.Quote * qs, BuyerFee: t.BuyerFee, SellerFee: t.SellerFee}
	if err := m.l.Post(ledger.Settle(f)); err != nil {
		// The holds cover every fill by construction; failing here is a
		// bug that must stop the venue rather than corrupt balances.
		panic("venue: settlement failed: " + err.Error())
	}
	for _, o := range []*Order{taker, maker} {
		if o == nil {
			continue
		}
		o.Filled += ev.Qty
		o.CumQuote += ev.Quote
		o.Status = StatusPartiallyFilled
		o.UpdateMS = now
		m.touch(o)
	}
	if buyerOrder != nil {
		buyerOrder.held -= f.Quote
	}
	if sellerOrder != nil {
		sellerOrder.held -= f.Base
	}
	m.trades = append(m.trades, t)
	m.cmdTrades = append(m.cmdTrades, t)
	if len(m.trades) > m.window {
		m.trades = append(m.trades[:0], m.trades[len(m.trades)-m.window/2:]...)
	}
	m.lastID = t.ID
}

// defaultTradeWindow bounds the in-memory trade history per market;
// older trades are read from the database.
const defaultTradeWindow = 100_000

func (m *Market) finish(o *Order, now int64) {
	if o.done {
		return
	}
	o.done, o.UpdateMS = true, now
	m.release(o.Account, o.holdAsset, o.held)
	o.held = 0
	m.touch(o)
}

func (m *Market) release(account uint64, asset string, amount int64) {
	if amount <= 0 {
		return
	}
	if err := m.l.Post(ledger.Unlock(ledger.AccountID(account), ledger.Asset(asset), amount)); err != nil {
		panic("venue: release failed: " + err.Error())
	}
}
