package mempool

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

func TestSaveLoad(t *testing.T) {
	h := newHarness(t, Config{})
	parent := h.spend(ins(h.out()), 2, 1000)
	h.mustAccept(parent)
	h.clock.advance(time.Hour)
	child := h.spend(outs(parent)[:1], 1, 2000)
	h.mustAccept(child)
	lone := h.spend(ins(h.out()), 1, 3000)
	h.mustAccept(lone)
	var buf bytes.Buffer
	if err := h.pool.Save(&buf); err != nil {
		t.Fatal(err)
	}
	file := buf.Bytes()

	fresh, err := New(Config{Now: h.clock.Now}, h.chain, h.p)
	if err != nil {
		t.Fatal(err)
	}
	st, err := fresh.Load(bytes.NewReader(file))
	if err != nil || st != (LoadStats{Accepted: 3}) {
		t.Fatalf("load: %+v, %v", st, err)
	}
	want, got := h.pool.TxIDs(), fresh.TxIDs()
	slices.SortFunc(want, compareHash)
	slices.SortFunc(got, compareHash)
	if !slices.Equal(got, want) {
		t.Fatalf("loaded %v, want %v", got, want)
	}
	for _, id := range want {
		a, _ := h.pool.Entry(id)
		b, _ := fresh.Entry(id)
		if !a.Time.Equal(b.Time) || a.Fees != b.Fees || a.AncestorCount != b.AncestorCount || a.WTxID != b.WTxID {
			t.Fatalf("entry %s: saved %+v, loaded %+v", id, a, b)
		}
	}
	// Loading the same file again finds everything there already.
	if st, err := fresh.Load(bytes.NewReader(file)); err != nil || st.AlreadyThere != 3 {
		t.Fatalf("reload: %+v, %v", st, err)
	}
}

func TestLoadRevalidates(t *testing.T) {
	h := newHarness(t, Config{})
	spent := h.spend(ins(h.out()), 1, 1000)
	old := h.spend(ins(h.out()), 1, 1000)
	h.mustAccept(old)
	h.clock.advance(200 * time.Hour)
	h.mustAccept(spent)
	var buf bytes.Buffer
	if err := h.pool.Save(&buf); err != nil {
		t.Fatal(err)
	}
	// Meanwhile a block spends spent's input another way, and old expires.
	h.mine(h.spend(ins(h.inputOf(spent)), 1, 500))
	h.clock.advance(137 * time.Hour)
	fresh, _ := New(Config{Now: h.clock.Now}, h.chain, h.p)
	st, err := fresh.Load(&buf)
	if err != nil || st != (LoadStats{Failed: 1, Expired: 1}) || fresh.Count() != 0 {
		t.Fatalf("load: %+v, %v", st, err)
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	h := newHarness(t, Config{})
	h.mustAccept(h.spend(ins(h.out()), 1, 1000))
	var buf bytes.Buffer
	if err := h.pool.Save(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	resum := func(b []byte) []byte {
		body := b[:len(b)-32]
		s := sha256.Sum256(body)
		return append(slices.Clone(body), s[:]...)
	}
	edit := func(f func(b []byte)) []byte {
		b := slices.Clone(good)
		f(b)
		return b
	}
	cases := map[string][]byte{
		"empty":         nil,
		"truncated":     good[:len(good)-1],
		"flipped byte":  edit(func(b []byte) { b[40] ^= 1 }),
		"bad checksum":  edit(func(b []byte) { b[len(b)-1] ^= 1 }),
		"magic":         resum(edit(func(b []byte) { b[0] = 'X' })),
		"version":       resum(edit(func(b []byte) { b[4] = 2 })),
		"other network": resum(edit(func(b []byte) { copy(b[8:12], params.Mainnet().Magic[:]) })),
		"count":         resum(edit(func(b []byte) { b[12] = 2 })),
		"trailing":      resum(append(slices.Clone(good), 0)), // a zero byte before the new checksum
	}
	for name, file := range cases {
		fresh, _ := New(Config{Now: h.clock.Now}, h.chain, h.p)
		if _, err := fresh.Load(bytes.NewReader(file)); !errors.Is(err, ErrMalformedFile) {
			t.Errorf("%s: %v", name, err)
		}
		if fresh.Count() != 0 {
			t.Errorf("%s: a bad file changed the pool", name)
		}
	}
}

// inputOf returns the confirmed output tx's first input spends.
func (h *harness) inputOf(tx *wire.Tx) *chaingen.SpendableOut {
	e, _ := h.chain.FetchUtxo(tx.TxIn[0].PrevOut)
	return &chaingen.SpendableOut{OutPoint: tx.TxIn[0].PrevOut, Out: e.Out}
}
