package venue

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"net/netip"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ballast-chain/ballast/internal/auth"
	"github.com/ballast-chain/ballast/internal/exchangedb"
	"github.com/ballast-chain/ballast/internal/journal"
	"github.com/ballast-chain/ballast/internal/ledger"
	"github.com/ballast-chain/ballast/internal/matching"
)

// Config configures a venue.
type Config struct {
	// DataDir holds the journals (DataDir/journal/<SYMBOL>). Required.
	DataDir string
	// DB locates the database.
	DB exchangedb.Config
	// MasterKey (32 bytes) encrypts API secrets at rest. Required.
	MasterKey []byte
	// Logger receives the venue's logs; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Argon2 sets the password hashing cost; zero means the defaults.
	Argon2 auth.Argon2Params
	// TradeWindow bounds each market's in-memory trade history; older
	// trades are read from the database. Zero means 100,000.
	TradeWindow int
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("venue: DataDir is required")
	}
	if len(c.MasterKey) != 32 {
		return errors.New("venue: MasterKey must be 32 bytes")
	}
	return c.DB.Validate()
}

// APIKey is a cached, decrypted API key.
type APIKey struct {
	KeyID   string
	UserID  uint64
	Secret  auth.Secret
	Perms   auth.Permission
	AllowIP auth.AllowList

	macs sync.Pool // HMAC-SHA256 states keyed by Secret
}

// VerifySignature reports whether sig (64 hex digits, any case) is the
// HMAC-SHA256 of payload under the key's secret, as auth.VerifySignature
// checks it, reusing keyed HMAC states instead of deriving the key pads
// for every request.
func (k *APIKey) VerifySignature(payload []byte, sig string) bool {
	var want, got [sha256.Size]byte
	if len(sig) != hex.EncodedLen(sha256.Size) {
		return false
	}
	if _, err := hex.Decode(want[:], []byte(sig)); err != nil {
		return false
	}
	m, _ := k.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, []byte(k.Secret.Reveal()))
	} else {
		m.Reset()
	}
	m.Write(payload)
	ok := hmac.Equal(m.Sum(got[:0]), want[:])
	k.macs.Put(m)
	return ok
}

// Venue is the running exchange.
type Venue struct {
	cfg    Config
	log    *slog.Logger
	db     *exchangedb.DB
	audit  *exchangedb.Auditor
	sealer *auth.Sealer
	Ledger *ledger.Ledger
	hub    *hub

	mu      sync.RWMutex
	markets map[string]*Market
	order   []string // symbols in creation order
	keys    map[string]*APIKey
	running atomic.Bool
	ref     atomic.Uint64
	apc     sync.Map // user id -> anti-phishing code (read-through cache)
	hist    *historyWriter

	runCtx    context.Context // Run's context, for journals of new markets
	runCancel context.CancelCauseFunc
	wg        sync.WaitGroup
}

// Open opens the database, loads markets, keys and transfers, and recovers
// every market's journal, rebuilding the ledger.
func Open(ctx context.Context, cfg Config) (*Venue, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	sealer, err := auth.NewSealer(cfg.MasterKey)
	if err != nil {
		return nil, err
	}
	db, err := exchangedb.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	v := &Venue{cfg: cfg, log: cfg.Logger, db: db, audit: db.Auditor(), sealer: sealer,
		Ledger: ledger.New(nil), hub: &hub{}, markets: map[string]*Market{}, keys: map[string]*APIKey{},
		hist: newHistoryWriter(db, cfg.Logger)}
	v.ref.Store(uint64(cfg.Now().UnixNano()))
	if err := v.load(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// Databases from before TOTP secrets were sealed: seal them now, not
	// at each user's next login.
	if n, err := v.SealLegacyTOTP(ctx); err != nil {
		db.Close()
		return nil, err
	} else if n > 0 {
		v.log.Info("sealed stored TOTP secrets", "count", n)
	}
	return v, nil
}

func (v *Venue) nowMS() int64 { return v.cfg.Now().UnixMilli() }

func (v *Venue) load(ctx context.Context) error {
	v.Ledger.SetReplay(true)
	defer v.Ledger.SetReplay(false)
	ts, err := v.db.Transfers(ctx)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if err := v.Ledger.Post(transferMovement(t.UserID, t.Asset, t.Amount)); err != nil {
			return err
		}
	}
	specs, err := v.db.Markets(ctx)
	if err != nil {
		return err
	}
	for sym, js := range specs {
		var s MarketSpec
		if err := json.Unmarshal([]byte(js), &s); err != nil {
			return fmt.Errorf("market %s: %w", sym, err)
		}
		if err := v.openMarket(s); err != nil {
			return err
		}
	}
	if err := v.Ledger.CheckInvariants(); err != nil {
		return err
	}
	keys, err := v.db.APIKeys(ctx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := v.cacheKey(k); err != nil {
			return err
		}
	}
	return nil
}

