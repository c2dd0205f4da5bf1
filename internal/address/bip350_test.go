package address

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/bech32"

	"github.com/ballast-chain/ballast/internal/wire"
)

// bip350Vectors is testdata/bip350.json.
type bip350Vectors struct {
	Source         string   `json:"source"`
	ValidBech32m   []string `json:"valid_bech32m"`
	InvalidBech32m []struct {
		String string `json:"string"`
		Hex    string `json:"hex"`
		Reason string `json:"reason"`
	} `json:"invalid_bech32m"`
	ValidSegwit []struct {
		Address      string `json:"address"`
		ScriptPubKey string `json:"script_pubkey"`
	} `json:"valid_segwit"`
	InvalidSegwit []struct {
		Address string `json:"address"`
		Reason  string `json:"reason"`
	} `json:"invalid_segwit"`
}

func loadBIP350(t testing.TB) *bip350Vectors {
	t.Helper()
	b, err := os.ReadFile("testdata/bip350.json")
	if err != nil {
		t.Fatal(err)
	}
	var v bip350Vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.ValidBech32m) != 7 || len(v.InvalidBech32m) != 14 || len(v.ValidSegwit) != 8 || len(v.InvalidSegwit) != 15 {
		t.Fatalf("bip350.json: unexpected vector counts %d/%d/%d/%d",
			len(v.ValidBech32m), len(v.InvalidBech32m), len(v.ValidSegwit), len(v.InvalidSegwit))
	}
	return &v
}

// TestBIP350ValidBech32m runs BIP350's valid strings through decodeBech32m,
// the string-level half of Decode, and checks that re-encoding reproduces
// them (in lowercase).
func TestBIP350ValidBech32m(t *testing.T) {
	for _, s := range loadBIP350(t).ValidBech32m {
		hrp, data, err := decodeBech32m(s)
		if err != nil {
			t.Errorf("%q: %v", s, err)
			continue
		}
		got, err := bech32.EncodeM(hrp, data)
		if err != nil {
			t.Errorf("%q: re-encode: %v", s, err)
			continue
		}
		if got != strings.ToLower(s) {
			t.Errorf("%q: re-encoded as %q", s, got)
		}
	}
}

// bip350Kinds is the kind decodeBech32m must report for each of BIP350's
// reasons for invalid bech32m strings.
var bip350Kinds = map[string]ErrorKind{
	"HRP character out of range":                     ErrMalformed,
	"overall max length exceeded":                    ErrTooLong,
	"No separator character":                         ErrMalformed,
	"Empty HRP":                                      ErrMalformed,
	"empty HRP":                                      ErrMalformed,
	"Invalid data character":                         ErrMalformed,
	"Too short checksum":                             ErrMalformed,
	"Invalid character in checksum":                  ErrMalformed,
	"checksum calculated with uppercase form of HRP": ErrBadChecksum,
}

func TestBIP350InvalidBech32m(t *testing.T) {
	for _, v := range loadBIP350(t).InvalidBech32m {
		s := v.String
		if v.Hex != "" {
			b, err := hex.DecodeString(v.Hex)
			if err != nil {
				t.Fatal(err)
			}
			s = string(b)
		}
		want, ok := bip350Kinds[v.Reason]
		if !ok {
			t.Fatalf("%q: no expected kind for reason %q", s, v.Reason)
		}
		_, _, err := decodeBech32m(s)
		if !errors.Is(err, want) {
			t.Errorf("%q (%s): got %v, want %s", s, v.Reason, err, want)
		}
	}
}

// decodeSegwit is BIP350's segwit address decoder, written on the same
// btcutil/bech32 calls as Decode, so that the segwit vectors pin down the
// library behaviour Ballast relies on: checksum variant detection, 5-to-8
// conversion with padding checks, and the length limit.
func decodeSegwit(hrp, addr string) (version byte, program []byte, err error) {
	gotHRP, data, variant, err := bech32.DecodeGeneric(addr)
	if err != nil {
		return 0, nil, err
	}
	if gotHRP != hrp {
		return 0, nil, fmt.Errorf("prefix %q, want %q", gotHRP, hrp)
	}
	if len(data) == 0 {
		return 0, nil, errors.New("empty data section")
	}
	version = data[0]
	if version > 16 {
		return 0, nil, fmt.Errorf("witness version %d", version)
	}
	program, err = bech32.ConvertBits(data[1:], 5, 8, false)
	if err != nil {
		return 0, nil, err
	}
	if len(program) < 2 || len(program) > 40 {
		return 0, nil, fmt.Errorf("program length %d", len(program))
	}
	if version == 0 && len(program) != 20 && len(program) != 32 {
		return 0, nil, fmt.Errorf("v0 program length %d", len(program))
	}
	if (version == 0) != (variant == bech32.Version0) || variant == bech32.VersionUnknown {
		return 0, nil, fmt.Errorf("checksum variant %d for witness version %d", variant, version)
	}
	return version, program, nil
}

func segwitScript(version byte, program []byte) []byte {
	op := byte(0)
	if version > 0 {
		op = 0x50 + version
	}
	return append([]byte{op, byte(len(program))}, program...)
}

func TestBIP350ValidSegwit(t *testing.T) {
	for _, v := range loadBIP350(t).ValidSegwit {
		hrp := strings.ToLower(v.Address[:strings.LastIndexByte(v.Address, '1')])
		ver, prog, err := decodeSegwit(hrp, v.Address)
		if err != nil {
			t.Errorf("%q: %v", v.Address, err)
			continue
		}
		if got := hex.EncodeToString(segwitScript(ver, prog)); got != v.ScriptPubKey {
			t.Errorf("%q: script %s, want %s", v.Address, got, v.ScriptPubKey)
		}
		// A v1 or v2 address with a 32-byte program is exactly the Ballast
		// address of a key or policy lock with that prefix.
		if (ver == 1 || ver == 2) && len(prog) == ProgramSize {
			lock := wire.Lock{Kind: wire.LockKind(ver), Data: prog}
			enc, err := Encode(hrp, lock)
			if err != nil || enc != strings.ToLower(v.Address) {
				t.Errorf("Encode(%q, %v) = %q, %v; want %q", hrp, lock, enc, err, strings.ToLower(v.Address))
			}
			dec, err := Decode(v.Address, hrp)
			if err != nil || !dec.Equal(lock) {
				t.Errorf("Decode(%q) = %v, %v; want %v", v.Address, dec, err, lock)
			}
		}
	}
}

func TestBIP350InvalidSegwit(t *testing.T) {
	for _, v := range loadBIP350(t).InvalidSegwit {
		for _, hrp := range []string{"bc", "tb"} {
			if ver, prog, err := decodeSegwit(hrp, v.Address); err == nil {
				t.Errorf("%q (%s) accepted with prefix %q: v%d %x", v.Address, v.Reason, hrp, ver, prog)
			}
			// No invalid segwit address is a valid Ballast address either.
			if lock, err := Decode(v.Address, hrp); err == nil {
				t.Errorf("Decode(%q, %q) = %v, want an error (%s)", v.Address, hrp, lock, v.Reason)
			}
		}
	}
}
