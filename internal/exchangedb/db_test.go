package exchangedb_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ballast-chain/ballast/internal/exchangedb"
	"github.com/ballast-chain/ballast/internal/exchangedb/dbtest"
)

func TestStore(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ctx context.Context, d *exchangedb.DB) {
		id, err := d.CreateUser(ctx, exchangedb.User{Email: "a@x", PasswordHash: "h", CreatedMS: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.CreateUser(ctx, exchangedb.User{Email: "a@x", PasswordHash: "h"}); !errors.Is(err, exchangedb.ErrExists) {
			t.Fatalf("duplicate user: %v", err)
		}
		u, err := d.UserByEmail(ctx, "a@x")
		if err != nil || u.ID != id {
			t.Fatal(u, err)
		}
		if err := d.UseTOTPStep(ctx, id, 10); err != nil {
			t.Fatal(err)
		}
		if err := d.UseTOTPStep(ctx, id, 10); !errors.Is(err, exchangedb.ErrExists) {
			t.Fatalf("TOTP step reuse: %v", err)
		}
		k := exchangedb.APIKey{KeyID: "k", UserID: id, Label: "l", SealedSecret: []byte{0, 1, 2}, Permissions: 3, AllowIPs: "127.0.0.1/32"}
		if err := d.CreateAPIKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		ks, err := d.APIKeys(ctx)
		if err != nil || len(ks) != 1 || string(ks[0].SealedSecret) != string(k.SealedSecret) || ks[0].Permissions != 3 {
			t.Fatal(ks, err)
		}
		if err := d.CreateSession(ctx, "th", id, 100); err != nil {
			t.Fatal(err)
		}
		if u, err := d.SessionUser(ctx, "th", 50); err != nil || u != id {
			t.Fatal(u, err)
		}
		if _, err := d.SessionUser(ctx, "th", 150); !errors.Is(err, exchangedb.ErrNotFound) {
			t.Fatalf("expired session: %v", err)
		}
		if _, err := d.AddTransfer(ctx, exchangedb.Transfer{UserID: id, Asset: "A", Amount: 5, Reason: "r"}, func() error { return nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := d.AddTransfer(ctx, exchangedb.Transfer{UserID: id, Asset: "A", Amount: -9}, func() error { return errors.New("no") }); err == nil {
			t.Fatal("failed apply committed")
		}
		if ts, err := d.Transfers(ctx); err != nil || len(ts) != 1 || ts[0].Amount != 5 {
			t.Fatal(ts, err)
		}
		if err := d.PutMarket(ctx, "AB", "{}"); err != nil {
			t.Fatal(err)
		}
		if ms, err := d.Markets(ctx); err != nil || ms["AB"] != "{}" {
			t.Fatal(ms, err)
		}
		a := d.Auditor()
		for i := range 3 {
			if _, err := a.Append(ctx, exchangedb.AuditEvent{TimeMS: int64(i), Kind: "login", UserID: id, Detail: "ok"}); err != nil {
				t.Fatal(err)
			}
		}
		evs, err := d.Audit(ctx)
		if err != nil || len(evs) != 3 {
			t.Fatal(evs, err)
		}
		if err := exchangedb.VerifyAudit(evs); err != nil {
			t.Fatal(err)
		}
		evs[1].Detail = "tampered"
		if err := exchangedb.VerifyAudit(evs); !errors.Is(err, exchangedb.ErrAuditBroken) {
			t.Fatalf("tampering not detected: %v", err)
		}
	})
}

func TestTOTPRecords(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ctx context.Context, d *exchangedb.DB) {
		a, _ := d.CreateUser(ctx, exchangedb.User{Email: "a@x", PasswordHash: "h"})
		b, _ := d.CreateUser(ctx, exchangedb.User{Email: "b@x", PasswordHash: "h"})
		if err := d.SetTOTP(ctx, a, "PLAIN"); err != nil {
			t.Fatal(err)
		}
		if err := d.SetPendingTOTP(ctx, b, "PENDING", 1); err != nil {
			t.Fatal(err)
		}
		active, pending, err := d.TOTPSecrets(ctx)
		if err != nil || len(active) != 1 || active[a] != "PLAIN" || len(pending) != 1 || pending[b] != "PENDING" {
			t.Fatal(active, pending, err)
		}
		// Re-sealing is conditional on the old value.
		if err := d.ResealTOTP(ctx, a, false, "OTHER", "x"); err != nil {
			t.Fatal(err)
		}
		if err := d.ResealTOTP(ctx, b, true, "PENDING", "sealed-pending"); err != nil {
			t.Fatal(err)
		}
		if err := d.ResealTOTP(ctx, a, false, "PLAIN", "sealed-active"); err != nil {
			t.Fatal(err)
		}
		if u, _ := d.UserByID(ctx, a); u.TOTPSecret != "sealed-active" {
			t.Fatalf("active secret %q", u.TOTPSecret)
		}
		// Confirming moves the pending secret as stored to its new form.
		if err := d.ConfirmTOTP(ctx, b, "PENDING", "x", 5); !errors.Is(err, exchangedb.ErrNotFound) {
			t.Fatalf("confirm with a stale pending value: %v", err)
		}
		if err := d.ConfirmTOTP(ctx, b, "sealed-pending", "sealed-b", 5); err != nil {
			t.Fatal(err)
		}
		if u, _ := d.UserByID(ctx, b); u.TOTPSecret != "sealed-b" || u.TOTPLastStep != 5 {
			t.Fatalf("confirmed %+v", u)
		}
		if _, _, err := d.PendingTOTP(ctx, b); !errors.Is(err, exchangedb.ErrNotFound) {
			t.Fatalf("pending after confirm: %v", err)
		}
	})
}

// forEachEngine runs fn against a fresh database of every engine (SQLite,
// and PostgreSQL when the test cluster is available).
func forEachEngine(t *testing.T, fn func(t *testing.T, ctx context.Context, d *exchangedb.DB)) {
	for name, cfg := range dbtest.Engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d, err := exchangedb.Open(ctx, cfg(t))
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			fn(t, ctx, d)
		})
	}
}