func transferMovement(user uint64, asset string, amount int64) ledger.Movement {
	if amount >= 0 {
		return ledger.Credit(ledger.AccountID(user), ledger.Asset(asset), amount)
	}
	return ledger.Debit(ledger.AccountID(user), ledger.Asset(asset), -amount)
}

func (v *Venue) openMarket(s MarketSpec) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("market %s: %w", s.Symbol, err)
	}
	m := newMarket(s, v.Ledger, v.nowMS, v.hub, v.cfg.TradeWindow)
	m.db = v.db
	j, err := journal.Open(journal.Options{
		Dir: filepath.Join(v.cfg.DataDir, "journal", s.Symbol), Market: s.Engine,
		// The ledger is rebuilt by replaying the whole log; snapshots
		// would need a ledger checkpoint taken at the same seq.
		NoSnapshots: true,
		Replay: func(_ uint64, _ *matching.Command, evs []matching.Event) {
			m.deliver(evs)
		},
		Durable: m.deliver,
	})
	if err != nil {
		return fmt.Errorf("market %s: %w", s.Symbol, err)
	}
	m.j = j
	if err := m.restoreHistory(context.Background(), v.db, v.hist); err != nil {
		return fmt.Errorf("market %s history: %w", s.Symbol, err)
	}
	m.mu.Lock()
	m.hist = v.hist
	m.mu.Unlock()
	v.mu.Lock()
	v.markets[s.Symbol] = m
	v.order = append(v.order, s.Symbol)
	v.mu.Unlock()
	return nil
}

// CreateMarket adds a market, before or while the venue runs.
func (v *Venue) CreateMarket(ctx context.Context, s MarketSpec) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if _, ok := v.Market(s.Symbol); ok {
		return fmt.Errorf("venue: market %s exists", s.Symbol)
	}
	b, _ := json.Marshal(s)
	if err := v.db.PutMarket(ctx, s.Symbol, string(b)); err != nil {
		return err
	}
	v.auditEvent(ctx, "market_created", 0, s.Symbol)
	if err := v.openMarket(s); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.running.Load() {
		v.startJournal(v.markets[s.Symbol])
	}
	return nil
}

// Market returns a market by symbol.
func (v *Venue) Market(symbol string) (*Market, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	m, ok := v.markets[symbol]
	return m, ok
}

// Markets returns every market in creation order.
func (v *Venue) Markets() []*Market {
	v.mu.RLock()
	defer v.mu.RUnlock()
	out := make([]*Market, 0, len(v.order))
	for _, s := range v.order {
		out = append(out, v.markets[s])
	}
	return out
}

// Run runs every market's journal (and those of markets created while
// running) until ctx ends or one fails, then closes the database.
func (v *Venue) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	v.mu.Lock()
	v.runCtx, v.runCancel = ctx, cancel
	v.running.Store(true)
	ms := make([]*Market, 0, len(v.order))
	for _, s := range v.order {
		ms = append(ms, v.markets[s])
	}
	v.mu.Unlock()
	for _, m := range ms {
		v.startJournal(m)
	}
	histDone := make(chan struct{})
	go func() { v.hist.run(ctx); close(histDone) }()
	<-ctx.Done()
	v.mu.Lock()
	v.running.Store(false)
	v.mu.Unlock()
	v.wg.Wait()
	<-histDone
	_ = v.hist.flush() // what the journals acknowledged last
	err := context.Cause(ctx)
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	if cerr := v.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// startJournal runs m's journal under Run's context.
func (v *Venue) startJournal(m *Market) {
	v.wg.Add(1)
	go func() {
		defer v.wg.Done()
		if err := m.j.Run(v.runCtx); err != nil && v.runCtx.Err() == nil {
			v.runCancel(fmt.Errorf("market %s journal: %w", m.Spec.Symbol, err))
		}
	}()
}

// Close closes a venue that was never Run.
func (v *Venue) Close() error {
	_ = v.hist.flush()
	return v.db.Close()
}

