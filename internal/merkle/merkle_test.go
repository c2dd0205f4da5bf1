package merkle

import (
	"testing"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

func leaves(n int) []chainhash.Hash {
	hs := make([]chainhash.Hash, n)
	for i := range hs {
		hs[i] = chainhash.DoubleSHA256([]byte{byte(i), byte(i >> 8)})
	}
	return hs
}

func mustHash(t *testing.T, s string) chainhash.Hash {
	t.Helper()
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Bitcoin block 100000 has four transactions; its merkle root is public.
func TestRootBitcoinBlock100000(t *testing.T) {
	txids := []chainhash.Hash{
		mustHash(t, "8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87"),
		mustHash(t, "fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4"),
		mustHash(t, "6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4"),
		mustHash(t, "e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d"),
	}
	got, mutated := RootOf(txids)
	if want := mustHash(t, "f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766"); got != want || mutated {
		t.Fatalf("root %s mutated %v, want %s", got, mutated, want)
	}
}

func TestRootSmall(t *testing.T) {
	if r, _ := Root(nil); !r.IsZero() {
		t.Fatal("empty root not zero")
	}
	one := leaves(1)
	if r, _ := RootOf(one); r != one[0] {
		t.Fatal("single leaf root is not the leaf")
	}
	three := leaves(3)
	want := HashPair(ptr(HashPair(&three[0], &three[1])), ptr(HashPair(&three[2], &three[2])))
	if r, m := RootOf(three); r != want || m {
		t.Fatalf("odd level not paired with itself")
	}
}

func ptr(h chainhash.Hash) *chainhash.Hash { return &h }

// CVE-2012-2459: [a b c] and [a b c c] share a root; the second is mutated.
func TestMutation(t *testing.T) {
	three := leaves(3)
	four := append(append([]chainhash.Hash(nil), three...), three[2])
	r3, m3 := RootOf(three)
	r4, m4 := RootOf(four)
	if r3 != r4 {
		t.Fatal("expected the known root collision")
	}
	if m3 || !m4 {
		t.Fatalf("mutation flags: three %v four %v", m3, m4)
	}
	// A duplicate at an upper level: [a b a b] pairs (ab)(ab).
	l := leaves(2)
	if _, m := RootOf([]chainhash.Hash{l[0], l[1], l[0], l[1]}); !m {
		t.Fatal("upper-level duplicate not flagged")
	}
	// Equal leaves that are not paired together are not a mutation.
	if _, m := RootOf([]chainhash.Hash{l[0], l[1], l[1], l[0]}); m {
		t.Fatal("unpaired equal leaves flagged")
	}
}

func TestCoinbaseBranch(t *testing.T) {
	for n := 1; n <= 33; n++ {
		hs := leaves(n)
		want, _ := RootOf(hs)
		br := CoinbaseBranch(hs[1:])
		if got := RootFromBranch(hs[0], br); got != want {
			t.Fatalf("n=%d: branch root %s want %s", n, got, want)
		}
	}
}

func BenchmarkRoot4000(b *testing.B) {
	hs := leaves(4000)
	scratch := make([]chainhash.Hash, len(hs))
	b.ReportAllocs()
	for b.Loop() {
		copy(scratch, hs)
		Root(scratch)
	}
}
