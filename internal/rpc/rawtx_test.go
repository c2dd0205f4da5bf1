package rpc

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wire"
)

func testAddress(t testing.TB, seed string) string {
	t.Helper()
	a, err := address.Encode(params.Regtest().Bech32HRP, chaingen.KeyLock(chaingen.KeyFromSeed(seed)))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDecodeRawTransaction(t *testing.T) {
	ts := startServer(t, Config{})
	tx := goldenTx()
	raw := hex.EncodeToString(tx.Bytes())
	got := ts.mustCall(t, "decoderawtransaction", raw)
	if want := AppendTxJSON(nil, tx, &TxOptions{HRP: "rbal"}); string(got) != string(want) {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if again := ts.mustCall(t, "decoderawtransaction", raw, true); string(again) != string(got) {
		t.Error("iswitness changed the result")
	}
	for _, bad := range []string{"", "zz", "0", "00", raw[:len(raw)-2], raw + "00"} {
		_, e := ts.call(t, "decoderawtransaction", bad)
		wantError(t, e, CodeDeserialization, "TX decode failed")
	}
	_, e := ts.call(t, "decoderawtransaction", 5)
	wantError(t, e, CodeType, "Wrong type passed")
}

func TestCreateRawTransaction(t *testing.T) {
	ts := startServer(t, Config{})
	addr1, addr2 := testAddress(t, "one"), testAddress(t, "two")
	txid := strings.Repeat("ab", 32)
	asset := strings.Repeat("01", 32)
	decodeHex := func(raw json.RawMessage) *wire.Tx {
		t.Helper()
		var s string
		decode(t, raw, &s)
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := wire.DecodeTx(b)
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	in := []map[string]any{{"txid": txid, "vout": 1}, {"txid": txid, "vout": 2, "sequence": 5}}

	tx := decodeHex(ts.mustCall(t, "createrawtransaction", in, json.RawMessage(`[{"`+addr1+`":0.1},{"`+addr2+`":"21000000"},{"data":"cafe"},{"asset":"`+asset+`","address":"`+addr1+`","amount":"7.5"}]`)))
	if tx.Version != 2 || tx.LockTime != 0 || len(tx.TxIn) != 2 || len(tx.TxOut) != 4 || tx.HasWitness() {
		t.Fatalf("tx %+v", tx)
	}
	if tx.TxIn[0].PrevOut.Index != 1 || tx.TxIn[0].PrevOut.Hash.String() != txid || tx.TxIn[0].Sequence != 0xffffffff || tx.TxIn[1].Sequence != 5 {
		t.Errorf("inputs %+v", tx.TxIn)
	}
	lock1, _ := address.Decode(addr1, "rbal")
	if o := tx.TxOut[0]; o.Value != 10_000_000 || !o.Lock.Equal(lock1) || !o.Asset.IsNative() {
		t.Errorf("output 0 %+v", o)
	}
	if o := tx.TxOut[1]; o.Value != 2_100_000_000_000_000 {
		t.Errorf("output 1 %+v", o)
	}
	if o := tx.TxOut[2]; o.Lock.Kind != wire.LockBurn || hex.EncodeToString(o.Lock.Data) != "cafe" || o.Value != 0 {
		t.Errorf("output 2 %+v", o)
	}
	if o := tx.TxOut[3]; o.Asset.String() != asset || o.Value != 750_000_000 || !o.Lock.Equal(lock1) {
		t.Errorf("output 3 %+v", o)
	}

	// The object form, a lock time (non-final sequences) and replaceable.
	tx = decodeHex(ts.mustCall(t, "createrawtransaction", in[:1], map[string]any{addr1: 1}, 100))
	if tx.LockTime != 100 || tx.TxIn[0].Sequence != 0xfffffffe || tx.TxOut[0].Value != params.Coin {
		t.Errorf("locktime tx %+v", tx)
	}
	tx = decodeHex(ts.mustCall(t, "createrawtransaction", in[:1], map[string]any{addr1: 1}, 0, true))
	if tx.TxIn[0].Sequence != 0xfffffffd {
		t.Errorf("replaceable sequence %x", tx.TxIn[0].Sequence)
	}
	named := ts.mustCall(t, "createrawtransaction", json.RawMessage(`{"outputs":{"`+addr1+`":1},"inputs":[{"txid":"`+txid+`","vout":1}],"replaceable":true}`))
	if positional := ts.mustCall(t, "createrawtransaction", in[:1], map[string]any{addr1: 1}, nil, true); string(named) != string(positional) {
		t.Errorf("named %s, positional %s", named, positional)
	}

	for _, c := range []struct {
		inputs, outputs string
		extra           []any
		code            Code
		msg             string
	}{
		{`[{"vout":1}]`, `{}`, nil, CodeInvalidParameter, "txid must be of length 64 (not 0, for '')"},
		{`[{"txid":"zz","vout":1}]`, `{}`, nil, CodeInvalidParameter, "txid must be of length 64"},
		{`[{"txid":"` + strings.Repeat("g", 64) + `","vout":1}]`, `{}`, nil, CodeInvalidParameter, "txid must be hexadecimal string"},
		{`[{"txid":"` + txid + `"}]`, `{}`, nil, CodeInvalidParameter, "Invalid parameter, missing vout key"},
		{`[{"txid":"` + txid + `","vout":"1"}]`, `{}`, nil, CodeInvalidParameter, "Invalid parameter, vout must be a number"},
		{`[{"txid":"` + txid + `","vout":-1}]`, `{}`, nil, CodeInvalidParameter, "Invalid parameter, vout cannot be negative"},
		{`[{"txid":"` + txid + `","vout":0,"sequence":4294967296}]`, `{}`, nil, CodeInvalidParameter, "Invalid parameter, sequence number is out of range"},
		{`[1]`, `{}`, nil, CodeInvalidParameter, "Invalid parameter, input must be an object"},
		{`[]`, `{"` + addr1 + `":1}`, []any{-1}, CodeInvalidParameter, "Invalid parameter, locktime out of range"},
		{`[]`, `{"` + addr1 + `":1}`, []any{4294967296}, CodeInvalidParameter, "Invalid parameter, locktime out of range"},
		{`[]`, `{"bal1qqqq":1}`, nil, CodeInvalidAddressOrKey, "Invalid Ballast address: bal1qqqq"},
		{`[]`, `{"` + addr1 + `":-1}`, nil, CodeType, "Amount out of range"},
		{`[]`, `{"` + addr1 + `":21000000.00000001}`, nil, CodeType, "Amount out of range"},
		{`[]`, `{"` + addr1 + `":0.000000001}`, nil, CodeType, "Invalid amount"},
		{`[]`, `[{"` + addr1 + `":1},{"` + addr1 + `":2}]`, nil, CodeInvalidParameter, "Invalid parameter, duplicated address: " + addr1},
		{`[]`, `[{"data":"00"},{"data":"01"}]`, nil, CodeInvalidParameter, "Invalid parameter, duplicate key: data"},
		{`[]`, `[{"data":"zz"}]`, nil, CodeInvalidParameter, "Data must be hexadecimal string (not 'zz')"},
		{`[]`, `[{"data":"` + strings.Repeat("00", 81) + `"}]`, nil, CodeInvalidParameter, "Invalid parameter, data is 81 bytes, at most 80"},
		{`[]`, `[{"` + addr1 + `":1,"` + addr2 + `":1}]`, nil, CodeInvalidParameter, "Invalid parameter, key-value pair must contain exactly one key"},
		{`[]`, `[5]`, nil, CodeInvalidParameter, "Invalid parameter, key-value pair not an object as expected"},
		{`[]`, `[{"asset":"` + asset + `","address":"` + addr1 + `"}]`, nil, CodeInvalidParameter, "Invalid parameter, an asset output needs asset, address and amount"},
		{`[]`, `[{"asset":"xx","address":"` + addr1 + `","amount":1}]`, nil, CodeInvalidParameter, "asset must be of length 64"},
		{`[]`, `[{"asset":"` + asset + `","address":"` + addr1 + `","amount":1,"memo":1}]`, nil, CodeInvalidParameter, "Invalid parameter, unexpected key memo"},
		{`[]`, `[{"asset":"` + asset + `","address":"` + addr1 + `","amount":1},{"asset":"` + asset + `","address":"` + addr1 + `","amount":2}]`, nil, CodeInvalidParameter, "Invalid parameter, duplicated address"},
		{`[]`, `[{"asset":"` + asset + `","address":"` + addr1 + `","amount":10000000001}]`, nil, CodeType, "Amount out of range"},
		{`{}`, `{}`, nil, CodeType, "Wrong type passed"},
	} {
		ps := append([]any{json.RawMessage(c.inputs), json.RawMessage(c.outputs)}, c.extra...)
		_, e := ts.call(t, "createrawtransaction", ps...)
		wantError(t, e, c.code, c.msg)
	}
	// An issued asset may carry up to 10^18 base units, more than MaxMoney;
	// the same address may receive the native coin and an asset.
	ts.mustCall(t, "createrawtransaction", json.RawMessage(`[]`), json.RawMessage(`[{"`+addr1+`":1},{"asset":"`+asset+`","address":"`+addr1+`","amount":10000000000}]`))
}

func TestValidateAddress(t *testing.T) {
	ts := startServer(t, Config{})
	addr := testAddress(t, "v")
	var ok struct {
		IsValid  bool   `json:"isvalid"`
		Address  string `json:"address"`
		Lock     string `json:"lock"`
		LockType string `json:"lock_type"`
		Program  string `json:"program"`
	}
	decode(t, ts.mustCall(t, "validateaddress", strings.ToUpper(addr)), &ok)
	x := chaingen.XOnly(chaingen.KeyFromSeed("v"))
	if !ok.IsValid || ok.Address != addr || ok.LockType != "key" || ok.Program != hex.EncodeToString(x[:]) || ok.Lock != "01"+ok.Program {
		t.Errorf("valid: %+v", ok)
	}
	n, _ := policy.ParseText("and(after(100),older(144))")
	paddr, _ := address.Encode("rbal", wire.PolicyLock(n.Hash()))
	decode(t, ts.mustCall(t, "validateaddress", paddr), &ok)
	if !ok.IsValid || ok.LockType != "policy" || ok.Program != "ebafdd18523c006069ccd3de9687f5ab4fde3b8c6e38af71a691519554aa088c" {
		t.Errorf("policy: %+v", ok)
	}
	mainnet, _ := address.Encode("bal", chaingen.KeyLock(chaingen.KeyFromSeed("v")))
	for _, c := range []struct{ in, msg string }{
		{addr[:len(addr)-1] + "q", "checksum"},
		{mainnet, `address prefix \"bal\", want \"rbal\"`},
		{"hello", ""},
	} {
		raw := ts.mustCall(t, "validateaddress", c.in)
		if !strings.HasPrefix(string(raw), `{"isvalid":false,"error_locations":[],"error":"`) || !strings.Contains(string(raw), c.msg) {
			t.Errorf("%s: %s", c.in, raw)
		}
	}
}

func TestPolicyMethods(t *testing.T) {
	ts := startServer(t, Config{})
	var created, decoded policyResult
	decode(t, ts.mustCall(t, "createpolicy", "and(after(100),older(144))"), &created)
	want := policyResult{
		Policy: "and(after(100),older(144))", Hex: "030205640000000690000000",
		Hash: "ebafdd18523c006069ccd3de9687f5ab4fde3b8c6e38af71a691519554aa088c",
		Lock: "02ebafdd18523c006069ccd3de9687f5ab4fde3b8c6e38af71a691519554aa088c",
	}
	want.Address, _ = address.Encode("rbal", wire.PolicyLock(mustHash(t, want.Hash)))
	if created != want {
		t.Errorf("createpolicy %+v\nwant %+v", created, want)
	}
	decode(t, ts.mustCall(t, "decodepolicy", created.Hex), &decoded)
	if decoded != want {
		t.Errorf("decodepolicy %+v", decoded)
	}
	g := "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
	decode(t, ts.mustCall(t, "createpolicy", "or(key("+strings.ToUpper(g)+"),and(sha256("+strings.Repeat("0", 64)+"),after(500000)))"), &created)
	if created.Hash != "e2b3ce949426e8e94e5ec309842d5ddf4d3bd2425dd50d989663206bf46e9046" || !strings.Contains(created.Policy, g) {
		t.Errorf("protocol.md vector: %+v", created)
	}
	_, e := ts.call(t, "createpolicy", "and(after(100))")
	wantError(t, e, CodeInvalidParameter, "Invalid policy: ")
	_, e = ts.call(t, "createpolicy", "key(00)")
	wantError(t, e, CodeInvalidParameter, "Invalid policy: ")
	_, e = ts.call(t, "decodepolicy", "zz")
	wantError(t, e, CodeInvalidParameter, "hexstring must be hexadecimal string (not 'zz')")
	_, e = ts.call(t, "decodepolicy", "0302056400000006900000")
	wantError(t, e, CodeDeserialization, "Policy decode failed: ")
	_, e = ts.call(t, "decodepolicy", "03020564000000069000000000")
	wantError(t, e, CodeDeserialization, "Policy decode failed: ")
}

func mustHash(t testing.TB, s string) (h [32]byte) {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("hash %q", s)
	}
	copy(h[:], b)
	return h
}
