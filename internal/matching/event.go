package matching

import "encoding/binary"

// EventKind says what an Event reports.
type EventKind uint8

// Event kinds.
const (
	// EvAccepted: a new order passed validation and got OrderID. Carries
	// the order as accepted (resolved STP mode included).
	EvAccepted EventKind = 1
	// EvRejected: the command changed nothing. Reason gives the Binance
	// code and message; OrderID is the target for cancels and amends.
	EvRejected EventKind = 2
	// EvTrade: a fill between a resting maker and the taker (OrderID,
	// Account, Side are the taker's).
	EvTrade EventKind = 3
	// EvBookDelta: the total visible quantity at (Side, Price) is now Qty;
	// Qty 0 removes the level.
	EvBookDelta EventKind = 4
	// EvCancelled: OrderID left the book by request; Qty is what was left.
	EvCancelled EventKind = 5
	// EvExpired: OrderID ended without filling Qty (IOC/FOK/MARKET
	// remainder, or self-trade prevention). Quote is the unspent quote
	// amount of a MARKET order by quote amount.
	EvExpired EventKind = 6
	// EvTriggered: stop order OrderID fired at last trade price Price and
	// now works as Type.
	EvTriggered EventKind = 7
	// EvAmended: OrderID's quantity is now Qty (keeping priority), with
	// Remaining still open.
	EvAmended EventKind = 8
	// EvPrevented: a self-trade between taker OrderID and MakerOrderID at
	// Price was prevented; Qty is the taker's and MakerQty the maker's
	// prevented quantity.
	EvPrevented EventKind = 9
)

// String names the kind.
func (k EventKind) String() string {
	switch k {
	case EvAccepted:
		return "ACCEPTED"
	case EvRejected:
		return "REJECTED"
	case EvTrade:
		return "TRADE"
	case EvBookDelta:
		return "BOOK_DELTA"
	case EvCancelled:
		return "CANCELLED"
	case EvExpired:
		return "EXPIRED"
	case EvTriggered:
		return "TRIGGERED"
	case EvAmended:
		return "AMENDED"
	case EvPrevented:
		return "PREVENTED"
	}
	return "INVALID_EVENT"
}

// Event is one entry of the output stream. Seq numbers every event of a
// market from 1 without gaps. It is a flat comparable value so streams can
// be compared with ==; which fields are meaningful depends on Kind (see the
// EventKind constants and docs/matching.md).
type Event struct {
	Seq    uint64
	Kind   EventKind
	Side   Side
	Type   OrderType
	TIF    TimeInForce
	STP    STPMode
	Reason Reason

	OrderID uint64
	Account uint64
	Ref     uint64

	Price     int64
	Qty       int64
	Remaining int64
	Quote     int64
	StopPrice int64
	Iceberg   int64

	// Trade and prevented-match fields.
	TradeID      uint64
	MakerOrderID uint64
	MakerAccount uint64
	MakerQty     int64
	MakerFee     int64
	TakerFee     int64
	MakerFeePPM  uint32
	TakerFeePPM  uint32
}

// EventSize is the length of an encoded Event.
const EventSize = 8 + 6 + 3*8 + 6*8 + 6*8 + 2*4

// AppendEvent appends the fixed-size little-endian encoding of ev to b. The
// encoding is the canonical form in which streams are compared and shipped.
func AppendEvent(b []byte, ev *Event) []byte {
	le := binary.LittleEndian
	b = le.AppendUint64(b, ev.Seq)
	b = append(b, byte(ev.Kind), byte(ev.Side), byte(ev.Type), byte(ev.TIF), byte(ev.STP), byte(ev.Reason))
	for _, v := range [...]uint64{ev.OrderID, ev.Account, ev.Ref,
		uint64(ev.Price), uint64(ev.Qty), uint64(ev.Remaining), uint64(ev.Quote), uint64(ev.StopPrice), uint64(ev.Iceberg),
		ev.TradeID, ev.MakerOrderID, ev.MakerAccount, uint64(ev.MakerQty), uint64(ev.MakerFee), uint64(ev.TakerFee)} {
		b = le.AppendUint64(b, v)
	}
	b = le.AppendUint32(b, ev.MakerFeePPM)
	return le.AppendUint32(b, ev.TakerFeePPM)
}

// DecodeEvent decodes an Event encoded by AppendEvent.
func DecodeEvent(b []byte) (Event, error) {
	var ev Event
	if len(b) != EventSize {
		return ev, ruleError(ErrMalformedEvent, "event is %d bytes, want %d", len(b), EventSize)
	}
	le := binary.LittleEndian
	ev.Seq = le.Uint64(b)
	ev.Kind, ev.Side, ev.Type = EventKind(b[8]), Side(b[9]), OrderType(b[10])
	ev.TIF, ev.STP, ev.Reason = TimeInForce(b[11]), STPMode(b[12]), Reason(b[13])
	if ev.Kind < EvAccepted || ev.Kind > EvPrevented {
		return ev, ruleError(ErrMalformedEvent, "unknown event kind %d", b[8])
	}
	if ev.Reason >= reasonCount {
		return ev, ruleError(ErrMalformedEvent, "unknown reason %d", b[13])
	}
	u := func(i int) uint64 { return le.Uint64(b[14+8*i:]) }
	ev.OrderID, ev.Account, ev.Ref = u(0), u(1), u(2)
	ev.Price, ev.Qty, ev.Remaining, ev.Quote = int64(u(3)), int64(u(4)), int64(u(5)), int64(u(6))
	ev.StopPrice, ev.Iceberg = int64(u(7)), int64(u(8))
	ev.TradeID, ev.MakerOrderID, ev.MakerAccount = u(9), u(10), u(11)
	ev.MakerQty, ev.MakerFee, ev.TakerFee = int64(u(12)), int64(u(13)), int64(u(14))
	ev.MakerFeePPM = le.Uint32(b[14+8*15:])
	ev.TakerFeePPM = le.Uint32(b[14+8*15+4:])
	return ev, nil
}
