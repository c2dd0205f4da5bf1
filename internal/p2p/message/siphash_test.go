package message

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestSipHash24Vectors checks the reference implementation's 64 vectors.
func TestSipHash24Vectors(t *testing.T) {
	f, err := os.Open("testdata/siphash24.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const k0, k1 = 0x0706050403020100, 0x0f0e0d0c0b0a0908
	msg := make([]byte, 64)
	for i := range msg {
		msg[i] = byte(i)
	}
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		want, err := strconv.ParseUint(line, 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got := SipHash24(k0, k1, msg[:n]); got != want {
			t.Errorf("n=%d: got %016x, want %016x", n, got, want)
		}
		n++
	}
	if n != 64 {
		t.Fatalf("%d vectors, want 64", n)
	}
}

func BenchmarkShortID(b *testing.B) {
	var h [32]byte
	b.ReportAllocs()
	for b.Loop() {
		h[0]++
		_ = ShortID(1, 2, h)
	}
}
