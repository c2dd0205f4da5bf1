package venue

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/auth"
	"github.com/ballast-chain/ballast/internal/exchangedb"
)

// clockVenue opens a venue on SQLite with a settable clock, and the same
// database opened raw (to read and tamper with rows behind its back).
func clockVenue(t *testing.T) (*Venue, *sql.DB, *time.Time) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "v.db")
	now := time.Unix(1_800_000_000, 0)
	v, err := Open(context.Background(), Config{DataDir: dir, DB: exchangedb.Config{DSN: exchangedb.DSN(path)},
		MasterKey: make([]byte, 32), Argon2: auth.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1},
		Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return v, raw, &now
}

func rawString(t *testing.T, db *sql.DB, query string, args ...any) string {
	t.Helper()
	var s string
	if err := db.QueryRow(query, args...).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTOTPSecretsSealedAtRest(t *testing.T) {
	ctx := context.Background()
	v, raw, now := clockVenue(t)
	ip := netip.MustParseAddr("127.0.0.1")
	code := func(sec auth.Secret) string {
		*now = now.Add(auth.TOTPPeriod) // a fresh step: used steps are refused
		c, err := auth.TOTPCode(sec, *now)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	login := func(email string, sec auth.Secret) error {
		_, err := v.Login(ctx, email, "password!", code(sec), time.Hour, ip)
		return err
	}
	var users []uint64
	for _, email := range []string{"a@x", "b@x", "c@x"} {
		u, err := v.SignUp(ctx, email, "password!")
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	a, b, c := users[0], users[1], users[2]

	// Enrolment: the pending secret and then the active one are sealed.
	sec, _, err := v.EnrollTOTP(ctx, a, "")
	if err != nil {
		t.Fatal(err)
	}
	assertSealed := func(stored string, sec auth.Secret) {
		t.Helper()
		if strings.Contains(stored, sec.Reveal()) || !strings.HasPrefix(stored, "sealed1:") {
			t.Fatalf("stored TOTP secret %q is not sealed", stored)
		}
	}
	assertSealed(rawString(t, raw, `SELECT secret FROM totp_pending WHERE user_id = ?`, a), sec)
	if err := v.ConfirmTOTP(ctx, a, code(sec)); err != nil {
		t.Fatal(err)
	}
	sealedA := rawString(t, raw, `SELECT totp_secret FROM users WHERE id = ?`, a)
	assertSealed(sealedA, sec)
	if err := login("a@x", sec); err != nil {
		t.Fatalf("login with a sealed secret: %v", err)
	}
	secB, _, err := v.EnableTOTP(ctx, b, "b@x")
	if err != nil {
		t.Fatal(err)
	}
	assertSealed(rawString(t, raw, `SELECT totp_secret FROM users WHERE id = ?`, b), secB)

	// A plaintext secret from before sealing works and is re-sealed on
	// first use.
	legacy, _, _ := auth.NewTOTP("Ballast", "c@x")
	if _, err := raw.Exec(`UPDATE users SET totp_secret = ? WHERE id = ?`, legacy.Reveal(), c); err != nil {
		t.Fatal(err)
	}
	if err := login("c@x", legacy); err != nil {
		t.Fatalf("login with a legacy plaintext secret: %v", err)
	}
	assertSealed(rawString(t, raw, `SELECT totp_secret FROM users WHERE id = ?`, c), legacy)
	if err := login("c@x", legacy); err != nil {
		t.Fatalf("login after re-sealing: %v", err)
	}

	// SealLegacyTOTP seals every plaintext one (active and pending) at once.
	if _, err := raw.Exec(`UPDATE users SET totp_secret = ? WHERE id = ?`, legacy.Reveal(), c); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO totp_pending (user_id, secret, created_ms) VALUES (?, ?, ?)`, b, legacy.Reveal(), now.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if n, err := v.SealLegacyTOTP(ctx); err != nil || n != 2 {
		t.Fatalf("SealLegacyTOTP sealed %d: %v", n, err)
	}
	if n, _ := v.SealLegacyTOTP(ctx); n != 0 {
		t.Fatalf("second SealLegacyTOTP sealed %d", n)
	}
	assertSealed(rawString(t, raw, `SELECT totp_secret FROM users WHERE id = ?`, c), legacy)
	assertSealed(rawString(t, raw, `SELECT secret FROM totp_pending WHERE user_id = ?`, b), legacy)
	if err := login("c@x", legacy); err != nil {
		t.Fatalf("login after SealLegacyTOTP: %v", err)
	}

	// Tampered rows fail closed: a flipped ciphertext byte, another user's
	// sealed secret, a sealed API secret.
	blob, _ := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(sealedA, "sealed1:"))
	blob[len(blob)-1] ^= 1
	apiSealed := v.sealer.Seal(strings.Repeat("ab", 32), sec)
	for name, tc := range map[string]struct {
		user  uint64
		email string
		row   string
		sec   auth.Secret
	}{
		"flipped byte":       {a, "a@x", "sealed1:" + base64.RawStdEncoding.EncodeToString(blob), sec},
		"other user's":       {b, "b@x", sealedA, sec},
		"sealed API secret":  {a, "a@x", "sealed1:" + base64.RawStdEncoding.EncodeToString(apiSealed), sec},
		"not base32 at all":  {a, "a@x", "not-a-secret", sec},
		"sealed prefix only": {a, "a@x", "sealed1:", sec},
	} {
		if _, err := raw.Exec(`UPDATE users SET totp_secret = ? WHERE id = ?`, tc.row, tc.user); err != nil {
			t.Fatal(err)
		}
		if err := login(tc.email, tc.sec); !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("%s: login with a tampered TOTP row: %v", name, err)
		}
		u, _ := v.db.UserByID(ctx, tc.user)
		if err := v.checkTOTP(ctx, u, code(tc.sec), "test"); !errors.Is(err, ErrBadCode) {
			t.Errorf("%s: step-up check with a tampered TOTP row: %v", name, err)
		}
	}
	evs, _ := v.Audit(ctx)
	found := false
	for _, e := range evs {
		found = found || (e.Kind == "login_failed" && strings.Contains(e.Detail, "does not decrypt"))
	}
	if !found {
		t.Error("no login_failed audit event names the undecryptable secret")
	}
}

// TestLoginUnknownUserCostsAHash checks, structurally rather than by the
// clock, that a login for an unknown account computes one argon2id hash
// of the configured cost, as a wrong password does, and fails with the
// same error.
func TestLoginUnknownUserCostsAHash(t *testing.T) {
	ctx := context.Background()
	v, _, _ := clockVenue(t)
	if _, err := v.SignUp(ctx, "a@x", "password!"); err != nil {
		t.Fatal(err)
	}
	var hashes []string
	orig := verifyPassword
	verifyPassword = func(encoded, password string) error {
		hashes = append(hashes, encoded)
		return orig(encoded, password)
	}
	defer func() { verifyPassword = orig }()
	ip := netip.MustParseAddr("127.0.0.1")

	_, errWrong := v.Login(ctx, "a@x", "wrong password", "", time.Hour, ip)
	_, errUnknown := v.Login(ctx, "nobody@x", "wrong password", "", time.Hour, ip)
	if errWrong == nil || errWrong != errUnknown || errWrong.Error() != errUnknown.Error() {
		t.Fatalf("wrong password: %v; unknown user: %v (want the same error)", errWrong, errUnknown)
	}
	if len(hashes) != 2 {
		t.Fatalf("%d password hashes computed for two failed logins, want 2", len(hashes))
	}
	u, _ := v.db.UserByEmail(ctx, "a@x")
	cost := func(h string) string { return h[:strings.LastIndex(h[:strings.LastIndex(h, "$")], "$")] }
	if hashes[0] != u.PasswordHash || hashes[1] != auth.DummyHash(v.cfg.Argon2) || cost(hashes[1]) != cost(u.PasswordHash) {
		t.Fatalf("hashes verified %q, want the user's %q then a dummy of the same cost", hashes, u.PasswordHash)
	}
	if _, err := v.Login(ctx, "a@x", "password!", "", time.Hour, ip); err != nil {
		t.Fatalf("good login: %v", err)
	}
}
