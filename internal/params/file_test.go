package params

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var update = flag.Bool("update", false, "rewrite testdata/example_network.json")

const examplePath = "testdata/example_network.json"

var paramsCmp = []cmp.Option{
	cmp.Comparer(func(a, b *big.Int) bool { return a.Cmp(b) == 0 }),
	cmpopts.EquateEmpty(),
}

// exampleParams is a community network: testnet's easy limit so it mines in
// milliseconds, its own identity.
func exampleParams(t testing.TB) *Params {
	t.Helper()
	p := Testnet()
	p.Name = "ricecoin"
	p.Magic = [4]byte{0xf3, 0x9c, 0xe1, 0xb8}
	p.Bech32HRP = "rice"
	p.DefaultPort, p.RPCPort = 29633, 29632
	p.SeedAddrs = []string{"seed1.example.org:29633", "[2001:db8::1]:29633"}
	p.ASERTHalfLife = 172800
	g := GenesisSpec{
		Version:   1,
		Timestamp: 1767225600,
		Bits:      p.PowLimitBits,
		Message:   "Ricecoin genesis: 1 RICE = 1 kg rice & reserves on-chain",
	}
	nonce, _, err := MineGenesis(g)
	if err != nil {
		t.Fatal(err)
	}
	g.Nonce = nonce
	p.SetGenesis(g)
	return p
}

func TestExampleFile(t *testing.T) {
	p := exampleParams(t)
	got, err := p.MarshalFile()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(examplePath, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("MarshalFile differs from %s (-want +got):\n%s", examplePath, cmp.Diff(string(want), string(got)))
	}
	back, err := ParseFile(want)
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	if d := cmp.Diff(p, back, paramsCmp...); d != "" {
		t.Fatalf("round trip (-want +got):\n%s", d)
	}
}

