package rpc

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/ballast-chain/ballast/internal/params"
)

// Amount is an amount in base units that encodes to JSON as Bitcoin Core
// prints amounts: a number with exactly eight decimals ("50.00000000",
// "0.00000001"), produced from the integer, never through a float. Issued
// assets use the same format (as Elements does): "value" is always base
// units / 10^8, whatever decimals the asset's contract declares for display.
type Amount int64

// MarshalJSON writes the fixed-point number.
func (a Amount) MarshalJSON() ([]byte, error) { return AppendAmount(nil, int64(a)), nil }

// String returns the fixed-point text, like MarshalJSON.
func (a Amount) String() string { return string(AppendAmount(nil, int64(a))) }

// UnmarshalJSON reads a JSON number or string with at most eight decimals
// exactly (see ParseAmount); negative amounts are allowed here, since
// results may carry them (a fee delta), but parameters go through
// amountParam, which is range checked.
func (a *Amount) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := parseFixed(s)
	if err != nil {
		return err
	}
	*a = Amount(v)
	return nil
}

// AppendAmount appends v base units as a fixed-point number with eight
// decimals.
func AppendAmount(dst []byte, v int64) []byte {
	u := uint64(v)
	if v < 0 {
		dst = append(dst, '-')
		u = -u // two's complement: correct for MinInt64 too
	}
	dst = strconv.AppendUint(dst, u/params.Coin, 10)
	frac := u % params.Coin
	var buf [params.Decimals + 1]byte
	buf[0] = '.'
	for i := params.Decimals; i >= 1; i-- {
		buf[i] = byte('0' + frac%10)
		frac /= 10
	}
	return append(dst, buf[:]...)
}

var (
	errAmountSyntax = errors.New("invalid amount")
	errAmountRange  = errors.New("amount out of range")
)

// ParseAmount reads a non-negative decimal amount of coins ("1", "0.1",
// "21000000.00000000", or exponent forms such as "1e-8", which JSON
// encoders of floats produce) and returns it in base units. It follows
// JSON's number grammar and is exact: a digit beyond the eighth decimal
// that is not zero, a negative value ("-0" is zero), a "+" sign, leading
// zeros, white space or a value beyond int64 are errors. Callers check
// their own upper bound (MaxMoney for the native coin).
func ParseAmount(s string) (int64, error) {
	v, err := parseFixed(s)
	if err != nil {
		return 0, err
	}
	if v < 0 {
		return 0, errAmountRange
	}
	return v, nil
}

// parseFixed parses s with JSON's number grammar and returns s × 10^8,
// which must be an integer that fits int64.
func parseFixed(s string) (int64, error) {
	i, neg := 0, false
	if i < len(s) && s[i] == '-' {
		neg = true
		i++
	}
	// Integer part: "0" or a non-zero digit followed by digits.
	start := i
	if i < len(s) && s[i] == '0' {
		i++
	} else {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i == start {
		return 0, errAmountSyntax
	}
	digits := make([]byte, 0, 24)
	digits = append(digits, s[start:i]...)
	scale := int64(params.Decimals) // value = digits × 10^-(fraction digits) × 10^exp, times 10^8
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == fs {
			return 0, errAmountSyntax
		}
		digits = append(digits, s[fs:i]...)
		scale -= int64(i - fs)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		es := i
		var exp int64
		for i < len(s) && isDigit(s[i]) {
			if exp < 1_000_000 { // saturate: the digits decide zero or out of range below
				exp = exp*10 + int64(s[i]-'0')
			}
			i++
		}
		if i == es {
			return 0, errAmountSyntax
		}
		if eneg {
			exp = -exp
		}
		scale += exp
	}
	if i != len(s) {
		return 0, errAmountSyntax
	}
	// Drop leading zeros; zero is zero at any scale.
	k := 0
	for k < len(digits) && digits[k] == '0' {
		k++
	}
	digits = digits[k:]
	if len(digits) == 0 {
		return 0, nil
	}
	if scale < 0 {
		// The dropped digits must be zeros: amounts are exact.
		if -scale > int64(len(digits)) {
			return 0, errAmountSyntax
		}
		cut := len(digits) + int(scale)
		for _, d := range digits[cut:] {
			if d != '0' {
				return 0, errAmountSyntax
			}
		}
		digits = digits[:cut]
		if len(digits) == 0 {
			return 0, nil
		}
	}
	if int64(len(digits))+max(scale, 0) > 19 {
		return 0, errAmountRange
	}
	var u uint64
	for _, d := range digits {
		u = u*10 + uint64(d-'0')
	}
	for ; scale > 0; scale-- {
		u *= 10
	}
	if u > 1<<63-1 {
		return 0, errAmountRange
	}
	if neg {
		return -int64(u), nil
	}
	return int64(u), nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// amountParam reads an amount parameter as Core's AmountFromValue does: a
// JSON number or a string holding one, at most eight decimals, within
// [0, limit].
func amountParam(raw json.RawMessage, limit int64) (int64, error) {
	s, err := numberText(raw)
	if err != nil {
		return 0, Errorf(CodeType, "Amount is not a number or string")
	}
	v, err := parseFixed(s)
	switch {
	case errors.Is(err, errAmountSyntax):
		return 0, Errorf(CodeType, "Invalid amount")
	case err != nil, v < 0, v > limit:
		return 0, Errorf(CodeType, "Amount out of range")
	}
	return v, nil
}

// numberText returns the text of a JSON number, or the contents of a JSON
// string.
func numberText(raw json.RawMessage) (string, error) {
	switch jsonType(raw) {
	case typeNumber:
		return string(raw), nil
	case typeString:
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	return "", errAmountSyntax
}
