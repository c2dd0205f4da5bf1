package matching

// nilSlot terminates the intrusive lists.
const nilSlot = -1

// Order states.
const (
	stateFree    uint8 = 0
	stateTaking  uint8 = 1 // accepted, matching as taker within this command
	stateResting uint8 = 2 // in a price level
	stateStop    uint8 = 3 // waiting for its trigger
)

// order is one live order in the pool. While it is open,
// qty == filled + prevented + remaining, and a resting order shows
// 0 < visible <= remaining (visible < remaining only for icebergs).
type order struct {
	id        uint64
	account   uint64
	ref       uint64
	price     int64
	stopPrice int64
	qty       int64 // current original quantity (lowered by amends)
	filled    int64 // executed base quantity
	prevented int64 // quantity removed by self-trade prevention
	remaining int64 // open quantity
	visible   int64 // displayed quantity while resting
	iceberg   int64 // iceberg part size, 0 if not an iceberg
	quoteLeft int64 // MARKET by quote amount: quote still to spend/receive
	tick      int32
	next      int32 // price level FIFO
	prev      int32
	accNext   int32 // account's open orders, ascending id
	accPrev   int32
	acct      int32 // index in the account table
	side      Side
	typ       OrderType
	tif       TimeInForce
	stp       STPMode
	state     uint8
	byQuote   bool
}

// idTable maps order ids to pool slots without a Go map: open addressing
// with linear probing on id&mask. Ids are issued sequentially, so any
// window of len(keys) consecutive ids lands without a collision; only
// long-lived orders ever probe. Deletion shifts entries back, so there are
// no tombstones and lookups never degrade.
type idTable struct {
	keys  []uint64 // 0 = empty; ids start at 1
	vals  []int32
	count int
}

func newIDTable(capacity int) idTable {
	n := 16
	for n < 2*capacity {
		n <<= 1
	}
	return idTable{keys: make([]uint64, n), vals: make([]int32, n)}
}

func (t *idTable) get(id uint64) int32 {
	mask := uint64(len(t.keys) - 1)
	for i := id & mask; ; i = (i + 1) & mask {
		switch t.keys[i] {
		case id:
			return t.vals[i]
		case 0:
			return nilSlot
		}
	}
}

func (t *idTable) put(id uint64, slot int32) {
	if 2*(t.count+1) > len(t.keys) {
		t.grow()
	}
	mask := uint64(len(t.keys) - 1)
	i := id & mask
	for t.keys[i] != 0 {
		i = (i + 1) & mask
	}
	t.keys[i], t.vals[i] = id, slot
	t.count++
}

func (t *idTable) grow() {
	old, oldVals := t.keys, t.vals
	t.keys = make([]uint64, 2*len(old))
	t.vals = make([]int32, 2*len(old))
	t.count = 0
	for i, k := range old {
		if k != 0 {
			t.put(k, oldVals[i])
		}
	}
}

func (t *idTable) del(id uint64) {
	mask := uint64(len(t.keys) - 1)
	i := id & mask
	for t.keys[i] != id {
		if t.keys[i] == 0 {
			return
		}
		i = (i + 1) & mask
	}
	// Backward-shift deletion: pull later entries of the probe run into
	// the hole when their home position allows it.
	for j := (i + 1) & mask; t.keys[j] != 0; j = (j + 1) & mask {
		home := t.keys[j] & mask
		if (j-home)&mask >= (j-i)&mask {
			t.keys[i], t.vals[i] = t.keys[j], t.vals[j]
			i = j
		}
	}
	t.keys[i] = 0
	t.count--
}

// account is one account's state in a market: its open orders, as a list in
// ascending id order so cancel-all reports them deterministically.
type account struct {
	id   uint64
	open int32
	head int32
	tail int32
}

// acctTable maps account ids to account entries with open addressing on a
// Fibonacci hash. Entries are never deleted: an account that traded once is
// likely to trade again, and keeping it avoids churn.
type acctTable struct {
	slots []int32 // index+1 into list, 0 = empty
	list  []account
}

func newAcctTable() acctTable { return acctTable{slots: make([]int32, 64)} }

func (t *acctTable) hash(id uint64) uint64 {
	return (id * 0x9E3779B97F4A7C15) >> 32
}

// find returns the index of account id, or -1.
func (t *acctTable) find(id uint64) int32 {
	mask := uint64(len(t.slots) - 1)
	for i := t.hash(id) & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return -1
		}
		if t.list[s-1].id == id {
			return s - 1
		}
	}
}

// upsert returns the index of account id, adding it if needed.
func (t *acctTable) upsert(id uint64) int32 {
	if a := t.find(id); a >= 0 {
		return a
	}
	if 2*(len(t.list)+1) > len(t.slots) {
		t.slots = make([]int32, 2*len(t.slots))
		for i := range t.list {
			t.insert(int32(i))
		}
	}
	t.list = append(t.list, account{id: id, head: nilSlot, tail: nilSlot})
	a := int32(len(t.list) - 1)
	t.insert(a)
	return a
}

func (t *acctTable) insert(a int32) {
	mask := uint64(len(t.slots) - 1)
	i := t.hash(t.list[a].id) & mask
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = a + 1
}