// exampleMap returns the example file as a generic JSON object to mutate.
func exampleMap(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func marshal(t *testing.T, m map[string]any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseFileRejects(t *testing.T) {
	genesis := func(m map[string]any) map[string]any { return m["genesis"].(map[string]any) }
	set := func(key string, v any) func(map[string]any) { return func(m map[string]any) { m[key] = v } }
	setG := func(key string, v any) func(map[string]any) { return func(m map[string]any) { genesis(m)[key] = v } }
	tests := []struct {
		name   string
		edit   func(map[string]any)
		kind   ErrorKind
		substr string
	}{
		{"unknown field", set("difficulty", 1), ErrMalformedFile, `unknown field "difficulty"`},
		{"unknown genesis field", setG("merkle_root", "00"), ErrMalformedFile, `unknown field "merkle_root"`},
		{"missing hrp", func(m map[string]any) { delete(m, "hrp") }, ErrMalformedFile, "hrp: missing"},
		{"null hrp", set("hrp", nil), ErrMalformedFile, "hrp: missing"},
		{"missing genesis", func(m map[string]any) { delete(m, "genesis") }, ErrMalformedFile, "genesis: missing"},
		{"missing nonce", func(m map[string]any) { delete(genesis(m), "nonce") }, ErrMalformedFile, "genesis.nonce: missing"},
		{"missing hash", func(m map[string]any) { delete(genesis(m), "hash") }, ErrMalformedFile, "genesis.hash: missing"},
		{"missing message", func(m map[string]any) { delete(genesis(m), "message") }, ErrMalformedFile, "genesis.message: missing"},
		{"port as string", set("p2p_port", "29633"), ErrMalformedFile, "p2p_port: got JSON string, want an integer"},
		{"fractional spacing", set("target_spacing", json.Number("600.5")), ErrMalformedFile, "target_spacing"},
		{"huge money", set("max_money", json.Number("1e30")), ErrMalformedFile, "max_money"},
		{"seed not a list", set("seed_addrs", "a:1"), ErrMalformedFile, "seed_addrs"},
		{"uppercase hrp", set("hrp", "Rice"), ErrInvalidField, "uppercase"},
		{"long hrp", set("hrp", strings.Repeat("r", 31)), ErrInvalidField, "at most 30"},
		{"empty hrp", set("hrp", ""), ErrInvalidField, "empty prefix"},
		{"mainnet hrp", set("hrp", "bal"), ErrReserved, "mainnet"},
		{"regtest name", set("name", "regtest"), ErrReserved, "built-in"},
		{"bad name", set("name", "Rice Coin"), ErrInvalidField, "name"},
		{"mainnet magic", set("magic", "f8b4a1d5"), ErrReserved, "mainnet"},
		{"testnet magic uppercase", set("magic", "FBC4E5A3"), ErrReserved, "testnet"},
		{"short magic", set("magic", "f8b4a1"), ErrInvalidField, "magic"},
		{"non-hex magic", set("magic", "zzzzzzzz"), ErrInvalidField, "magic"},
		{"zero magic", set("magic", "00000000"), ErrInvalidField, "all zero"},
		{"zero port", set("p2p_port", 0), ErrInvalidField, "p2p_port: zero"},
		{"port too big", set("rpc_port", 70000), ErrInvalidField, "rpc_port"},
		{"negative port", set("rpc_port", -1), ErrInvalidField, "rpc_port"},
		{"same ports", set("rpc_port", 29633), ErrInconsistent, "also the P2P port"},
		{"zero bits", set("pow_limit_bits", "00000000"), ErrInvalidField, "zero target"},
		{"negative bits", set("pow_limit_bits", "04923456"), ErrInvalidField, "sign bit"},
		{"overflow bits", set("pow_limit_bits", "22000100"), ErrInvalidField, "2^256"},
		{"non-normal bits", set("pow_limit_bits", "04000001"), ErrInvalidField, "write 02010000"},
		{"0x bits", set("pow_limit_bits", "0x1f00ffff"), ErrInvalidField, "8 hex digits"},
		{"zero spacing", set("target_spacing", 0), ErrInvalidField, "target_spacing"},
		{"spacing in ms", set("target_spacing", 600000), ErrInvalidField, "target_spacing"},
		{"zero half-life", set("asert_half_life", 0), ErrInvalidField, "asert_half_life"},
		{"zero subsidy", set("initial_subsidy", 0), ErrInvalidField, "initial_subsidy"},
		{"zero halving", set("subsidy_halving_interval", 0), ErrInvalidField, "subsidy_halving_interval"},
		{"halving beyond int32", set("subsidy_halving_interval", 1<<31), ErrInvalidField, "subsidy_halving_interval"},
		{"money below issuance", set("max_money", 1000), ErrInconsistent, "can issue"},
		{"zero maturity", set("coinbase_maturity", 0), ErrInvalidField, "coinbase_maturity"},
		{"seed without port", set("seed_addrs", []string{"seed.example.org"}), ErrInvalidField, "seed_addrs[0]"},
		{"seed empty host", set("seed_addrs", []string{":29633"}), ErrInvalidField, "empty host"},
		{"seed port zero", set("seed_addrs", []string{"a:0"}), ErrInvalidField, "1 to 65535"},
		{"too many seeds", set("seed_addrs", make([]string, 257)), ErrInvalidField, "at most 256"},
		{"long message", setG("message", strings.Repeat("m", 97)), ErrInvalidField, "97 bytes"},
		{"control in message", setG("message", "a\nb"), ErrInvalidField, "control"},
		{"zero version", setG("version", 0), ErrInvalidField, "genesis.version"},
		{"negative time", setG("timestamp", -1), ErrInvalidField, "genesis.timestamp"},
		{"nonce beyond 32 bits", setG("nonce", 1<<32), ErrInvalidField, "genesis.nonce"},
		{"bad hash", setG("hash", "xyz"), ErrInvalidField, "64 hex digits"},
		{"edited message", setG("message", "Ricecoin genesis, edited"), ErrGenesisMismatch, "hashes to"},
		{"wrong hash", setG("hash", strings.Repeat("0", 64)), ErrGenesisMismatch, "states 0000"},
		{"edited timestamp", setG("timestamp", 1767225601), ErrGenesisMismatch, "hashes to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := exampleMap(t)
			tt.edit(m)
			p, err := ParseFile(marshal(t, m))
			if !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.substr) {
				t.Fatalf("ParseFile = %v, %v; want %s containing %q", p, err, tt.kind, tt.substr)
			}
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("%v is not a *RuleError", err)
			}
		})
	}
}

// TestParseFileBadPoW states a nonce that misses the target, with the hash
// it does produce: the file is self-consistent but carries no work.
func TestParseFileBadPoW(t *testing.T) {
	p := exampleParams(t)
	g := p.Genesis
	for g.Nonce++; ; g.Nonce++ {
		if _, err := checkGenesisPoW(g); err != nil {
			break
		}
	}
	m := exampleMap(t)
	gm := m["genesis"].(map[string]any)
	gm["nonce"] = g.Nonce
	gm["hash"] = NewGenesisBlock(g).BlockHash().String()
	if _, err := ParseFile(marshal(t, m)); !errors.Is(err, ErrGenesisPoW) {
		t.Fatalf("got %v, want ErrGenesisPoW", err)
	}
}

func TestParseFileText(t *testing.T) {
	valid, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		data   string
		substr string
	}{
		{"empty", "", "empty file"},
		{"array", "[]", "want an object"},
		{"truncated", string(valid[:len(valid)/2]), "unexpected end"},
		{"syntax error", "{\n  \"name\": \"x\",\n  \"hrp\" \"x\"\n}", "line 3, column"},
		{"trailing data", string(valid) + "{}", "data after the JSON object"},
		{"duplicate key", strings.Replace(string(valid), `"name": "ricecoin",`, `"name": "ricecoin", "name": "other",`, 1), `"name" appears twice`},
		{"duplicate genesis key", strings.Replace(string(valid), `"version": 1,`, `"version": 1, "version": 2,`, 1), `"version" appears twice`},
		{"too large", string(valid) + strings.Repeat(" ", MaxFileSize), "at most 65536"},
		{"trailing comment", strings.Replace(string(valid), `"ricecoin",`, `"ricecoin", // mine`, 1), "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFile([]byte(tt.data))
			if !errors.Is(err, ErrMalformedFile) || !strings.Contains(err.Error(), tt.substr) {
				t.Fatalf("got %v, want ErrMalformedFile containing %q", err, tt.substr)
			}
		})
	}
}

