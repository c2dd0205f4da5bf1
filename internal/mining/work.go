package mining

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/mempool"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/pow"
)

// CoinbaseReserve is the weight kept free for the coinbase when choosing
// transactions (Core reserves 4,000 weight units; our coinbase carries a
// witness commitment and, in pool mode, many payout outputs).
const CoinbaseReserve = 8000

// Source is what the template manager reads: the chain tip and the
// mempool's best packages. A node adapts its chain and pool to it.
type Source interface {
	Tip() consensus.HeaderInfo
	SelectForBlock(maxWeight int) []mempool.BlockTx
	// MempoolSeq changes whenever the mempool's contents change.
	MempoolSeq() uint64
}

// ManagerConfig configures a Manager. Zero values are documented per field.
type ManagerConfig struct {
	Params *params.Params // required
	Source Source         // required
	// Refresh is how old work must be before a mempool change rebuilds
	// it (Core: 5 s); it is also how often Run polls the mempool.
	// 0 means 5 s.
	Refresh time.Duration
	// MaxWeight bounds the chosen transactions (0: MaxBlockWeight minus
	// CoinbaseReserve).
	MaxWeight int
	Logger    *slog.Logger     // nil discards
	Now       func() time.Time // nil: time.Now
}

// Validate checks the configuration and fills defaults.
func (c *ManagerConfig) Validate() error {
	if c.Params == nil || c.Source == nil {
		return errors.New("mining: manager needs params and a source")
	}
	if c.Refresh < 0 || c.MaxWeight < 0 || c.MaxWeight > consensus.MaxBlockWeight {
		return errors.New("mining: bad refresh interval or weight limit")
	}
	if c.Refresh == 0 {
		c.Refresh = 5 * time.Second
	}
	if c.MaxWeight == 0 {
		c.MaxWeight = consensus.MaxBlockWeight - CoinbaseReserve
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// Work is one snapshot of what to mine: the parent, the transactions
// chosen and their fees. It is immutable; when better work replaces it,
// Done is closed. Coinbases (one per payout) are built from it by Template.
type Work struct {
	Parent  consensus.HeaderInfo
	Height  int32
	Bits    uint32
	Target  [32]byte
	Txs     []mempool.BlockTx
	Fees    int64
	MinTime int64 // median time past + 1
	Created time.Time
	// Serial numbers work within a manager; with the parent's hash it
	// forms the long-poll id.
	Serial uint64
	seq    uint64
	done   chan struct{}
}

// LongPollID identifies the work for BIP22 long polling.
func (w *Work) LongPollID() string {
	return w.Parent.Hash.String() + strconv.FormatUint(w.Serial, 10)
}

// Done is closed when the work is replaced.
func (w *Work) Done() <-chan struct{} { return w.done }

// Template builds a block from the work. cfg's Params, Parent and Now are
// taken from the work and now; the payout, shares and tag from cfg.
func (w *Work) Template(p *params.Params, now int64, cfg TemplateConfig) (*Template, error) {
	cfg.Params, cfg.Parent, cfg.Now = p, w.Parent, now
	txs := make([]TemplateTx, len(w.Txs))
	for i, t := range w.Txs {
		txs[i] = TemplateTx{Tx: t.Tx, Fee: t.Fee}
	}
	return NewTemplate(cfg, txs)
}

// Manager keeps the current work: rebuilt at once on a new tip, and after
// Refresh when the mempool changed; long pollers and the Stratum server
// wake when it is replaced by work on a new tip or paying more fees.
type Manager struct {
	cfg    ManagerConfig
	tipped chan struct{}

	mu     sync.Mutex
	cur    *Work
	serial uint64
}

// NewManager returns a manager; Run keeps its work fresh.
func NewManager(cfg ManagerConfig) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Manager{cfg: cfg, tipped: make(chan struct{}, 1)}, nil
}

// TipChanged tells the manager the chain tip moved (safe to call from a
// chain subscription: it never blocks).
func (m *Manager) TipChanged() {
	select {
	case m.tipped <- struct{}{}:
	default:
	}
}

// Current returns fresh work, rebuilding it first if the tip moved or the
// mempool changed more than Refresh ago.
func (m *Manager) Current() *Work {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.refreshLocked(false)
}

// refreshLocked rebuilds when needed and returns the current work. A
// rebuild on the same tip replaces (and announces) the work only when it
// pays more fees, unless force is set.
func (m *Manager) refreshLocked(force bool) *Work {
	src := m.cfg.Source
	tip := src.Tip()
	seq := src.MempoolSeq()
	now := m.cfg.Now()
	cur := m.cur
	switch {
	case cur == nil || cur.Parent.Hash != tip.Hash:
	case cur.seq != seq && (force || now.Sub(cur.Created) >= m.cfg.Refresh):
	default:
		return cur
	}
	w := m.build(tip, seq, now)
	if cur != nil && cur.Parent.Hash == tip.Hash && w.Fees <= cur.Fees {
		// Same tip, no better: keep announcing the old work, but remember
		// that this mempool state was looked at.
		cur.seq, cur.Created = seq, now
		return cur
	}
	m.serial++
	w.Serial = m.serial
	m.cur = w
	if cur != nil {
		close(cur.done)
	}
	m.cfg.Logger.Debug("new block work", "height", w.Height, "txs", len(w.Txs), "fees", w.Fees)
	return w
}

func (m *Manager) build(tip consensus.HeaderInfo, seq uint64, now time.Time) *Work {
	p := m.cfg.Params
	bits := consensus.NextRequiredBits(p, &tip)
	target, _ := pow.TargetBytes(bits) // the chain's own rule: always valid
	w := &Work{Parent: tip, Height: tip.Height + 1, Bits: bits, Target: target,
		MinTime: int64(tip.MedianTime) + 1, Created: now, seq: seq, done: make(chan struct{})}
	w.Txs = m.cfg.Source.SelectForBlock(m.cfg.MaxWeight)
	for _, t := range w.Txs {
		w.Fees += t.Fee
	}
	return w
}

// Wait implements long polling: if id names the current work, it waits
// until that work is replaced or ctx ends; then it returns current work.
func (m *Manager) Wait(ctx context.Context, id string) (*Work, error) {
	for {
		w := m.Current()
		if id == "" || w.LongPollID() != id {
			return w, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-w.done:
		}
	}
}

// Run keeps the work fresh until ctx ends: rebuilt on each tip change and
// checked every Refresh for a better mempool.
func (m *Manager) Run(ctx context.Context) error {
	t := time.NewTicker(m.cfg.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-m.tipped:
		case <-t.C:
		}
		m.mu.Lock()
		m.refreshLocked(true)
		m.mu.Unlock()
	}
}
