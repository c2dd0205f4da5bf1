package ledger

import (
	"math"
	"sort"
	"sync"
)

// AccountID identifies a ledger account. User accounts are the venue's user
// ids; the two highest ids are the system accounts.
type AccountID uint64

// System accounts.
const (
	// External is the outside world (custody): the counterparty of
	// deposits and withdrawals. Its balance may be negative.
	External AccountID = math.MaxUint64
	// Fees collects trading fees.
	Fees AccountID = math.MaxUint64 - 1
)

// Asset names an asset by its symbol (e.g. "BLST", "TUSD").
type Asset string

// Kind says what a movement is, for the audit trail.
type Kind uint8

// Movement kinds.
const (
	Deposit Kind = iota + 1
	Withdrawal
	Hold
	Release
	Trade
)

func (k Kind) String() string {
	switch k {
	case Deposit:
		return "DEPOSIT"
	case Withdrawal:
		return "WITHDRAWAL"
	case Hold:
		return "HOLD"
	case Release:
		return "RELEASE"
	case Trade:
		return "TRADE"
	}
	return "INVALID"
}

// Entry is one side of a movement: Amount (positive credit, negative
// debit) to the free or locked balance of Account in Asset.
type Entry struct {
	Account AccountID
	Asset   Asset
	Locked  bool
	Amount  int64
}

// Movement is a balanced set of entries applied atomically.
type Movement struct {
	Kind    Kind
	Entries []Entry
}

// Balance is an account's holding of one asset.
type Balance struct {
	Free, Locked int64
}

type key struct {
	acct  AccountID
	asset Asset
}

// Ledger holds the balances. It is safe for concurrent use.
type Ledger struct {
	mu       sync.Mutex
	bal      map[key]*Balance
	accounts map[AccountID]map[Asset]*Balance
	moves    uint64
	replay   bool
	sink     func(Movement)
}

// New returns an empty ledger. sink, if not nil, receives every applied
// movement (under the ledger's lock, in order; it must not call back).
func New(sink func(Movement)) *Ledger {
	return &Ledger{bal: map[key]*Balance{}, accounts: map[AccountID]map[Asset]*Balance{}, sink: sink}
}

// SetReplay switches the non-negative balance check off (true) while a
// recovery re-applies movements that were checked when first made, in an
// order that may differ (sums commute; intermediate states may not be
// reachable). CheckInvariants after replay verifies the end state.
func (l *Ledger) SetReplay(on bool) {
	l.mu.Lock()
	l.replay = on
	l.mu.Unlock()
}

// Post validates m and applies it atomically: every asset's entries sum to
// zero and no non-External balance goes negative, or nothing changes.
func (l *Ledger) Post(m Movement) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.post(m)
}

func (l *Ledger) post(m Movement) error {
	var sums [4]struct {
		a Asset
		s int64
	}
	n := 0
	for _, e := range m.Entries {
		i := 0
		for i < n && sums[i].a != e.Asset {
			i++
		}
		if i == n {
			if n == len(sums) {
				return ruleError(ErrUnbalanced, "movement touches more than %d assets", len(sums))
			}
			sums[n].a, n = e.Asset, n+1
		}
		s, ok := add(sums[i].s, e.Amount)
		if !ok {
			return ruleError(ErrOverflow, "movement amounts overflow")
		}
		sums[i].s = s
	}
	for _, s := range sums[:n] {
		if s.s != 0 {
			return ruleError(ErrUnbalanced, "%s entries sum to %d", s.a, s.s)
		}
	}
	// Check every resulting balance before changing any: entries may
	// touch the same balance twice, so accumulate per balance first.
	type delta struct {
		k      key
		locked bool
		d      int64
	}
	var ds [12]delta
	nd := 0
	for _, e := range m.Entries {
		i := 0
		k := key{e.Account, e.Asset}
		for i < nd && (ds[i].k != k || ds[i].locked != e.Locked) {
			i++
		}
		if i == nd {
			if nd == len(ds) {
				return ruleError(ErrUnbalanced, "movement has more than %d entries", len(ds))
			}
			ds[nd], nd = delta{k: k, locked: e.Locked}, nd+1
		}
		ds[i].d += e.Amount // bounded: each |amount| summed above without overflow per asset
	}
	for _, d := range ds[:nd] {
		var cur int64
		if b := l.bal[d.k]; b != nil {
			cur = b.Free
			if d.locked {
				cur = b.Locked
			}
		}
		v, ok := add(cur, d.d)
		if !ok {
			return ruleError(ErrOverflow, "balance of account %d in %s overflows", d.k.acct, d.k.asset)
		}
		if v < 0 && d.k.acct != External && !l.replay {
			return ruleError(ErrInsufficientBalance, "account %d has insufficient %s", d.k.acct, d.k.asset)
		}
	}
	for _, d := range ds[:nd] {
		b := l.balance(d.k)
		if d.locked {
			b.Locked += d.d
		} else {
			b.Free += d.d
		}
	}
	l.moves++
	if l.sink != nil {
		l.sink(m)
	}
	return nil
}

func (l *Ledger) balance(k key) *Balance {
	b := l.bal[k]
	if b == nil {
		b = &Balance{}
		l.bal[k] = b
		m := l.accounts[k.acct]
		if m == nil {
			m = map[Asset]*Balance{}
			l.accounts[k.acct] = m
		}
		m[k.asset] = b
	}
	return b
}

func add(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

// Balance returns an account's balance of one asset.
func (l *Ledger) Balance(acct AccountID, asset Asset) Balance {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.bal[key{acct, asset}]; b != nil {
		return *b
	}
	return Balance{}
}

// AssetBalance is one line of Balances.
type AssetBalance struct {
	Asset Asset
	Balance
}

// Balances returns every asset an account has touched, sorted by asset.
func (l *Ledger) Balances(acct AccountID) []AssetBalance {
	l.mu.Lock()
	out := make([]AssetBalance, 0, len(l.accounts[acct]))
	for a, b := range l.accounts[acct] {
		out = append(out, AssetBalance{a, *b})
	}
	l.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Asset < out[j].Asset })
	return out
}

// Movements returns the number of movements applied.
func (l *Ledger) Movements() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.moves
}

// CheckInvariants verifies that every asset sums to zero over all accounts
// and that no account but External has a negative balance.
func (l *Ledger) CheckInvariants() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	sums := map[Asset]int64{}
	for k, b := range l.bal {
		if k.acct != External && (b.Free < 0 || b.Locked < 0) {
			return ruleError(ErrInvariant, "account %d has a negative %s balance %+v", k.acct, k.asset, *b)
		}
		sums[k.asset] += b.Free + b.Locked
	}
	for a, s := range sums {
		if s != 0 {
			return ruleError(ErrInvariant, "%s sums to %d over all accounts", a, s)
		}
	}
	return nil
}
