package store

import (
	"errors"
	"testing"
)

func TestStoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	b := db.NewBatch()
	b.Set([]byte("a1"), []byte("x"))
	b.Set([]byte("a2"), []byte("y"))
	b.Set([]byte("b1"), []byte("z"))
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Get([]byte("nope")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing key: %v", err)
	}
	var keys []string
	if err := db.Iterate([]byte("a"), func(k, v []byte) (bool, error) {
		keys = append(keys, string(k)+"="+string(v))
		return true, nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0] != "a1=x" || keys[1] != "a2=y" {
		t.Fatalf("prefix iteration %v", keys)
	}
	// Durable across reopen; a discarded batch leaves nothing.
	d := db.NewBatch()
	d.Set([]byte("a3"), []byte("lost"))
	d.Discard()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.Get([]byte("b1")); err != nil || string(v) != "z" {
		t.Fatalf("after reopen: %q %v", v, err)
	}
	if ok, _ := db.Has([]byte("a3")); ok {
		t.Fatal("discarded write is present")
	}
}

func TestPrefixEnd(t *testing.T) {
	cases := map[string]string{"a": "b", "a\xff": "b", "\xff\xff": ""}
	for in, want := range cases {
		if got := string(prefixEnd([]byte(in))); got != want {
			t.Errorf("prefixEnd(%q) = %q, want %q", in, got, want)
		}
	}
}
