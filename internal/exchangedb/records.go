package exchangedb

import (
	"context"
	"database/sql"
)

// User is an account holder.
type User struct {
	ID           uint64
	Email        string
	PasswordHash string
	TOTPSecret   string // sealed (auth.Sealer.SealTOTP; bare base32 if stored before sealing); empty when 2FA is off
	TOTPLastStep uint64
	AntiPhishing string
	CreatedMS    int64
}

// CreateUser inserts u and returns its id.
func (d *DB) CreateUser(ctx context.Context, u User) (uint64, error) {
	var id uint64
	err := d.db.QueryRowContext(ctx, `INSERT INTO users (email, password_hash, anti_phishing, created_ms)
		VALUES ($1, $2, $3, $4) RETURNING id`, u.Email, u.PasswordHash, u.AntiPhishing, u.CreatedMS).Scan(&id)
	if isUnique(err) {
		return 0, ruleError(ErrExists, nil, "user %s exists", u.Email)
	}
	if err != nil {
		return 0, ruleError(ErrExists, err, "create user")
	}
	return id, nil
}

const userCols = `id, email, password_hash, totp_secret, totp_last_step, anti_phishing, created_ms`

func scanUser(r *sql.Row) (User, error) {
	var u User
	err := r.Scan(&u.ID, &u.Email, &u.PasswordHash, &u.TOTPSecret, &u.TOTPLastStep, &u.AntiPhishing, &u.CreatedMS)
	return u, err
}

// UserByEmail looks a user up by email.
func (d *DB) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(d.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE email = $1`, email))
	if err != nil {
		return u, notFound(err, "user")
	}
	return u, nil
}

// UserByID looks a user up by id.
func (d *DB) UserByID(ctx context.Context, id uint64) (User, error) {
	u, err := scanUser(d.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if err != nil {
		return u, notFound(err, "user")
	}
	return u, nil
}

// SetTOTP sets (or clears, with "") a user's TOTP secret.
func (d *DB) SetTOTP(ctx context.Context, id uint64, secret string) error {
	_, err := d.db.ExecContext(ctx, `UPDATE users SET totp_secret = $1, totp_last_step = 0 WHERE id = $2`, secret, id)
	return err
}

// UseTOTPStep records step as the last accepted TOTP step; it fails with
// ErrExists if a step at or after it was already used (a concurrent reuse).
func (d *DB) UseTOTPStep(ctx context.Context, id, step uint64) error {
	res, err := d.db.ExecContext(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ruleError(ErrExists, nil, "TOTP step already used")
	}
	return nil
}

// SetAntiPhishing sets a user's anti-phishing code.
func (d *DB) SetAntiPhishing(ctx context.Context, id uint64, code string) error {
	_, err := d.db.ExecContext(ctx, `UPDATE users SET anti_phishing = $1 WHERE id = $2`, code, id)
	return err
}

// CreateSession stores a session by the hash of its token.
func (d *DB) CreateSession(ctx context.Context, tokenHash string, user uint64, expiresMS int64) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, expires_ms) VALUES ($1, $2, $3)`,
		tokenHash, user, expiresMS)
	return err
}

// SessionUser returns the user of an unexpired session.
func (d *DB) SessionUser(ctx context.Context, tokenHash string, nowMS int64) (uint64, error) {
	var u uint64
	err := d.db.QueryRowContext(ctx, `SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_ms > $2`,
		tokenHash, nowMS).Scan(&u)
	if err != nil {
		return 0, notFound(err, "session")
	}
	return u, nil
}

// DeleteSession ends a session.
func (d *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := d.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return err
}

// APIKey is a stored API key; the secret is sealed (see auth.Sealer).
type APIKey struct {
	KeyID        string
	UserID       uint64
	Label        string
	SealedSecret []byte
	Permissions  uint8
	AllowIPs     string
	CreatedMS    int64
}

// CreateAPIKey stores k.
func (d *DB) CreateAPIKey(ctx context.Context, k APIKey) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO api_keys (key_id, user_id, label, sealed_secret, permissions, allow_ips, created_ms)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, k.KeyID, k.UserID, k.Label, k.SealedSecret, k.Permissions, k.AllowIPs, k.CreatedMS)
	if isUnique(err) {
		return ruleError(ErrExists, nil, "API key exists")
	}
	return err
}

// APIKeys returns every API key (the venue caches them).
func (d *DB) APIKeys(ctx context.Context) ([]APIKey, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT key_id, user_id, label, sealed_secret, permissions, allow_ips, created_ms FROM api_keys ORDER BY created_ms, key_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []APIKey
	for rows.Next() {
		var k APIKey
		if err := rows.Scan(&k.KeyID, &k.UserID, &k.Label, &k.SealedSecret, &k.Permissions, &k.AllowIPs, &k.CreatedMS); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// DeleteAPIKey removes a key of a user.
func (d *DB) DeleteAPIKey(ctx context.Context, user uint64, keyID string) error {
	res, err := d.db.ExecContext(ctx, `DELETE FROM api_keys WHERE key_id = $1 AND user_id = $2`, keyID, user)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ruleError(ErrNotFound, nil, "API key not found")
	}
	return nil
}

// PutMarket stores a market's specification (JSON) under its symbol.
func (d *DB) PutMarket(ctx context.Context, symbol, spec string) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO markets (symbol, spec) VALUES ($1, $2)`, symbol, spec)
	if isUnique(err) {
		return ruleError(ErrExists, nil, "market %s exists", symbol)
	}
	return err
}

// Markets returns every market's specification by symbol.
func (d *DB) Markets(ctx context.Context) (map[string]string, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT symbol, spec FROM markets`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var s, spec string
		if err := rows.Scan(&s, &spec); err != nil {
			return nil, err
		}
		out[s] = spec
	}
	return out, rows.Err()
}