func TestParseFileComments(t *testing.T) {
	valid, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("// A Ricecoin network file.\n")
	for _, line := range strings.SplitAfter(string(valid), "\n") {
		b.WriteString("  // about the next line: http://example.org/\n")
		b.WriteString(line)
	}
	if _, err := ParseFile([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
}

// TestParseFileAllErrors checks that independent problems are all reported.
func TestParseFileAllErrors(t *testing.T) {
	m := exampleMap(t)
	m["hrp"] = "RICE"
	m["p2p_port"] = 0
	m["coinbase_maturity"] = 0
	_, err := ParseFile(marshal(t, m))
	for _, s := range []string{"hrp", "p2p_port", "coinbase_maturity"} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("error %v does not mention %s", err, s)
		}
	}
}

func TestParseSpec(t *testing.T) {
	m := exampleMap(t)
	g := m["genesis"].(map[string]any)
	delete(g, "nonce")
	delete(g, "hash")
	delete(g, "version") // defaults to 1
	delete(m, "seed_addrs")
	delete(m, "pow_no_retargeting")
	spec := marshal(t, m)
	if _, err := ParseFile(spec); !errors.Is(err, ErrMalformedFile) {
		t.Fatalf("ParseFile of a spec: %v, want ErrMalformedFile", err)
	}
	p, err := ParseSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	if p.GenesisBlock != nil || !p.GenesisHash.IsZero() || p.Genesis.Nonce != 0 || p.Genesis.Version != 1 {
		t.Fatalf("ParseSpec left genesis %+v %v %s", p.Genesis, p.GenesisBlock, p.GenesisHash)
	}
	nonce, hash, err := MineGenesis(p.Genesis)
	if err != nil {
		t.Fatal(err)
	}
	p.Genesis.Nonce = nonce
	p.SetGenesis(p.Genesis)
	if p.GenesisHash != hash {
		t.Fatalf("SetGenesis hash %s, mined %s", p.GenesisHash, hash)
	}
	want := exampleParams(t)
	want.SeedAddrs = nil
	if d := cmp.Diff(want, p, paramsCmp...); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	// A complete file is a valid spec too.
	full, _ := os.ReadFile(examplePath)
	if _, err := ParseSpec(full); err != nil {
		t.Fatal(err)
	}
	// A spec is checked like a file.
	m["hrp"] = "tbal"
	if _, err := ParseSpec(marshal(t, m)); !errors.Is(err, ErrReserved) {
		t.Fatalf("got %v, want ErrReserved", err)
	}
}

func TestMarshalBuiltin(t *testing.T) {
	for _, p := range builtins() {
		b, err := p.MarshalFile()
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		if _, err := ParseFile(b); !errors.Is(err, ErrReserved) {
			t.Errorf("%s: ParseFile = %v, want ErrReserved", p.Name, err)
		}
		// With its identity changed, the same file is a valid network.
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		m["name"], m["hrp"], m["magic"] = "copy", "copy", "0102abcd"
		c, err := ParseFile(marshal(t, m))
		if err != nil {
			t.Fatalf("%s copy: %v", p.Name, err)
		}
		if c.GenesisHash != p.GenesisHash || c.PowNoRetargeting != p.PowNoRetargeting {
			t.Errorf("%s copy: genesis %s, no-retarget %v", p.Name, c.GenesisHash, c.PowNoRetargeting)
		}
	}
}

func TestMarshalInvalid(t *testing.T) {
	p := exampleParams(t)
	p.CoinbaseMaturity = 0
	if _, err := p.MarshalFile(); !errors.Is(err, ErrInvalidField) {
		t.Fatalf("got %v, want ErrInvalidField", err)
	}
}

func FuzzParseFile(f *testing.F) {
	valid, err := os.ReadFile(examplePath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add([]byte("{}"))
	f.Add([]byte(`{"genesis":{}}`))
	f.Add([]byte("// c\n{\"name\": 1}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseFile(data)
		if err != nil {
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		out, err := p.MarshalFile()
		if err != nil {
			t.Fatalf("accepted file does not marshal: %v", err)
		}
		back, err := ParseFile(out)
		if err != nil {
			t.Fatalf("marshalled file does not parse: %v", err)
		}
		if d := cmp.Diff(p, back, paramsCmp...); d != "" {
			t.Fatalf("round trip (-first +second):\n%s", d)
		}
	})
}
