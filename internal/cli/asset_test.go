package cli

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/rpc"
)

// assetTestNode runs "ballast node" in-process on regtest with a funded
// wallet "issuer", and returns the connection flags and an RPC client.
func assetTestNode(t *testing.T) (conn []string, c *rpc.Client) {
	t.Helper()
	base := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var errb syncBuf
	go func() {
		done <- nodeCommand().run(ctx, []string{"-network", "regtest", "-datadir", base, "-rpcbind", addr,
			"-nonetwork", "-loglevel", "error"}, Env{Stdout: &errb, Stderr: &errb})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	cookie := rpc.CookiePath(rpc.DataDir(base, "regtest"))
	url := "http://" + addr + "/"
	for i := 0; ; i++ {
		if c, err = rpc.NewCookieClient(url, cookie); err == nil {
			if _, err = c.Call(context.Background(), "getblockcount", nil); err == nil {
				break
			}
		}
		if i > 500 {
			t.Fatalf("node did not start: %v\n%s", err, errb.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.URL = url + "wallet/issuer"
	mustCall(t, c, "createwallet", "issuer")
	var a string
	json.Unmarshal(mustCall(t, c, "getnewaddress"), &a)
	mustCall(t, c, "generatetoaddress", 101, a)
	return []string{"-network", "regtest", "-datadir", base, "-rpcurl", url}, c
}

func mustCall(t *testing.T, c *rpc.Client, method string, params ...any) json.RawMessage {
	t.Helper()
	if params == nil {
		params = []any{}
	}
	res, err := c.Call(context.Background(), method, params)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return res
}

// runAssetCLI runs "ballast asset args..." with Run's exit-code mapping.
func runAssetCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	err := assetCommand().run(context.Background(), args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0, out.String(), errb.String()
	case errors.Is(err, errUsage):
		code = 2
	default:
		code = 1
	}
	return code, out.String(), errb.String() + err.Error()
}

// writeAuditorKeys writes three auditor key files and returns them with
// their x-only public keys in hex.
func writeAuditorKeys(t *testing.T) (files, pubs []string) {
	dir := t.TempDir()
	for _, seed := range []string{"a", "b", "c"} {
		b := bytes.Repeat([]byte(seed), 32)
		k, _ := btcec.PrivKeyFromBytes(b)
		x := policy.XOnly(k)
		f := filepath.Join(dir, "auditor-"+seed+".key")
		if err := os.WriteFile(f, []byte(hex.EncodeToString(b)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		files, pubs = append(files, f), append(pubs, hex.EncodeToString(x[:]))
	}
	return files, pubs
}

// TestAssetCommand drives an asset's life through the CLI against a real
// node: issue from a contract file, info, a 2-of-3 attestation signed
// apart, reserves, redeem, history; and the refusals.
func TestAssetCommand(t *testing.T) {
	conn, c := assetTestNode(t)
	wconn := append(append([]string(nil), conn...), "-rpcwallet", "issuer")
	var mineTo string
	json.Unmarshal(mustCall(t, c, "getnewaddress"), &mineTo)
	mine := func() { t.Helper(); mustCall(t, c, "generatetoaddress", 1, mineTo) }
	run := func(sub string, args ...string) string {
		t.Helper()
		code, out, errs := runAssetCLI(append(append([]string{sub}, wconn...), args...)...)
		if code != 0 {
			t.Fatalf("asset %s %q: exit %d\n%s\n%s", sub, args, code, out, errs)
		}
		return out
	}
	fail := func(wantCode int, want string, sub string, args ...string) {
		t.Helper()
		code, out, errs := runAssetCLI(append(append([]string{sub}, wconn...), args...)...)
		if code != wantCode || !strings.Contains(errs, want) {
			t.Errorf("asset %s %q: exit %d, stderr %q, stdout %q; want %d and %q", sub, args, code, errs, out, wantCode, want)
		}
	}

	keys, pubs := writeAuditorKeys(t)
	dir := t.TempDir()
	contract := filepath.Join(dir, "basket.json")
	os.WriteFile(contract, []byte(`{"name":"Basket","ticker":"BSK","decimals":2,
	  "basket":[{"good":"rice","unit":"kg","quantity":"0.5"},{"good":"fuel","unit":"l","quantity":0.2},
	            {"good":"gold","unit":"g","quantity":"1"}],
	  "auditors":{"threshold":2,"keys":["`+strings.Join(pubs, `","`)+`"]}}`), 0o600)

	out := run("issue", "-contract", contract, "-amount", "1500")
	id := strings.Fields(out)[1]
	if len(id) != 64 || !strings.Contains(out, "issued 1500.00 BSK (150000 base units)") {
		t.Fatalf("issue: %s", out)
	}
	mine()
	out = run("info", "BSK") // by ticker
	for _, want := range []string{id, "1 BSK = 0.5 kg rice + 0.2 l fuel + 1 g gold", "supply        1500.00 BSK", "thresh(2,", "attestations  none"} {
		if !strings.Contains(out, want) {
			t.Errorf("info lacks %q:\n%s", want, out)
		}
	}
	if out = run("list"); !strings.Contains(out, "BSK") || !strings.Contains(out, "1500.00") {
		t.Errorf("list:\n%s", out)
	}

	// Auditor a signs apart (-no-submit prints the packet); one signature
	// is refused; auditor c's key file completes it and it is submitted.
	doc := filepath.Join(dir, "audit.pdf")
	os.WriteFile(doc, []byte("audit report"), 0o600)
	packet := strings.TrimSpace(run("attest", "-held", "rice=750", "-held", "fuel=300", "-held", "gold=1500",
		"-document", doc, "-time", "1700000000", "-key", keys[0], "-no-submit", id))
	fail(1, "insufficient signatures: 1 of 3 auditor signatures, 2 needed", "attest", "-packet", packet)
	stranger := filepath.Join(dir, "stranger.key")
	os.WriteFile(stranger, []byte(strings.Repeat("42", 32)), 0o600)
	fail(1, "is not one of the asset's auditors", "attest", "-packet", packet, "-key", stranger)
	out = run("attest", "-packet", packet, "-key", keys[2])
	if !strings.Contains(out, "signed by 2 of 3 auditor signatures") {
		t.Fatalf("attest: %s", out)
	}
	mine()
	out = run("reserves", id)
	if !strings.Contains(out, "BSK supply 1500.00; fully backed, coverage 1.00000000") || !strings.Contains(out, "rice  750.0 kg  750.0 kg") {
		t.Errorf("reserves:\n%s", out)
	}

	out = run("redeem", "-amount", "300", "-reference", "delivery-1", id)
	if !strings.Contains(out, "redeemed 300.00 BSK") {
		t.Errorf("redeem: %s", out)
	}
	mine()
	if out = run("reserves", id); !strings.Contains(out, "supply 1200.00; fully backed, coverage 1.25000000") {
		t.Errorf("reserves after redemption:\n%s", out)
	}
	out = run("history", id)
	var kinds []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		kinds = append(kinds, strings.Fields(line)[1])
	}
	if strings.Join(kinds, ",") != "issue,attest,redeem" || !strings.Contains(out, `reference "delivery-1"`) {
		t.Errorf("history:\n%s", out)
	}
	var info map[string]any
	json.Unmarshal([]byte(run("info", "-json", id)), &info)
	if info["supply"] != 120_000.0 || info["redeemed"] != 30_000.0 {
		t.Errorf("info -json: %v", info)
	}

	// Bad input.
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"name":"X","ticker":"X","basket":[{"good":"rice","unit":"kg","quantity":"0.5"}],"audtors":"key(00)"}`), 0o600)
	unknown := strings.Repeat("ab", 32)
	for _, c := range []struct {
		code int
		want string
		args []string
	}{
		{1, "unknown asset " + unknown, []string{"info", unknown}},
		{1, `unknown asset "NOPE"`, []string{"reserves", "NOPE"}},
		{1, "unknown asset " + unknown, []string{"attest", "-held", "rice=1", "-document-hash", unknown, unknown}},
		{1, `unknown field "audtors"`, []string{"issue", "-contract", bad, "-amount", "1"}},
		{1, "no such file", []string{"issue", "-contract", filepath.Join(dir, "missing.json"), "-amount", "1"}},
		{2, "threshold 4: want 1..3", []string{"issue", "-name", "X", "-ticker", "X", "-good", "rice:1:kg", "-amount", "1",
			"-auditor", pubs[0], "-auditor", pubs[1], "-auditor", pubs[2], "-threshold", "4"}},
		{2, "want NAME:QUANTITY:UNIT", []string{"issue", "-name", "X", "-ticker", "X", "-good", "rice", "-amount", "1", "-auditors", "key(" + pubs[0] + ")"}},
		{2, "ticker", []string{"issue", "-name", "X", "-ticker", "bsk", "-good", "rice:1:kg", "-amount", "1", "-auditors", "key(" + pubs[0] + ")"}},
		{2, `amount "1.234" has 3 decimals; the asset has 2`, []string{"burn", "-amount", "1.234", id}},
		{2, `amount "1e3": want a decimal number`, []string{"burn", "-amount", "1e3", id}},
		{2, "-amount must be positive", []string{"burn", "-amount", "0", id}},
		{2, "redeem needs -reference", []string{"redeem", "-amount", "1", id}},
		{2, "needs an ASSET", []string{"info"}},
		{2, "unknown asset command", []string{"mint"}},
		{2, `good "wheat" is not in the basket (0.5 kg rice`, []string{"attest", "-held", "wheat=1", "-document-hash", unknown, id}},
		{1, "does not sign this attestation", []string{"attest", "-packet", packet, "-sig", pubs[1] + ":" + strings.Repeat("00", 64)}},
		{1, "error code: -6", []string{"burn", "-amount", "999999", id}},
	} {
		code, out, errs := runAssetCLI(append(append([]string{c.args[0]}, wconn...), c.args[1:]...)...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("asset %q: exit %d, stderr %q, stdout %q; want %d and %q", c.args, code, errs, out, c.code, c.want)
		}
	}
}

func TestParseAmount(t *testing.T) {
	for _, c := range []struct {
		in   string
		dec  int
		want int64
		ok   bool
	}{
		{"12.5", 2, 1250, true}, {"0", 2, 0, true}, {"1", 0, 1, true}, {"0.01", 2, 1, true},
		{"1000000000000000000", 0, 1_000_000_000_000_000_000, true}, {"10000000000", 8, 1_000_000_000_000_000_000, true},
		{"1000000000000000001", 0, 0, false}, {"0.001", 2, 0, false}, {"-1", 2, 0, false}, {"1.", 2, 0, false},
		{".5", 2, 50, true}, {"", 2, 0, false}, {"1e2", 2, 0, false}, {"1,5", 2, 0, false}, {"+1", 2, 0, false},
		{"99999999999999999999999", 0, 0, false},
	} {
		got, err := parseAmount(c.in, c.dec)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseAmount(%q, %d) = %d, %v", c.in, c.dec, got, err)
		}
	}
}
