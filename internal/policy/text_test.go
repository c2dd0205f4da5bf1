package policy

import (
	"reflect"
	"strings"
	"testing"
)

func TestTextRoundTrip(t *testing.T) {
	r := newTestRing()
	for _, tc := range validPolicies(r) {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.n.String()
			got, err := ParseText(s)
			if err != nil {
				t.Fatalf("ParseText(%q): %v", s, err)
			}
			if !reflect.DeepEqual(tc.n, got) {
				t.Fatalf("ParseText(String()) differs:\nwant %s\ngot  %s", tc.n, got)
			}
			if again := got.String(); again != s {
				t.Fatalf("String() not stable:\n%s\n%s", s, again)
			}
			if len(s) > MaxPolicyTextSize {
				t.Fatalf("text of %d bytes exceeds MaxPolicyTextSize", len(s))
			}
		})
	}
}

func TestTextForm(t *testing.T) {
	const (
		a = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
		b = "c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"
		c = "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9"
	)
	keyA := NewKey([32]byte(mustHex(t, a)))
	keyB := NewKey([32]byte(mustHex(t, b)))
	keyC := NewKey([32]byte(mustHex(t, c)))
	tests := []struct {
		text string
		want *Node
	}{
		{"key(" + a + ")", keyA},
		{"thresh(2,key(" + a + "),key(" + b + "),key(" + c + "))", NewThresh(2, keyA, keyB, keyC)},
		{"or(key(" + a + "),and(key(" + b + "),older(4320)))", NewOr(keyA, NewAnd(keyB, NewOlder(4320)))},
		{"and(after(500000000),sha256(" + c + "))", NewAnd(NewAfter(500000000), NewSha256([32]byte(mustHex(t, c))))},
		{"older(4194305)", NewOlder(1<<22 | 1)},
		{"after(4294967295)", NewAfter(4294967295)},
	}
	for _, tc := range tests {
		got, err := ParseText(tc.text)
		if err != nil {
			t.Fatalf("ParseText(%q): %v", tc.text, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseText(%q) = %s, want %s", tc.text, got, tc.want)
		}
		if s := tc.want.String(); s != tc.text {
			t.Errorf("String() = %q, want %q", s, tc.text)
		}
	}
	// Upper-case hex is read, and printed back in lower case.
	got, err := ParseText("key(" + strings.ToUpper(a) + ")")
	if err != nil || got.String() != "key("+a+")" {
		t.Errorf("upper-case hex: %v, %v", got, err)
	}
}

type textCase struct {
	name, text string
	want       ErrorKind
}

func textRejectCases() []textCase {
	const a = genX
	key := "key(" + a + ")"
	deep := "after(1)"
	for range MaxPolicyDepth {
		deep = "and(" + deep + ",after(1))"
	}
	return []textCase{
		{"empty", "", ErrPolicyEncoding},
		{"unknown", "foo(1)", ErrPolicyEncoding},
		{"upper-case name", "AFTER(1)", ErrPolicyEncoding},
		{"no paren", "after", ErrPolicyEncoding},
		{"unclosed", "after(1", ErrPolicyEncoding},
		{"space", "and(after(1), after(2))", ErrPolicyEncoding},
		{"trailing space", "after(1) ", ErrPolicyEncoding},
		{"trailing policy", "after(1)after(2)", ErrPolicyEncoding},
		{"key short", "key(" + a[:62] + ")", ErrPolicyEncoding},
		{"key long", "key(" + a + "00)", ErrPolicyEncoding},
		{"key not hex", "key(" + strings.Repeat("zz", 32) + ")", ErrPolicyEncoding},
		{"key not on curve", "key(eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34)", ErrPolicyEncoding},
		{"key empty", "key()", ErrPolicyEncoding},
		{"sha256 short", "sha256(" + a[:60] + ")", ErrPolicyEncoding},
		{"after(0)", "after(0)", ErrPolicyEncoding},
		{"after overflow", "after(4294967296)", ErrPolicyEncoding},
		{"after huge", "after(99999999999999999999999)", ErrPolicyEncoding},
		{"after negative", "after(-1)", ErrPolicyEncoding},
		{"after plus", "after(+1)", ErrPolicyEncoding},
		{"after leading zero", "after(01)", ErrPolicyEncoding},
		{"after hex", "after(0x10)", ErrPolicyEncoding},
		{"older disable flag", "older(2147483649)", ErrPolicyEncoding},
		{"older zero amount", "older(4194304)", ErrPolicyEncoding},
		{"and one child", "and(" + key + ")", ErrPolicyEncoding},
		{"or one child", "or(" + key + ")", ErrPolicyEncoding},
		{"and empty", "and()", ErrPolicyEncoding},
		{"and trailing comma", "and(" + key + "," + key + ",)", ErrPolicyEncoding},
		{"thresh k=0", "thresh(0," + key + ")", ErrPolicyEncoding},
		{"thresh k>n", "thresh(3," + key + "," + key + ")", ErrPolicyEncoding},
		{"thresh no k", "thresh(" + key + ")", ErrPolicyEncoding},
		{"thresh no children", "thresh(1)", ErrPolicyEncoding},
		{"thresh k leading zero", "thresh(01," + key + ")", ErrPolicyEncoding},
		{"depth 17", deep, ErrPolicyLimits},
		{"101 keys", "thresh(1," + repeat(key, 101, ",") + ")", ErrPolicyLimits},
		{"257 nodes", "and(" + repeat("after(1)", 256, ",") + ")", ErrPolicyLimits},
		{"too large encoding", "and(" + repeat("sha256("+a+")", 249, ",") + ")", ErrPolicyLimits},
		{"text too long", strings.Repeat(" ", MaxPolicyTextSize+1), ErrPolicyLimits},
	}
}

func TestParseTextRejects(t *testing.T) {
	for _, tc := range textRejectCases() {
		t.Run(tc.name, func(t *testing.T) {
			n, err := ParseText(tc.text)
			if n != nil {
				t.Errorf("ParseText returned %s with error %v", n, err)
			}
			wantKind(t, err, tc.want)
		})
	}
}
