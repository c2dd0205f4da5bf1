package rpc

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/ballast-chain/ballast/internal/params"
)

func TestAppendAmount(t *testing.T) {
	maxMoney := params.Mainnet().MaxMoney
	for _, c := range []struct {
		v    int64
		want string
	}{
		{0, "0.00000000"},
		{1, "0.00000001"},
		{10, "0.00000010"},
		{99_999_999, "0.99999999"},
		{params.Coin, "1.00000000"},
		{50 * params.Coin, "50.00000000"},
		{123_456_789_012, "1234.56789012"},
		{maxMoney, "21000000.00000000"},
		{-1, "-0.00000001"},
		{-params.Coin - 5, "-1.00000005"},
		{math.MaxInt64, "92233720368.54775807"},
		{math.MinInt64, "-92233720368.54775808"},
	} {
		if got := string(AppendAmount(nil, c.v)); got != c.want {
			t.Errorf("AppendAmount(%d) = %s, want %s", c.v, got, c.want)
		}
		b, _ := json.Marshal(struct{ V Amount }{Amount(c.v)})
		if want := `{"V":` + c.want + `}`; string(b) != want {
			t.Errorf("json %s, want %s", b, want)
		}
	}
}

func TestParseAmount(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		err  error
	}{
		{"0", 0, nil},
		{"0.00000001", 1, nil},
		{"1", params.Coin, nil},
		{"1.5", 150_000_000, nil},
		{"21000000.00000000", 2_100_000_000_000_000, nil},
		{"1e-8", 1, nil},
		{"1E-8", 1, nil},
		{"1.0e+1", 10 * params.Coin, nil},
		{"0.1e2", 10 * params.Coin, nil},
		{"12345678.9e-7", 123_456_789, nil},
		{"0e999999999", 0, nil},
		{"0.000000010", 1, nil},
		{"92233720368.54775807", math.MaxInt64, nil},
		{"-0", 0, nil},
		{"0.000000001", 0, errAmountSyntax},
		{"1e-9", 0, errAmountSyntax},
		{"-0.00000001", 0, errAmountRange},
		{"-1", 0, errAmountRange},
		{"92233720368.54775808", 0, errAmountRange},
		{"1e19", 0, errAmountRange},
		{"1e999999999", 0, errAmountRange},
		{"", 0, errAmountSyntax},
		{"-", 0, errAmountSyntax},
		{"01", 0, errAmountSyntax},
		{"1.", 0, errAmountSyntax},
		{".5", 0, errAmountSyntax},
		{"+1", 0, errAmountSyntax},
		{" 1", 0, errAmountSyntax},
		{"1 ", 0, errAmountSyntax},
		{"1e", 0, errAmountSyntax},
		{"1e+", 0, errAmountSyntax},
		{"0x10", 0, errAmountSyntax},
		{"NaN", 0, errAmountSyntax},
		{"Infinity", 0, errAmountSyntax},
		{"1,5", 0, errAmountSyntax},
	} {
		got, err := ParseAmount(c.in)
		if err != c.err || got != c.want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d, %v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestAmountParam(t *testing.T) {
	maxMoney := params.Mainnet().MaxMoney
	for _, c := range []struct {
		raw  string
		want int64
		code Code
		msg  string
	}{
		{`0.1`, 10_000_000, 0, ""},
		{`"0.1"`, 10_000_000, 0, ""},
		{`21000000`, maxMoney, 0, ""},
		{`21000000.00000001`, 0, CodeType, "Amount out of range"},
		{`-0.1`, 0, CodeType, "Amount out of range"},
		{`0.123456789`, 0, CodeType, "Invalid amount"},
		{`"abc"`, 0, CodeType, "Invalid amount"},
		{`true`, 0, CodeType, "Amount is not a number or string"},
		{`[1]`, 0, CodeType, "Amount is not a number or string"},
	} {
		got, err := amountParam(json.RawMessage(c.raw), maxMoney)
		if c.code == 0 {
			if err != nil || got != c.want {
				t.Errorf("amountParam(%s) = %d, %v; want %d", c.raw, got, err, c.want)
			}
			continue
		}
		re, ok := err.(*Error)
		if !ok || re.Code != c.code || re.Message != c.msg {
			t.Errorf("amountParam(%s) error %v, want %d %q", c.raw, err, c.code, c.msg)
		}
	}
}

func TestAmountUnmarshal(t *testing.T) {
	var v struct{ A, B Amount }
	if err := json.Unmarshal([]byte(`{"A":50.00000000,"B":"-0.00000002"}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != 50*params.Coin || v.B != -2 {
		t.Errorf("got %d %d", v.A, v.B)
	}
	if err := json.Unmarshal([]byte(`{"A":0.000000001}`), &v); err == nil {
		t.Error("9 decimals accepted")
	}
}

// FuzzParseAmount checks that every accepted string round-trips through
// the formatter, and every formatted value parses back.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"0", "1", "0.00000001", "21000000.00000000", "1e-8", "12.5e3", "92233720368.54775807", "-0"} {
		f.Add(s, int64(1))
	}
	f.Fuzz(func(t *testing.T, s string, n int64) {
		if v, err := ParseAmount(s); err == nil {
			if v < 0 {
				t.Fatalf("ParseAmount(%q) = %d < 0", s, v)
			}
			back, err := ParseAmount(string(AppendAmount(nil, v)))
			if err != nil || back != v {
				t.Fatalf("%q -> %d -> %s -> %d, %v", s, v, AppendAmount(nil, v), back, err)
			}
		}
		if n < 0 {
			n = -(n + 1)
		}
		text := string(AppendAmount(nil, n))
		back, err := ParseAmount(text)
		if err != nil || back != n {
			t.Fatalf("%d -> %s -> %d, %v", n, text, back, err)
		}
	})
}
