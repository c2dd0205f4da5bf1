package venue

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"regexp"

	"github.com/ballast-chain/ballast/internal/auth"
	"github.com/ballast-chain/ballast/internal/exchangedb"
)

// User-facing account security: TOTP enrolment, step-up checks, the
// anti-phishing code and self-service API keys. Every outcome, good or bad,
// is a security event in the audit log.

// ErrNeed2FA is returned when an action needs a confirmed TOTP device or a
// valid code.
var ErrNeed2FA = errors.New("venue: this action requires two-factor authentication")

// ErrBadCode is a wrong or reused TOTP code.
var ErrBadCode = errors.New("venue: wrong or already used two-factor code")

// ErrInvalidInput is a malformed user request.
var ErrInvalidInput = errors.New("venue: invalid input")

// pendingTOTPMS is how long an enrolment waits for its confirming code.
const pendingTOTPMS = 10 * 60 * 1000

// EnrollTOTP starts 2FA enrolment: it stores a new secret as pending (not
// yet required at login) and returns it and its otpauth URL. The user's
// current device, if any, stays in force until a new one is confirmed;
// replacing a confirmed device needs a code from it (current).
func (v *Venue) EnrollTOTP(ctx context.Context, user uint64, current string) (auth.Secret, string, error) {
	u, err := v.db.UserByID(ctx, user)
	if err != nil {
		return "", "", err
	}
	if u.TOTPSecret != "" {
		if err := v.checkTOTP(ctx, u, current, "totp_reenrol"); err != nil {
			return "", "", err
		}
	}
	sec, url, err := auth.NewTOTP("Ballast", u.Email)
	if err != nil {
		return "", "", err
	}
	if err := v.db.SetPendingTOTP(ctx, user, v.sealer.SealTOTP(user, sec), v.nowMS()); err != nil {
		return "", "", err
	}
	v.auditEvent(ctx, "totp_enrolment_started", user, "")
	return sec, url, nil
}

// ConfirmTOTP turns 2FA on with the pending secret once code matches it;
// the confirming code's step counts as used.
func (v *Venue) ConfirmTOTP(ctx context.Context, user uint64, code string) error {
	stored, at, err := v.db.PendingTOTP(ctx, user)
	if errors.Is(err, exchangedb.ErrNotFound) || (err == nil && v.nowMS()-at > pendingTOTPMS) {
		v.auditEvent(ctx, "totp_confirm_failed", user, "no pending enrolment")
		return ErrNeed2FA
	}
	if err != nil {
		return err
	}
	sec, _, err := v.sealer.OpenTOTP(user, stored)
	if err != nil {
		v.log.Error("pending TOTP secret does not decrypt", "user", user)
		v.auditEvent(ctx, "totp_confirm_failed", user, "stored secret does not decrypt")
		return ErrNeed2FA
	}
	step, err := auth.VerifyTOTP(sec, code, v.cfg.Now(), 0)
	if err != nil {
		v.auditEvent(ctx, "totp_confirm_failed", user, "wrong code")
		return ErrBadCode
	}
	if err := v.db.ConfirmTOTP(ctx, user, stored, v.sealer.SealTOTP(user, sec), step); err != nil {
		return err
	}
	v.auditEvent(ctx, "totp_enabled", user, "")
	return nil
}

// checkTOTP verifies a code of u's confirmed device and burns its step.
func (v *Venue) checkTOTP(ctx context.Context, u exchangedb.User, code, what string) error {
	if u.TOTPSecret == "" {
		v.auditEvent(ctx, "totp_required", u.ID, what)
		return ErrNeed2FA
	}
	sec, err := v.totpSecret(ctx, u)
	var step uint64
	if err == nil {
		step, err = auth.VerifyTOTP(sec, code, v.cfg.Now(), u.TOTPLastStep)
	}
	if err == nil {
		if err = v.db.UseTOTPStep(ctx, u.ID, step); err != nil {
			err = auth.RuleError{Kind: auth.ErrTOTPReused, Description: "TOTP code already used"}
		}
	}
	if err != nil {
		reason := "wrong code"
		switch {
		case errors.Is(err, auth.ErrTOTPReused):
			reason = "reused code"
		case errors.Is(err, auth.ErrBadSecret):
			reason = "stored secret does not decrypt"
		}
		v.auditEvent(ctx, "totp_failed", u.ID, what+": "+reason)
		return ErrBadCode
	}
	return nil
}

// verifyPassword is auth.VerifyPassword, a variable so a test can count
// the hashes a login computes.
var verifyPassword = auth.VerifyPassword

// TOTP secrets are sealed at rest (auth.Sealer.SealTOTP, bound to the user
// id). Secrets stored in plaintext before that are still accepted and
// re-sealed when first read (totpSecret) or all at once (SealLegacyTOTP).

