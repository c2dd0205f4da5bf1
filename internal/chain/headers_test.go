package chain

import (
	"testing"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/store"
)

func TestLocatorAndFindHeaders(t *testing.T) {
	p := params.Regtest()
	db, err := store.Open(store.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := Open(Config{DB: db, Params: p})
	if err != nil {
		t.Fatal(err)
	}
	g := chaingen.NewGenerator(p, "headers")
	var hashes []chainhash.Hash
	hashes = append(hashes, p.GenesisHash)
	for range 40 {
		b := g.NextBlock(nil, chaingen.BlockOpts{})
		if _, err := c.ProcessBlock(b); err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, b.BlockHash())
	}
	loc := c.Locator(hashes[40])
	if loc[0] != hashes[40] || loc[len(loc)-1] != p.GenesisHash {
		t.Fatalf("locator ends %v..%v", loc[0], loc[len(loc)-1])
	}
	// As Core: step one until eleven hashes, then doubling.
	want := []int{40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 27, 23, 15, 0}
	if len(loc) != len(want) {
		t.Fatalf("locator has %d hashes, want %d", len(loc), len(want))
	}
	for i, h := range want {
		if loc[i] != hashes[h] {
			t.Fatalf("locator[%d] is not height %d", i, h)
		}
	}
	hs := c.FindHeaders([]chainhash.Hash{{9}, hashes[10]}, chainhash.Hash{}, 5)
	if len(hs) != 5 || hs[0].BlockHash() != hashes[11] || hs[4].BlockHash() != hashes[15] {
		t.Fatalf("FindHeaders from 10 returned %d headers", len(hs))
	}
	hs = c.FindHeaders(nil, hashes[3], 100)
	if len(hs) != 3 || hs[2].BlockHash() != hashes[3] {
		t.Fatalf("FindHeaders to stop returned %d headers", len(hs))
	}
	if ts := c.AncestorTimes(hashes[5], 11); len(ts) != 6 {
		t.Fatalf("AncestorTimes returned %d, want 6", len(ts))
	}
}
