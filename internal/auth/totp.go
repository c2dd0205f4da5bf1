package auth

import (
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
