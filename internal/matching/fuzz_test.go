package matching

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func FuzzDecodeCommand(f *testing.F) {
	c := lim(1, Buy, 1000, 10)
	f.Add(AppendCommand(nil, &c))
	f.Add(make([]byte, CommandSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeCommand(b)
		if err != nil {
			return
		}
		if again := AppendCommand(nil, &c); !bytes.Equal(again, b) {
			t.Fatal("decode/encode round trip differs")
		}
	})
}

func FuzzDecodeEvent(f *testing.F) {
	e, _ := New(testConfig())
	for _, c := range []Command{lim(1, Sell, 1000, 10), lim(2, Buy, 1000, 20)} {
		for _, ev := range e.Apply(&c) {
			f.Add(AppendEvent(nil, &ev))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := DecodeEvent(b)
		if err != nil {
			return
		}
		if again := AppendEvent(nil, &ev); !bytes.Equal(again, b) {
			t.Fatal("decode/encode round trip differs")
		}
	})
}

func FuzzRestore(f *testing.F) {
	e, _ := New(testConfig())
	g := newGen(1, testConfig())
	for range 200 {
		c := g.next()
		g.observe(e.Apply(&c))
	}
	f.Add(e.AppendSnapshot(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Restore(testConfig(), b)
		if err != nil {
			return
		}
		if !bytes.Equal(r.AppendSnapshot(nil), b) {
			t.Fatal("restored snapshot re-encodes differently")
		}
		c := lim(9, Buy, 2000, 100)
		r.Apply(&c)
		if err := r.CheckInvariants(); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzEngine decodes the input as a command stream (CommandSize bytes
// each), runs it through the engine and the reference model, and requires
// identical events, a consistent engine and a stream that accounts for
// every order's quantity.
func FuzzEngine(f *testing.F) {
	g := newGen(7, testConfig())
	e, _ := New(testConfig())
	var seed []byte
	for range 60 {
		c := g.next()
		g.observe(e.Apply(&c))
		seed = AppendCommand(seed, &c)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg := testConfig()
		e, _ := New(cfg)
		ref := newRefBook(cfg)
		sc := newStreamChecker()
		for len(b) >= CommandSize {
			c, err := DecodeCommand(b[:CommandSize])
			b = b[CommandSize:]
			if err != nil {
				continue
			}
			// Keep quantities small enough for the reference model's
			// unchecked arithmetic; the engine's bounds are tested by
			// its own filters.
			if c.QuoteQty > 1<<40 || c.QuoteQty < -(1<<40) {
				c.QuoteQty >>= 24
			}
			want := ref.apply(c)
			got := e.Apply(&c)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("command %+v: engine differs from reference:\n%s", c, diff)
			}
			if err := sc.check(got); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.CheckInvariants(); err != nil {
			t.Fatal(err)
		}
		if err := sc.matchesEngine(e); err != nil {
			t.Fatal(err)
		}
	})
}
