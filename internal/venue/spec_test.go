package venue

import "testing"

func FuzzParseFixed(f *testing.F) {
	for _, s := range []string{"0", "1.5", "0.00001000", ".5", "1.", "12345678.12345678", "-1", "1e5"} {
		f.Add(s, 8)
	}
	f.Fuzz(func(t *testing.T, s string, dec int) {
		dec = ((dec % 9) + 9) % 9
		v, ok := ParseFixed(s, dec)
		if !ok {
			return
		}
		back, ok2 := ParseFixed(formatFixed(v, dec), dec)
		if !ok2 || back != v {
			t.Fatalf("%q -> %d -> %q -> %d", s, v, formatFixed(v, dec), back)
		}
	})
}

func TestFixed(t *testing.T) {
	for _, c := range []struct {
		s   string
		dec int
		v   int64
		ok  bool
	}{{"1.5", 2, 150, true}, {"0.001", 2, 0, false}, {"0.0100", 2, 1, true}, {"abc", 2, 0, false}, {"7", 0, 7, true}} {
		v, ok := ParseFixed(c.s, c.dec)
		if v != c.v || ok != c.ok {
			t.Errorf("%q: %d %v", c.s, v, ok)
		}
	}
	if got := formatFixed(5, 3); got != "0.005" {
		t.Fatal(got)
	}
}
