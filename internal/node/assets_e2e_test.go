package node_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/rpc"
)

// TestAssetsEndToEnd runs the real binary through an asset's life over
// RPC: issue, reissue, a 2-of-3 attestation signed apart, coverage, a
// redemption changing it, and the attacks (1-of-3, replay, reissue
// without the issuer's key) rejected without changing anything.
func TestAssetsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	base := t.TempDir()
	rpcAddr := freePort(t)
	n := startNode(t, bin, base, rpcAddr)
	n.call("createwallet", "issuer")
	addr := unquote(t, n.call("getnewaddress"))
	n.call("generatetoaddress", 101, addr)
	mine := func() { n.call("generatetoaddress", 1, addr) }

	var auditors, privs []string
	for _, s := range []string{"a", "b", "c"} {
		k := chaingen.KeyFromSeed("auditor-" + s)
		x := chaingen.XOnly(k)
		auditors = append(auditors, "key("+hex.EncodeToString(x[:])+")")
		privs = append(privs, hex.EncodeToString(k.Serialize()))
	}
	contract := map[string]any{"name": "Basket", "ticker": "BSK", "decimals": 2,
		"basket": []map[string]string{{"good": "rice", "unit": "kg", "quantity": "0.5"},
			{"good": "fuel", "unit": "l", "quantity": "0.2"}, {"good": "gold", "unit": "g", "quantity": "1"}},
		"auditors": "thresh(2," + strings.Join(auditors, ",") + ")"}
	var issued struct{ TxID, Asset string }
	json.Unmarshal(n.call("issueasset", contract, 100_000), &issued)
	mine()
	info := func() map[string]any {
		var m map[string]any
		json.Unmarshal(n.call("getassetinfo", issued.Asset), &m)
		return m
	}
	if got := info()["supply"]; got != 100_000.0 {
		t.Fatalf("supply after issue: %v", got)
	}
	n.call("reissueasset", issued.Asset, 50_000)
	mine()
	if got := info()["supply"]; got != 150_000.0 {
		t.Fatalf("supply after reissue: %v", got)
	}

	// Reissue from a wallet without the issuer key: refused, nothing changes.
	n.call("createwallet", "other")
	cookie := rpc.CookiePath(rpc.DataDir(base, "regtest"))
	other, err := rpc.NewCookieClient("http://"+rpcAddr+"/wallet/other", cookie)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Call(context.Background(), "reissueasset", []any{issued.Asset, 1}); err == nil {
		t.Fatal("reissue without the issuer key accepted")
	}
	// Two wallets are loaded now: address the issuer's by path.
	if n.client, err = rpc.NewCookieClient("http://"+rpcAddr+"/wallet/issuer", cookie); err != nil {
		t.Fatal(err)
	}
	if got := info()["supply"]; got != 150_000.0 {
		t.Fatalf("a refused reissue changed the supply: %v", got)
	}

	// 1,500 units need 750 kg rice, 300 l fuel, 1,500 g gold.
	doc := strings.Repeat("ab", 32)
	pkt := unquote(t, n.call("createattestation", issued.Asset, 1_700_000_000, doc,
		map[string]string{"rice": "750", "fuel": "300", "gold": "1500"}))
	var signed struct {
		Hex      string
		Complete bool
	}
	json.Unmarshal(n.call("signattestation", pkt, []string{privs[0]}), &signed)
	if signed.Complete {
		t.Fatal("1 of 3 reported complete")
	}
	if err := n.callErr("submitattestation", signed.Hex); err == nil {
		t.Fatal("attestation signed by 1 of 3 accepted")
	}
	json.Unmarshal(n.call("signattestation", signed.Hex, []string{privs[2]}), &signed)
	if !signed.Complete {
		t.Fatal("2 of 3 not complete")
	}
	n.call("submitattestation", signed.Hex)
	mine()
	reserves := func() map[string]any {
		var m map[string]any
		json.Unmarshal(n.call("getreserves", issued.Asset), &m)
		return m
	}
	r := reserves()
	if r["coverage"] != "1.00000000" || r["underbacked"] != false {
		t.Fatalf("reserves after attestation: %v", r)
	}
	// Replaying the same attestation is stale.
	if err := n.callErr("submitattestation", signed.Hex); err == nil || !strings.Contains(err.Error(), "stale") {
		t.Fatalf("replayed attestation: %v", err)
	}
	// Redeem 300.00 units: supply 1,200, coverage 1.25.
	n.call("redeemasset", issued.Asset, 30_000, "delivery-1")
	mine()
	r = reserves()
	if r["coverage"] != "1.25000000" || r["supply"] != "1200.00" {
		t.Fatalf("reserves after redemption: %v", r)
	}
	m := info()
	if m["redeemed"] != 30_000.0 || m["attestations"] != 1.0 {
		t.Fatalf("info after redemption: %v", m)
	}
	var hist []map[string]any
	json.Unmarshal(n.call("getassethistory", issued.Asset), &hist)
	var kinds []string
	for _, e := range hist {
		kinds = append(kinds, fmt.Sprint(e["kind"]))
	}
	if strings.Join(kinds, ",") != "issue,reissue,attest,redeem" {
		t.Fatalf("history %v", kinds)
	}
}