// Transfer credits (amount > 0) or debits a user's free balance as an
// audited ledger movement against External (admin, until custody lands).
func (v *Venue) Transfer(ctx context.Context, user uint64, asset string, amount int64, reason string) error {
	if amount == 0 {
		return errors.New("venue: zero transfer")
	}
	_, err := v.db.AddTransfer(ctx, exchangedb.Transfer{UserID: user, Asset: asset, Amount: amount, Reason: reason, CreatedMS: v.nowMS()},
		func() error { return v.Ledger.Post(transferMovement(user, asset, amount)) })
	if err != nil {
		return err
	}
	v.auditEvent(ctx, "admin_transfer", user, fmt.Sprintf("%s %d %s", asset, amount, reason))
	v.hub.publishBalance(&BalanceChange{Account: user, Asset: asset, Delta: amount, TimeMS: v.nowMS()})
	return nil
}

func (v *Venue) auditEvent(ctx context.Context, kind string, user uint64, detail string) {
	if _, err := v.audit.Append(ctx, exchangedb.AuditEvent{TimeMS: v.nowMS(), Kind: kind, UserID: user, Detail: detail}); err != nil {
		v.log.Error("audit append failed", "kind", kind, "err", err)
	}
}

// Audit is the security audit trail (for admin tools and tests).
func (v *Venue) Audit(ctx context.Context) ([]exchangedb.AuditEvent, error) { return v.db.Audit(ctx) }

// AuditEvent records a security event (API layer: bans, bad signatures).
func (v *Venue) AuditEvent(ctx context.Context, kind string, user uint64, detail string) {
	v.auditEvent(ctx, kind, user, detail)
}

func (v *Venue) cacheKey(k exchangedb.APIKey) error {
	sec, err := v.sealer.Open(k.KeyID, k.SealedSecret)
	if err != nil {
		return err
	}
	allow, err := auth.ParseAllowList(k.AllowIPs)
	if err != nil {
		return err
	}
	v.mu.Lock()
	v.keys[k.KeyID] = &APIKey{KeyID: k.KeyID, UserID: k.UserID, Secret: sec, Perms: auth.Permission(k.Permissions), AllowIP: allow}
	v.mu.Unlock()
	return nil
}

// LookupKey returns a cached API key.
func (v *Venue) LookupKey(keyID string) (*APIKey, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	k, ok := v.keys[keyID]
	return k, ok
}

// CreateAPIKey creates a key for user; the secret is returned once and
// stored only encrypted.
func (v *Venue) CreateAPIKey(ctx context.Context, user uint64, label string, perms auth.Permission, allow auth.AllowList) (string, auth.Secret, error) {
	key, sec := auth.NewAPIKey()
	rec := exchangedb.APIKey{KeyID: key, UserID: user, Label: label, SealedSecret: v.sealer.Seal(key, sec),
		Permissions: uint8(perms), AllowIPs: allow.String(), CreatedMS: v.nowMS()}
	if err := v.db.CreateAPIKey(ctx, rec); err != nil {
		return "", "", err
	}
	if err := v.cacheKey(rec); err != nil {
		return "", "", err
	}
	v.auditEvent(ctx, "api_key_created", user, fmt.Sprintf("key=%s perms=%s", key[:8], perms))
	return key, sec, nil
}

// SignUp creates a user with an argon2id password hash.
func (v *Venue) SignUp(ctx context.Context, email, password string) (uint64, error) {
	if len(password) < 8 {
		return 0, errors.New("venue: password must be at least 8 characters")
	}
	h, err := auth.HashPassword(password, v.cfg.Argon2)
	if err != nil {
		return 0, err
	}
	id, err := v.db.CreateUser(ctx, exchangedb.User{Email: email, PasswordHash: h, CreatedMS: v.nowMS()})
	if err != nil {
		return 0, err
	}
	v.auditEvent(ctx, "signup", id, "")
	return id, nil
}

