package exchangedb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
)

// AuditEvent is one security event: logins, failed logins, 2FA changes,
// API key creation and deletion, admin ledger movements, bans.
type AuditEvent struct {
	Seq      uint64
	TimeMS   int64
	Kind     string
	UserID   uint64
	Detail   string
	PrevHash string
	Hash     string
}

func auditHash(e *AuditEvent) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%d\x00%s\x00%d\x00%s\x00%s", e.Seq, e.TimeMS, e.Kind, e.UserID, e.Detail, e.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// Auditor appends to the hash-chained audit log: each record's hash covers
// its fields and the previous record's hash, so editing or deleting a
// record breaks every later hash.
type Auditor struct {
	db *DB
	mu sync.Mutex
}

// Auditor returns the audit log writer (one per process).
func (d *DB) Auditor() *Auditor { return &Auditor{db: d} }

// Append adds an event, filling Seq, PrevHash and Hash.
func (a *Auditor) Append(ctx context.Context, e AuditEvent) (AuditEvent, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	tx, err := a.db.db.BeginTx(ctx, nil)
	if err != nil {
		return e, err
	}
	defer tx.Rollback()
	var seq uint64
	var prev string
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return e, err
	}
	e.Seq, e.PrevHash = seq+1, prev
	e.Hash = auditHash(&e)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit (seq, time_ms, kind, user_id, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.Seq, e.TimeMS, e.Kind, e.UserID, e.Detail, e.PrevHash, e.Hash); err != nil {
		return e, err
	}
	return e, tx.Commit()
}

// Audit returns the log in order.
func (d *DB) Audit(ctx context.Context) ([]AuditEvent, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT seq, time_ms, kind, user_id, detail, prev_hash, hash FROM audit ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEvent
	for rows.Next() {
		var e AuditEvent
		if err := rows.Scan(&e.Seq, &e.TimeMS, &e.Kind, &e.UserID, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// VerifyAudit checks the chain: consecutive seqs, each PrevHash the
// previous Hash, each Hash recomputed.
func VerifyAudit(evs []AuditEvent) error {
	prev := ""
	for i, e := range evs {
		if e.Seq != uint64(i)+1 || e.PrevHash != prev || auditHash(&e) != e.Hash {
			return ruleError(ErrAuditBroken, nil, "audit chain broken at seq %d", e.Seq)
		}
		prev = e.Hash
	}
	return nil
}
