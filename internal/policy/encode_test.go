package policy

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

type namedPolicy struct {
	name string
	n    *Node
}

// validPolicies is a table of valid policies over the test ring's keys, used
// by the encoding, text, satisfaction and fuzz tests.
func validPolicies(r *testRing) []namedPolicy {
	afters := make([]*Node, 255)
	for i := range afters {
		afters[i] = NewAfter(uint32(i + 1))
	}
	keys := make([]*Node, MaxPolicyKeys)
	for i := range keys {
		keys[i] = NewKey(XOnly(testKey(string(rune('a'+i%26)) + string(rune('0'+i/26)))))
	}
	deep := NewKey(r.A)
	for range MaxPolicyDepth - 1 {
		deep = NewOr(deep, NewAfter(1))
	}
	return []namedPolicy{
		{"key", NewKey(r.A)},
		{"after height", NewAfter(100)},
		{"after time", NewAfter(LockTimeThreshold)},
		{"after max", NewAfter(0xffffffff)},
		{"older blocks", NewOlder(144)},
		{"older time", NewOlder(SequenceLockTimeIsSeconds | 0xffff)},
		{"sha256", NewSha256(r.digest)},
		{"thresh 1-of-1", NewThresh(1, NewKey(r.A))},
		{"thresh 2-of-3", NewThresh(2, NewKey(r.A), NewKey(r.B), NewKey(r.C))},
		{"thresh 3-of-3", NewThresh(3, NewKey(r.A), NewKey(r.B), NewKey(r.C))},
		{"thresh 5-of-9", NewThresh(5, NewKey(r.A), NewKey(r.B), NewKey(r.C), NewKey(r.D), NewKey(r.E),
			NewAfter(10), NewOlder(10), NewSha256(r.digest), NewAnd(NewKey(r.A), NewKey(r.B)))},
		{"and", NewAnd(NewKey(r.A), NewKey(r.B))},
		{"or", NewOr(NewKey(r.A), NewKey(r.B))},
		{"vault", NewOr(NewThresh(2, NewKey(r.A), NewKey(r.B), NewKey(r.C)), NewAnd(NewKey(r.D), NewOlder(4320)))},
		{"swap", NewOr(NewAnd(NewKey(r.A), NewSha256(r.digest)), NewAnd(NewKey(r.B), NewAfter(800_000)))},
		{"nested", NewAnd(NewOr(NewKey(r.A), NewAnd(NewKey(r.B), NewKey(r.C))), NewOr(NewKey(r.D), NewAfter(10), NewOlder(5)))},
		{"duplicate key", NewOr(NewAnd(NewKey(r.A), NewKey(r.B)), NewAnd(NewKey(r.A), NewOlder(100)))},
		{"max keys", NewThresh(MaxPolicyKeys, keys...)},
		{"max nodes", NewAnd(afters...)},
		{"max depth", deep},
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	r := newTestRing()
	for _, tc := range validPolicies(r) {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.n.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			enc := tc.n.Encode()
			if len(enc) != tc.n.EncodedLen() {
				t.Fatalf("len(Encode()) = %d, EncodedLen() = %d", len(enc), tc.n.EncodedLen())
			}
			got, err := Decode(enc)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			// reflect.DeepEqual, not cmp.Diff: cmp's slice diffing is
			// exponential in the depth of nested child slices.
			if !reflect.DeepEqual(tc.n, got) {
				t.Fatalf("Decode(Encode()) differs:\nwant %s\ngot  %s", tc.n, got)
			}
			if again := got.Encode(); !bytes.Equal(again, enc) {
				t.Fatalf("re-encoding differs:\n%x\n%x", enc, again)
			}
			if h, want := got.Hash(), chainhash.TaggedHash("Ballast/Policy", enc); h != want {
				t.Fatalf("Hash() = %x, want %x", h, want)
			}
		})
	}
}

// le32 returns v little-endian.
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

type decodeCase struct {
	name string
	in   []byte
	want ErrorKind
}

