package auth

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTPPeriod is the RFC 6238 time step.
const TOTPPeriod = 30 * time.Second

// NewTOTP returns a new TOTP secret (base32) and its otpauth:// URL for an
// authenticator app.
func NewTOTP(issuer, account string) (secret Secret, url string, err error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account})
	if err != nil {
		return "", "", err
	}
	return Secret(k.Secret()), k.URL(), nil
}

// TOTPCode returns the code for time now (tests and tools).
func TOTPCode(secret Secret, now time.Time) (string, error) {
	return totp.GenerateCode(string(secret), now)
}

// VerifyTOTP checks code against the steps now-1, now and now+1 and returns
// the step it matched. A step at or before lastStep (the last code
// accepted) is refused, so a code cannot be used twice.
func VerifyTOTP(secret Secret, code string, now time.Time, lastStep uint64) (uint64, error) {
	cur := uint64(now.Unix()) / uint64(TOTPPeriod/time.Second)
	opts := hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, step := range []uint64{cur - 1, cur, cur + 1} {
		ok, err := hotp.ValidateCustom(code, step, string(secret), opts)
		if err != nil {
			return 0, ruleError(ErrBadTOTP, "invalid TOTP secret or code")
		}
		if ok {
			if step <= lastStep {
				return 0, ruleError(ErrTOTPReused, "TOTP code already used")
			}
			return step, nil
		}
	}
	return 0, ruleError(ErrBadTOTP, "wrong TOTP code")
}

// sealedTOTPPrefix marks a sealed TOTP secret as stored. Secrets stored
// before sealing are bare base32 (A-Z, 2-7), which never contains ':'.
const sealedTOTPPrefix = "sealed1:"

// totpAD is the associated data binding a sealed TOTP secret to its user.
// API secrets are sealed under their key id (64 hex digits), which never
// starts with "totp", so neither can be swapped in for the other, nor one
// user's TOTP secret for another's.
func totpAD(user uint64) string { return "totp:" + strconv.FormatUint(user, 10) }

// SealTOTP encrypts user's TOTP secret for storage (text, for the
// existing column).
func (x *Sealer) SealTOTP(user uint64, s Secret) string {
	return sealedTOTPPrefix + base64.RawStdEncoding.EncodeToString(x.Seal(totpAD(user), s))
}

// OpenTOTP decrypts user's stored TOTP secret. A secret stored before
// secrets were sealed is returned as is with legacy set, so the caller
// can re-seal it; anything else that does not decrypt under user's
// binding is ErrBadSecret.
func (x *Sealer) OpenTOTP(user uint64, stored string) (s Secret, legacy bool, err error) {
	b64, ok := strings.CutPrefix(stored, sealedTOTPPrefix)
	if !ok {
		if stored == "" || strings.Trim(stored, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=") != "" {
			return "", false, ruleError(ErrBadSecret, "stored TOTP secret is neither sealed nor base32")
		}
		return Secret(stored), true, nil
	}
	sealed, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil {
		return "", false, ruleError(ErrBadSecret, "sealed TOTP secret is not base64")
	}
	s, err = x.Open(totpAD(user), sealed)
	return s, false, err
}
