package exchangedb_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ballast-chain/ballast/internal/exchangedb"
	"github.com/ballast-chain/ballast/internal/exchangedb/dbtest"
)

func TestStore(t *testing.T) {
	for name, cfg := range dbtest.Engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d, err := exchangedb.Open(ctx, cfg(t))
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
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
}