// totpSecret opens u's active TOTP secret, re-sealing it if it was stored
// in plaintext. A secret that does not decrypt (a tampered row, or another
// master key) is ErrBadSecret: the factor fails closed.
func (v *Venue) totpSecret(ctx context.Context, u exchangedb.User) (auth.Secret, error) {
	sec, legacy, err := v.sealer.OpenTOTP(u.ID, u.TOTPSecret)
	if err != nil {
		v.log.Error("stored TOTP secret does not decrypt", "user", u.ID)
		return "", err
	}
	if legacy {
		if err := v.db.ResealTOTP(ctx, u.ID, false, u.TOTPSecret, v.sealer.SealTOTP(u.ID, sec)); err != nil {
			v.log.Warn("re-sealing a plaintext TOTP secret failed", "user", u.ID, "err", err)
		}
	}
	return sec, nil
}

// SealLegacyTOTP seals every TOTP secret (active or pending) still stored
// in plaintext and returns how many it sealed. It is idempotent; run it at
// start so no plaintext secret waits for its user's next login.
func (v *Venue) SealLegacyTOTP(ctx context.Context) (int, error) {
	active, pending, err := v.db.TOTPSecrets(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for i, set := range []map[uint64]string{active, pending} {
		for user, stored := range set {
			sec, legacy, err := v.sealer.OpenTOTP(user, stored)
			if err != nil || !legacy {
				continue
			}
			if err := v.db.ResealTOTP(ctx, user, i == 1, stored, v.sealer.SealTOTP(user, sec)); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

var antiPhishingRE = regexp.MustCompile(`^[A-Za-z0-9_-]{4,20}$`)

// SetUserAntiPhishing validates and sets the anti-phishing code (4 to 20
// letters, digits, '_' or '-').
func (v *Venue) SetUserAntiPhishing(ctx context.Context, user uint64, code string) error {
	if !antiPhishingRE.MatchString(code) {
		return fmt.Errorf("%w: anti-phishing code must be 4-20 letters, digits, '_' or '-'", ErrInvalidInput)
	}
	return v.SetAntiPhishing(ctx, user, code)
}

// KeyInfo describes an API key without its secret.
type KeyInfo struct {
	KeyID     string
	Label     string
	Perms     auth.Permission
	AllowIPs  string
	CreatedMS int64
}

// UserAPIKeys lists a user's keys.
func (v *Venue) UserAPIKeys(ctx context.Context, user uint64) ([]KeyInfo, error) {
	ks, err := v.db.UserAPIKeys(ctx, user)
	if err != nil {
		return nil, err
	}
	out := make([]KeyInfo, len(ks))
	for i, k := range ks {
		out[i] = KeyInfo{KeyID: k.KeyID, Label: k.Label, Perms: auth.Permission(k.Permissions), AllowIPs: k.AllowIPs, CreatedMS: k.CreatedMS}
	}
	return out, nil
}

// maxKeysPerUser bounds self-service keys.
const maxKeysPerUser = 30

// CreateUserAPIKey is self-service key creation: the withdraw permission
// needs confirmed 2FA and a fresh code (totpCode); the secret is returned
// once.
func (v *Venue) CreateUserAPIKey(ctx context.Context, user uint64, label string, perms auth.Permission, allow auth.AllowList, totpCode string) (string, auth.Secret, error) {
	if len(label) > 64 || len(allow) > 32 || perms == 0 {
		return "", "", fmt.Errorf("%w: label at most 64 characters, at most 32 allow-list entries, at least one permission", ErrInvalidInput)
	}
	if ks, err := v.db.UserAPIKeys(ctx, user); err != nil {
		return "", "", err
	} else if len(ks) >= maxKeysPerUser {
		return "", "", fmt.Errorf("%w: at most %d API keys", ErrInvalidInput, maxKeysPerUser)
	}
	if perms.Has(auth.PermWithdraw) {
		u, err := v.db.UserByID(ctx, user)
		if err != nil {
			return "", "", err
		}
		if err := v.checkTOTP(ctx, u, totpCode, "withdraw_key"); err != nil {
			return "", "", err
		}
	}
	return v.CreateAPIKey(ctx, user, label, perms, allow)
}

// Logout ends a session.
func (v *Venue) Logout(ctx context.Context, user uint64, token string) error {
	if err := v.db.DeleteSession(ctx, auth.HashToken(token)); err != nil {
		return err
	}
	v.auditEvent(ctx, "logout", user, "")
	return nil
}

// KeyDenied records a refused API key use (IP or permission).
func (v *Venue) KeyDenied(ctx context.Context, k *APIKey, ip netip.Addr, why string) {
	v.auditEvent(ctx, "api_key_denied", k.UserID, fmt.Sprintf("key=%s ip=%s %s", k.KeyID[:min(8, len(k.KeyID))], ip, why))
}
