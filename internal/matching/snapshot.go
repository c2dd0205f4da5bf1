package matching

import (
	"encoding/binary"
	"sort"
)

// Snapshot encoding: a header followed by every open order. Resting orders
// come level by level (ascending tick, FIFO within a level), then the
// rise-triggered stops, then the fall-triggered stops, each in list order,
// so restoring them in file order reproduces every queue exactly. Integers
// are little-endian. Integrity (checksums, torn files) is the journal's job;
// this decoder checks structure and meaning.
const (
	snapshotMagic   = 0x534d4c42 // "BLMS"
	snapshotVersion = 1
	snapHeaderSize  = 4 + 2 + 4 + 8*4 + 4
	snapOrderSize   = 11*8 + 5
)

// AppendSnapshot appends the engine's complete state to b.
func (e *Engine) AppendSnapshot(b []byte) []byte {
	le := binary.LittleEndian
	b = le.AppendUint32(b, snapshotMagic)
	b = le.AppendUint16(b, snapshotVersion)
	b = le.AppendUint32(b, e.cfg.Fingerprint())
	b = le.AppendUint64(b, e.seq)
	b = le.AppendUint64(b, e.lastOrderID)
	b = le.AppendUint64(b, e.lastTradeID)
	b = le.AppendUint64(b, uint64(e.lastPrice))
	b = le.AppendUint32(b, uint32(e.ids.count))
	put := func(s int32) {
		o := &e.orders[s]
		for _, v := range [...]uint64{o.id, o.account, o.ref, uint64(o.price), uint64(o.stopPrice), uint64(o.qty),
			uint64(o.filled), uint64(o.prevented), uint64(o.remaining), uint64(o.visible), uint64(o.iceberg)} {
			b = le.AppendUint64(b, v)
		}
		b = append(b, byte(o.side), byte(o.typ), byte(o.tif), byte(o.stp), o.state)
	}
	for t := e.bits.next(0); t >= 0; t = e.bits.next(t + 1) {
		for s := e.lvl(int32(t)).head; s != nilSlot; s = e.orders[s].next {
			put(s)
		}
	}
	for _, s := range e.stopsUp {
		put(s)
	}
	for _, s := range e.stopsDown {
		put(s)
	}
	return b
}

// SnapshotSeq returns the event sequence number recorded in a snapshot
// without decoding the rest.
func SnapshotSeq(b []byte) (uint64, error) {
	if len(b) < snapHeaderSize || binary.LittleEndian.Uint32(b) != snapshotMagic {
		return 0, ruleError(ErrMalformedSnapshot, "not an engine snapshot")
	}
	return binary.LittleEndian.Uint64(b[10:]), nil
}