// Login checks the password and, if 2FA is on, the TOTP code (no reuse),
// and returns a session token valid for ttl.
func (v *Venue) Login(ctx context.Context, email, password, totpCode string, ttl time.Duration, from netip.Addr) (string, error) {
	u, err := v.db.UserByEmail(ctx, email)
	if err == nil {
		err = verifyPassword(u.PasswordHash, password)
	} else if errors.Is(err, exchangedb.ErrNotFound) {
		// An unknown account costs what a wrong password costs, so
		// neither the answer nor its timing tells whether it exists.
		_ = verifyPassword(auth.DummyHash(v.cfg.Argon2), password)
	}
	if err == nil && u.TOTPSecret != "" {
		var sec auth.Secret
		var step uint64
		sec, err = v.totpSecret(ctx, u)
		if err == nil {
			step, err = auth.VerifyTOTP(sec, totpCode, v.cfg.Now(), u.TOTPLastStep)
		}
		if err == nil {
			err = v.db.UseTOTPStep(ctx, u.ID, step)
		}
	}
	if err != nil {
		reason := "wrong password"
		switch {
		case errors.Is(err, exchangedb.ErrNotFound):
			reason = "unknown user"
		case errors.Is(err, auth.ErrBadSecret):
			reason = "stored TOTP secret does not decrypt"
		case errors.Is(err, exchangedb.ErrExists), errors.Is(err, auth.ErrTOTPReused):
			reason = "reused TOTP code"
		case errors.Is(err, auth.ErrBadTOTP):
			reason = "wrong TOTP code"
		}
		v.auditEvent(ctx, "login_failed", u.ID, from.String()+" "+reason)
		return "", ErrInvalidCredentials
	}
	tok := auth.RandomToken(32)
	if err := v.db.CreateSession(ctx, auth.HashToken(tok), u.ID, v.cfg.Now().Add(ttl).UnixMilli()); err != nil {
		return "", err
	}
	v.auditEvent(ctx, "login", u.ID, from.String())
	return tok, nil
}

// EnableTOTP turns 2FA on for a user and returns the secret's otpauth URL.
func (v *Venue) EnableTOTP(ctx context.Context, user uint64, email string) (auth.Secret, string, error) {
	sec, url, err := auth.NewTOTP("Ballast", email)
	if err != nil {
		return "", "", err
	}
	if err := v.db.SetTOTP(ctx, user, v.sealer.SealTOTP(user, sec)); err != nil {
		return "", "", err
	}
	v.auditEvent(ctx, "totp_enabled", user, "")
	return sec, url, nil
}

// SetAntiPhishing sets the code the venue shows in every message to user.
func (v *Venue) SetAntiPhishing(ctx context.Context, user uint64, code string) error {
	if err := v.db.SetAntiPhishing(ctx, user, code); err != nil {
		return err
	}
	v.apc.Store(user, code)
	v.auditEvent(ctx, "anti_phishing_set", user, "")
	return nil
}

// ErrInvalidCredentials is any failed login: which factor failed is in
// the audit log, not in the answer.
var ErrInvalidCredentials = errors.New("venue: invalid credentials")

// AntiPhishingCode returns user's anti-phishing code ("" if none), from
// the cache or the database.
func (v *Venue) AntiPhishingCode(ctx context.Context, user uint64) string {
	if c, ok := v.apc.Load(user); ok {
		return c.(string)
	}
	u, err := v.db.UserByID(ctx, user)
	if err != nil {
		return ""
	}
	v.apc.Store(user, u.AntiPhishing)
	return u.AntiPhishing
}

// CachedAntiPhishingCode returns the cached code without I/O (for callers
// under a market's lock); warm it with AntiPhishingCode.
func (v *Venue) CachedAntiPhishingCode(user uint64) string {
	if c, ok := v.apc.Load(user); ok {
		return c.(string)
	}
	return ""
}

// SessionUser returns the user of a live session token.
func (v *Venue) SessionUser(ctx context.Context, token string) (uint64, error) {
	return v.db.SessionUser(ctx, auth.HashToken(token), v.nowMS())
}

// User returns a user record.
func (v *Venue) User(ctx context.Context, id uint64) (exchangedb.User, error) {
	return v.db.UserByID(ctx, id)
}

// DeleteAPIKey revokes one of user's keys.
func (v *Venue) DeleteAPIKey(ctx context.Context, user uint64, keyID string) error {
	if err := v.db.DeleteAPIKey(ctx, user, keyID); err != nil {
		return err
	}
	v.mu.Lock()
	if k, ok := v.keys[keyID]; ok && k.UserID == user {
		delete(v.keys, keyID)
	}
	v.mu.Unlock()
	v.auditEvent(ctx, "api_key_deleted", user, keyID[:min(8, len(keyID))])
	return nil
}

// AssetDecimals returns an asset's ledger decimals from the markets that
// list it.
func (v *Venue) AssetDecimals(asset string) (int, bool) {
	for _, m := range v.Markets() {
		switch asset {
		case m.Spec.Base:
			return m.Spec.BaseDecimals, true
		case m.Spec.Quote:
			return m.Spec.QuoteDecimals, true
		}
	}
	return 0, false
}