// decodeRejectCases returns malformed encodings and the error kind of each,
// and encodings exactly at the limits, which must decode.
func decodeRejectCases(t testing.TB) (rejects []decodeCase, atLimits [][]byte) {
	key := mustHex(t, genX)
	keyNode := cat([]byte{0x01}, key)
	after1 := cat([]byte{0x05}, le32(1))
	// x >= field prime, and an x with no point (BIP340 vector 5's key).
	badKeyP := cat([]byte{0x01}, bytes.Repeat([]byte{0xff}, 32))
	badKeyCurve := cat([]byte{0x01}, mustHex(t, "eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34"))
	and := func(children ...[]byte) []byte {
		return cat([]byte{0x03, byte(len(children))}, cat(children...))
	}
	nest := func(depth int) []byte {
		b := after1
		for range depth - 1 {
			b = and(b, after1)
		}
		return b
	}
	many := func(node []byte, n int) []byte { return bytes.Repeat(node, n) }
	rejects = []decodeCase{
		{"empty", nil, ErrPolicyEncoding},
		{"kind 0x00", cat([]byte{0x00}, key), ErrPolicyEncoding},
		{"kind 0x08", cat([]byte{0x08}, le32(1)), ErrPolicyEncoding},
		{"kind 0xff", []byte{0xff}, ErrPolicyEncoding},
		{"key truncated", keyNode[:32], ErrPolicyEncoding},
		{"key x >= p", badKeyP, ErrPolicyEncoding},
		{"key not on curve", badKeyCurve, ErrPolicyEncoding},
		{"trailing byte", cat(keyNode, []byte{0}), ErrPolicyEncoding},
		{"two policies", cat(keyNode, keyNode), ErrPolicyEncoding},
		{"sha256 truncated", cat([]byte{0x07}, key[:31]), ErrPolicyEncoding},
		{"after truncated", []byte{0x05, 1, 0, 0}, ErrPolicyEncoding},
		{"after(0)", cat([]byte{0x05}, le32(0)), ErrPolicyEncoding},
		{"older(0)", cat([]byte{0x06}, le32(0)), ErrPolicyEncoding},
		{"older type flag only", cat([]byte{0x06}, le32(1<<22)), ErrPolicyEncoding},
		{"older disable flag", cat([]byte{0x06}, le32(1<<31|1)), ErrPolicyEncoding},
		{"older bit 16", cat([]byte{0x06}, le32(1<<16|1)), ErrPolicyEncoding},
		{"older bit 23", cat([]byte{0x06}, le32(1<<23|1)), ErrPolicyEncoding},
		{"and no children", []byte{0x03, 0}, ErrPolicyEncoding},
		{"and one child", cat([]byte{0x03, 1}, keyNode), ErrPolicyEncoding},
		{"or one child", cat([]byte{0x04, 1}, keyNode), ErrPolicyEncoding},
		{"and missing child", cat([]byte{0x03, 2}, keyNode), ErrPolicyEncoding},
		{"and count truncated", []byte{0x03}, ErrPolicyEncoding},
		{"and count cannot fit", cat([]byte{0x03, 3}, after1, after1), ErrPolicyEncoding},
		{"and count non-minimal", cat([]byte{0x03, 0xfd, 2, 0}, after1, after1), ErrPolicyEncoding},
		{"and count 0xfd truncated", []byte{0x03, 0xfd, 2}, ErrPolicyEncoding},
		{"thresh k=0", cat([]byte{0x02, 0, 1}, keyNode), ErrPolicyEncoding},
		{"thresh k>n", cat([]byte{0x02, 2, 1}, keyNode), ErrPolicyEncoding},
		{"thresh n=0", []byte{0x02, 1, 0}, ErrPolicyEncoding},
		{"thresh k non-minimal", cat([]byte{0x02, 0xfd, 1, 0, 1}, keyNode), ErrPolicyEncoding},
		{"thresh k huge", cat([]byte{0x02, 0xff, 1, 0, 0, 0, 0, 0, 0, 0, 1}, keyNode), ErrPolicyEncoding},
		{"thresh child invalid", cat([]byte{0x02, 1, 2}, keyNode, badKeyP), ErrPolicyEncoding},
		{"too large", cat([]byte{0x03, 0xfd, 0xf9, 0}, many(cat([]byte{0x07}, key), 249)), ErrPolicyLimits},
		{"count over node limit", cat([]byte{0x03, 0xfd, 0, 1}, many(after1, 256)), ErrPolicyLimits},
		{"count 2^64-1", []byte{0x03, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, ErrPolicyLimits},
		{"257 nodes", cat([]byte{0x03, 252}, many(after1, 251), and(after1, after1, after1, after1)), ErrPolicyLimits},
		{"101 keys", cat([]byte{0x02, 1, 101}, many(keyNode, 101)), ErrPolicyLimits},
		{"depth 17", nest(17), ErrPolicyLimits},
	}
	atLimits = [][]byte{
		nest(MaxPolicyDepth),
		cat([]byte{0x03, 0xfd, 0xff, 0}, many(after1, 255)),
		cat([]byte{0x02, 1, 100}, many(keyNode, 100)),
		cat([]byte{0x03, 0xf8}, many(cat([]byte{0x07}, key), 248)),
	}
	return rejects, atLimits
}

func TestDecodeRejects(t *testing.T) {
	rejects, atLimits := decodeRejectCases(t)
	for _, tc := range rejects {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Decode(tc.in)
			if n != nil {
				t.Errorf("Decode returned a node with error %v", err)
			}
			wantKind(t, err, tc.want)
		})
	}
	// The limits themselves are accepted.
	for _, ok := range atLimits {
		if _, err := Decode(ok); err != nil {
			t.Errorf("Decode at the limit (%d bytes): %v", len(ok), err)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	r := newTestRing()
	keys := make([]*Node, MaxPolicyKeys+1)
	for i := range keys {
		keys[i] = NewKey(r.A)
	}
	var badKey [32]byte
	for i := range badKey {
		badKey[i] = 0xff
	}
	self := NewAnd(NewKey(r.A), NewKey(r.B))
	tests := []struct {
		name string
		n    *Node
		want ErrorKind
	}{
		{"nil", nil, ErrPolicyEncoding},
		{"nil child", NewAnd(NewKey(r.A), nil), ErrPolicyEncoding},
		{"unknown kind", &Node{Kind: 9}, ErrPolicyEncoding},
		{"invalid key", NewKey(badKey), ErrPolicyEncoding},
		{"stray value on key", &Node{Kind: KindKey, Key: r.A, Value: 1}, ErrPolicyEncoding},
		{"stray key on after", &Node{Kind: KindAfter, Key: r.A, Value: 1}, ErrPolicyEncoding},
		{"stray k on and", &Node{Kind: KindAnd, K: 1, Children: []*Node{NewAfter(1), NewAfter(2)}}, ErrPolicyEncoding},
		{"stray digest on or", &Node{Kind: KindOr, Digest: r.digest, Children: []*Node{NewAfter(1), NewAfter(2)}}, ErrPolicyEncoding},
		{"children on leaf", &Node{Kind: KindAfter, Value: 1, Children: []*Node{NewAfter(1)}}, ErrPolicyEncoding},
		{"thresh k=0", NewThresh(0, NewKey(r.A)), ErrPolicyEncoding},
		{"too many keys", NewThresh(1, keys...), ErrPolicyLimits},
		{"cycle", self, ErrPolicyLimits},
	}
	self.Children[1] = self
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantKind(t, tc.n.Validate(), tc.want)
		})
	}
}

// TestSpecExamples checks the worked examples in docs/protocol.md §5.
func TestSpecExamples(t *testing.T) {
	tests := []struct {
		text, enc, hash string
	}{
		{"and(after(100),older(144))", "030205640000000690000000",
			"ebafdd18523c006069ccd3de9687f5ab4fde3b8c6e38af71a691519554aa088c"},
		{"or(key(" + genX + "),and(sha256(" + strings.Repeat("00", 32) + "),after(500000)))",
			"040201" + genX + "030207" + strings.Repeat("00", 32) + "0520a10700",
			"e2b3ce949426e8e94e5ec309842d5ddf4d3bd2425dd50d989663206bf46e9046"},
	}
	for _, tc := range tests {
		n, err := ParseText(tc.text)
		if err != nil {
			t.Fatal(err)
		}
		h := n.Hash()
		if hex.EncodeToString(n.Encode()) != tc.enc || hex.EncodeToString(h[:]) != tc.hash {
			t.Errorf("%s: encoding %x hash %x", tc.text, n.Encode(), h[:])
		}
	}
}
