package stratum

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// Bitcoin block 125552 rebuilt from Stratum-style fields (word-swapped
// prevhash, big-endian hex version/nbits/ntime/nonce) hashes to its real hash.
func TestHeaderVectorBlock125552(t *testing.T) {
	prev, _ := chainhash.NewHashFromStr("00000000000008a3a41b85b8b29ad444def299fee21793cd8b9e567eab02cd81")
	root, _ := chainhash.NewHashFromStr("2b12fcf1b09288fcaff797d71e950e71ae42b91e8bdb2304758dfcffc2b620e3")
	notifyPrev := PrevHashHex(prev)
	back, err := ParsePrevHash(notifyPrev)
	if err != nil || back != prev {
		t.Fatalf("prevhash round trip: %v", err)
	}
	j := &ClientJob{PrevHash: back}
	for _, f := range []struct {
		s string
		v *uint32
	}{{"00000001", &j.Version}, {"1a44b9f2", &j.Bits}, {"4dd7f5c7", &j.Time}} {
		x, ok := parseHex32(f.s)
		if !ok {
			t.Fatal(f.s)
		}
		*f.v = x
	}
	nonce, _ := parseHex32("9546a142")
	h := j.Header(nil, nil, j.Time, nonce, j.Version)
	h.MerkleRoot = root // the real coinbase is not ours to rebuild; the root is
	if got := h.BlockHash().String(); got != "00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d" {
		t.Fatalf("block 125552 hash %s", got)
	}
	// The word swap is what miners expect: the first word of the notify
	// prevhash is the header's bytes 0-3 reversed.
	raw := h.Serialize()
	want := []byte{raw[7], raw[6], raw[5], raw[4]}
	got, _ := hex.DecodeString(notifyPrev[:8])
	if !bytes.Equal(got, want) {
		t.Fatalf("prevhash word %x, want %x", got, want)
	}
}

func TestDecodeLine(t *testing.T) {
	good := []string{
		`{"id":1,"method":"mining.subscribe","params":[]}`,
		`{"id":"a","method":"mining.authorize","params":["u","p"]}`,
		`{"id":null,"method":"mining.notify","params":["1"]}`,
		`{"id":2,"result":true,"error":null}`,
		`{"id":3,"result":null,"error":[21,"Job not found",null]}`,
	}
	for _, s := range good {
		m, err := DecodeLine([]byte(s))
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		if _, err := DecodeLine(bytes.TrimSuffix(m.Encode(), []byte("\n"))); err != nil {
			t.Errorf("%s: re-encoded: %v", s, err)
		}
	}
	bad := []string{``, `{`, `[]`, `{}`, `{"id":1,"method":"x","params":{}}`, `{"id":[1],"method":"x"}`,
		`{"id":true,"method":"x"}`, `{"id":1,"error":[1]}`, string(make([]byte, MaxLineSize+1))}
	for _, s := range bad {
		if _, err := DecodeLine([]byte(s)); err == nil {
			t.Errorf("%q accepted", s[:min(len(s), 40)])
		}
	}
	e := response([]byte("7"), nil, errLowDiff)
	if string(e) != `{"id":7,"result":null,"error":[23,"Low difficulty share",null]}`+"\n" {
		t.Fatalf("error response %s", e)
	}
}

func FuzzDecodeLine(f *testing.F) {
	f.Add([]byte(`{"id":1,"method":"mining.submit","params":["w","1","00000000","5f000000","00000000"]}`))
	f.Add([]byte(`{"id":3,"result":null,"error":[21,"Job not found",null]}`))
	f.Add([]byte(`{"id":null,"method":"mining.set_difficulty","params":[0.5]}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		m, err := DecodeLine(line)
		if err != nil {
			return
		}
		enc := m.Encode()
		m2, err := DecodeLine(enc[:len(enc)-1])
		if err != nil {
			t.Fatalf("re-decode of %s: %v", enc, err)
		}
		if enc2 := m2.Encode(); !bytes.Equal(enc, enc2) {
			t.Fatalf("not stable:\n%s\n%s", enc, enc2)
		}
		if m.Method == "mining.notify" {
			_, _ = ParseNotify(m.Params)
		}
	})
}