// Transfer is an admin credit (positive) or debit (negative) of a user's
// free balance, a ledger movement against the External account.
type Transfer struct {
	ID        uint64
	UserID    uint64
	Asset     string
	Amount    int64
	Reason    string
	CreatedMS int64
}

// AddTransfer stores t and returns its id. apply runs inside the same
// transaction, after the insert: if it fails (e.g. insufficient balance)
// the transfer is rolled back, so the stored transfers are exactly the
// applied ones.
func (d *DB) AddTransfer(ctx context.Context, t Transfer, apply func() error) (uint64, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var id uint64
	if err := tx.QueryRowContext(ctx, `INSERT INTO transfers (user_id, asset, amount, reason, created_ms) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		t.UserID, t.Asset, t.Amount, t.Reason, t.CreatedMS).Scan(&id); err != nil {
		return 0, err
	}
	if err := apply(); err != nil {
		return 0, err
	}
	return id, tx.Commit()
}

// Transfers returns every transfer in id order (replayed into the ledger
// at start).
func (d *DB) Transfers(ctx context.Context) ([]Transfer, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, user_id, asset, amount, reason, created_ms FROM transfers ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Transfer
	for rows.Next() {
		var t Transfer
		if err := rows.Scan(&t.ID, &t.UserID, &t.Asset, &t.Amount, &t.Reason, &t.CreatedMS); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SetPendingTOTP stores a TOTP secret awaiting its first code (enrolment);
// it replaces an earlier pending secret of the user.
func (d *DB) SetPendingTOTP(ctx context.Context, user uint64, secret string, nowMS int64) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM totp_pending WHERE user_id = $1`, user); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO totp_pending (user_id, secret, created_ms) VALUES ($1, $2, $3)`, user, secret, nowMS); err != nil {
		return err
	}
	return tx.Commit()
}

// PendingTOTP returns a user's pending TOTP secret and when it was made.
func (d *DB) PendingTOTP(ctx context.Context, user uint64) (string, int64, error) {
	var s string
	var at int64
	err := d.db.QueryRowContext(ctx, `SELECT secret, created_ms FROM totp_pending WHERE user_id = $1`, user).Scan(&s, &at)
	if err != nil {
		return "", 0, notFound(err, "pending TOTP")
	}
	return s, at, nil
}

// ConfirmTOTP makes the pending secret (as stored: pending) the user's
// 2FA secret (secret, as it is to be stored), with step (the code that
// confirmed it) already used.
func (d *DB) ConfirmTOTP(ctx context.Context, user uint64, pending, secret string, step uint64) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM totp_pending WHERE user_id = $1 AND secret = $2`, user, pending)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ruleError(ErrNotFound, nil, "pending TOTP changed")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = $1, totp_last_step = $2 WHERE id = $3`, secret, step, user); err != nil {
		return err
	}
	return tx.Commit()
}

// UserAPIKeys returns a user's API keys, oldest first.
func (d *DB) UserAPIKeys(ctx context.Context, user uint64) ([]APIKey, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT key_id, user_id, label, sealed_secret, permissions, allow_ips, created_ms
		FROM api_keys WHERE user_id = $1 ORDER BY created_ms, key_id`, user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []APIKey
	for rows.Next() {
		var k APIKey
		if err := rows.Scan(&k.KeyID, &k.UserID, &k.Label, &k.SealedSecret, &k.Permissions, &k.AllowIPs, &k.CreatedMS); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// TOTPSecrets returns every stored TOTP secret by user: active ones and
// pending enrolments (to re-seal those stored before sealing).
func (d *DB) TOTPSecrets(ctx context.Context) (active, pending map[uint64]string, err error) {
	active, pending = map[uint64]string{}, map[uint64]string{}
	for _, q := range []struct {
		sql string
		out map[uint64]string
	}{
		{`SELECT id, totp_secret FROM users WHERE totp_secret <> ''`, active},
		{`SELECT user_id, secret FROM totp_pending`, pending},
	} {
		rows, err := d.db.QueryContext(ctx, q.sql)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var id uint64
			var sec string
			if err := rows.Scan(&id, &sec); err != nil {
				rows.Close()
				return nil, nil, err
			}
			q.out[id] = sec
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, nil, err
		}
	}
	return active, pending, nil
}

// ResealTOTP replaces a user's stored TOTP secret (the pending one if
// pending) by sealed, if it is still old; a concurrent change wins.
func (d *DB) ResealTOTP(ctx context.Context, user uint64, pending bool, old, sealed string) error {
	q := `UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3`
	if pending {
		q = `UPDATE totp_pending SET secret = $1 WHERE user_id = $2 AND secret = $3`
	}
	_, err := d.db.ExecContext(ctx, q, sealed, user, old)
	return err
}