// Restore builds an engine from a snapshot taken under the same market
// configuration. The result behaves exactly as the engine that took the
// snapshot: the same commands produce the same events.
func Restore(cfg Config, b []byte) (*Engine, error) {
	le := binary.LittleEndian
	if len(b) < snapHeaderSize {
		return nil, ruleError(ErrMalformedSnapshot, "snapshot is %d bytes, shorter than its header", len(b))
	}
	if le.Uint32(b) != snapshotMagic || le.Uint16(b[4:]) != snapshotVersion {
		return nil, ruleError(ErrMalformedSnapshot, "bad snapshot magic or version")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if le.Uint32(b[6:]) != cfg.Fingerprint() {
		return nil, ruleError(ErrConfigMismatch, "snapshot was taken under a different market configuration")
	}
	n := le.Uint32(b[42:])
	// Check the count against the bytes present before allocating for it.
	if uint64(len(b)-snapHeaderSize) != uint64(n)*snapOrderSize {
		return nil, ruleError(ErrMalformedSnapshot, "snapshot holds %d bytes for %d orders", len(b)-snapHeaderSize, n)
	}
	if cfg.InitialOrders < int(n) {
		cfg.InitialOrders = int(n)
	}
	e, err := New(cfg)
	if err != nil {
		return nil, err
	}
	e.seq, e.lastOrderID, e.lastTradeID = le.Uint64(b[10:]), le.Uint64(b[18:]), le.Uint64(b[26:])
	e.lastPrice = int64(le.Uint64(b[34:]))
	if e.lastPrice != 0 && !e.priceOK(e.lastPrice) {
		return nil, ruleError(ErrMalformedSnapshot, "last price %d outside the price filter", e.lastPrice)
	}
	slots := make([]int32, 0, n)
	p := b[snapHeaderSize:]
	for range n {
		s, err := e.restoreOrder(p[:snapOrderSize])
		if err != nil {
			return nil, err
		}
		slots = append(slots, s)
		p = p[snapOrderSize:]
	}
	// Account lists are in ascending id order in a live engine.
	sort.Slice(slots, func(i, j int) bool { return e.orders[slots[i]].id < e.orders[slots[j]].id })
	for _, s := range slots {
		e.linkAccount(s)
	}
	if err := e.CheckInvariants(); err != nil {
		return nil, ruleError(ErrMalformedSnapshot, "snapshot state is inconsistent: %v", err)
	}
	return e, nil
}

func (e *Engine) restoreOrder(b []byte) (int32, error) {
	le := binary.LittleEndian
	u := func(i int) uint64 { return le.Uint64(b[8*i:]) }
	o := order{
		id: u(0), account: u(1), ref: u(2), price: int64(u(3)), stopPrice: int64(u(4)), qty: int64(u(5)),
		filled: int64(u(6)), prevented: int64(u(7)), remaining: int64(u(8)), visible: int64(u(9)), iceberg: int64(u(10)),
		side: Side(b[88]), typ: OrderType(b[89]), tif: TimeInForce(b[90]), stp: STPMode(b[91]), state: b[92],
		next: nilSlot, prev: nilSlot,
	}
	switch {
	case o.id == 0 || o.id > e.lastOrderID || e.ids.get(o.id) != nilSlot:
		return 0, ruleError(ErrMalformedSnapshot, "order id %d invalid or repeated", o.id)
	case !o.side.valid() || !o.typ.valid() || o.tif > FOK || o.stp < STPNone || o.stp > STPDecrement:
		return 0, ruleError(ErrMalformedSnapshot, "order %d has invalid enums", o.id)
	case o.state != stateResting && o.state != stateStop:
		return 0, ruleError(ErrMalformedSnapshot, "order %d has invalid state %d", o.id, o.state)
	case o.state == stateStop && (!o.typ.isStop() || !e.priceOK(o.stopPrice)):
		return 0, ruleError(ErrMalformedSnapshot, "stop order %d invalid", o.id)
	case o.state == stateResting && !(o.typ == Limit && o.tif == GTC || o.typ == LimitMaker && o.tif == TIFNone) ||
		o.state == stateResting && !e.priceOK(o.price):
		return 0, ruleError(ErrMalformedSnapshot, "resting order %d invalid", o.id)
	case o.qty <= 0 || o.qty > e.cfg.MaxQty || o.iceberg < 0 || o.iceberg > e.cfg.MaxQty ||
		o.filled < 0 || o.filled > o.qty || o.prevented < 0 || o.prevented > o.qty ||
		o.visible < 0 || o.visible > o.qty || o.remaining > o.qty ||
		o.state == stateStop && o.visible != 0:
		return 0, ruleError(ErrMalformedSnapshot, "order %d quantities invalid", o.id)
	}
	s := e.alloc()
	e.orders[s] = o
	e.ids.put(o.id, s)
	if o.state == stateStop {
		list, _ := e.stopList(s)
		*list = append(*list, s) // order verified by CheckInvariants
		return s, nil
	}
	t := e.tickOf(o.price)
	e.orders[s].tick = t
	l := e.lvl(t)
	if l.count > 0 && l.side != o.side {
		return 0, ruleError(ErrMalformedSnapshot, "order %d on the wrong side of its level", o.id)
	}
	e.pushBack(l, s)
	l.visible += o.visible
	if l.count == 1 {
		l.side = o.side
		e.bits.set(int(t))
		if o.side == Buy && t > e.bestBid {
			e.bestBid = t
		} else if o.side == Sell && (e.bestAsk < 0 || t < e.bestAsk) {
			e.bestAsk = t
		}
	}
	return s, nil
}
