package node_test

import (
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/node"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/rpc"
)

// walletClient is a client for the endpoint /wallet/<name> of n.
func walletClient(n *proc, name string) *proc {
	c := *n.client
	c.URL = strings.TrimRight(c.URL, "/") + "/wallet/" + name
	w := *n
	w.client = &c
	return &w
}

// wantCode checks that err is a JSON-RPC error with Core's code.
func wantCode(t *testing.T, err error, code rpc.Code, what string) {
	t.Helper()
	var re *rpc.Error
	if !errors.As(err, &re) || re.Code != code {
		t.Fatalf("%s: got %v, want error code %d", what, err, code)
	}
}

// cli runs `ballast rpc` against the node and returns its standard output.
func cli(t *testing.T, bin, base, rpcAddr string, args ...string) string {
	t.Helper()
	all := append([]string{"rpc", "-network", "regtest", "-datadir", base, "-rpcurl", "http://" + rpcAddr + "/"}, args...)
	out, err := exec.Command(bin, all...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("ballast %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
		}
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

type balances struct {
	Mine struct {
		Trusted          json.Number `json:"trusted"`
		UntrustedPending json.Number `json:"untrusted_pending"`
		Immature         json.Number `json:"immature"`
	} `json:"mine"`
}

func getBalances(t *testing.T, w *proc) balances {
	t.Helper()
	var b balances
	if err := json.Unmarshal(w.call("getbalances"), &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWalletEndToEnd runs the real binary with two wallets: mining to one,
// a payment to the other over its /wallet/NAME endpoint, encryption with
// Core's error codes and the unlock timeout, the `ballast rpc -rpcwallet`
// path with numeric arguments, message signing, and a restart that reloads
// both wallets with the same balances.
func TestWalletEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	base := t.TempDir()
	rpcAddr := freePort(t)
	n := startNode(t, bin, base, rpcAddr)

	n.call("createwallet", "alice")
	n.call("createwallet", "bob")
	alice, bob := walletClient(n, "alice"), walletClient(n, "bob")
	wantCode(t, n.callErr("getbalances"), rpc.CodeWalletNotSpecified, "two wallets on /")

	p := params.Regtest()
	elsewhere, _ := address.Encode(p.Bech32HRP, chaingen.KeyLock(chaingen.KeyFromSeed("elsewhere")))
	a := unquote(t, alice.call("getnewaddress"))
	n.call("generatetoaddress", 101, a)
	ab := getBalances(t, alice)
	if ab.Mine.Trusted.String() == "0.00000000" || ab.Mine.Immature.String() == "0.00000000" {
		t.Fatalf("alice after mining: %+v", ab.Mine)
	}

	b := unquote(t, bob.call("getnewaddress"))
	txid := unquote(t, alice.call("sendtoaddress", b, 10))
	if got := getBalances(t, bob).Mine.UntrustedPending.String(); got != "10.00000000" {
		t.Fatalf("bob's pending balance %s", got)
	}
	n.call("generatetoaddress", 1, elsewhere)
	if got := getBalances(t, bob).Mine.Trusted.String(); got != "10.00000000" {
		t.Fatalf("bob's balance after a block %s", got)
	}
	var tx struct {
		Confirmations int         `json:"confirmations"`
		Fee           json.Number `json:"fee"`
	}
	json.Unmarshal(alice.call("gettransaction", txid), &tx)
	if tx.Confirmations != 1 || !strings.HasPrefix(tx.Fee.String(), "-0.0") {
		t.Fatalf("gettransaction %+v", tx)
	}

	// ballast rpc -rpcwallet: numeric and boolean arguments reach the wallet
	// as JSON numbers and booleans.
	if got := cli(t, bin, base, rpcAddr, "-rpcwallet", "bob", "getbalance", "*", "1", "false"); got != "10.00000000" {
		t.Fatalf("ballast rpc getbalance * 1 = %q", got)
	}
	if got := cli(t, bin, base, rpcAddr, "-rpcwallet", "bob", "getbalance", "*", "2"); got != "0.00000000" {
		t.Fatalf("ballast rpc getbalance * 2 = %q", got)
	}
	if got := cli(t, bin, base, rpcAddr, "-rpcwallet", "bob", "-named", "getbalance", "minconf=1"); got != "10.00000000" {
		t.Fatalf("ballast rpc -named getbalance minconf=1 = %q", got)
	}
	var unspent []json.RawMessage
	json.Unmarshal([]byte(cli(t, bin, base, rpcAddr, "-rpcwallet", "bob", "listunspent", "1", "9999999")), &unspent)
	if len(unspent) != 1 {
		t.Fatalf("ballast rpc listunspent 1 9999999: %d outputs", len(unspent))
	}

	// Encryption, as Core: -15 in the wrong state, -13 locked, -14 wrong
	// passphrase; walletpassphrase's timeout relocks.
	wantCode(t, alice.callErr("walletlock"), rpc.CodeWalletWrongEncState, "walletlock on an unencrypted wallet")
	wantCode(t, bob.callErr("walletpassphrase", "pw", 60), rpc.CodeWalletWrongEncState, "walletpassphrase on an unencrypted wallet")
	bob.call("encryptwallet", "pw")
	wantCode(t, bob.callErr("encryptwallet", "pw"), rpc.CodeWalletWrongEncState, "encryptwallet twice")
	wantCode(t, bob.callErr("sendtoaddress", a, 1), rpc.CodeWalletUnlockNeeded, "send from a locked wallet")
	wantCode(t, bob.callErr("signmessage", b, "hi"), rpc.CodeWalletUnlockNeeded, "signmessage on a locked wallet")
	wantCode(t, bob.callErr("walletpassphrase", "wrong", 60), rpc.CodeWalletPassphraseWrong, "wrong passphrase")
	cli(t, bin, base, rpcAddr, "-rpcwallet", "bob", "walletpassphrase", "pw", "2")
	var info struct {
		UnlockedUntil int64 `json:"unlocked_until"`
	}
	json.Unmarshal(bob.call("getwalletinfo"), &info)
	if info.UnlockedUntil == 0 {
		t.Fatal("walletpassphrase did not unlock")
	}
	sig := unquote(t, bob.call("signmessage", b, "hi"))
	if got := string(n.call("verifymessage", b, sig, "hi")); got != "true" {
		t.Fatalf("verifymessage = %s", got)
	}
	if got := string(n.call("verifymessage", a, sig, "hi")); got != "false" {
		t.Fatalf("verifymessage with another address = %s", got)
	}
	time.Sleep(time.Until(time.Unix(info.UnlockedUntil, 0)) + 1100*time.Millisecond)
	wantCode(t, bob.callErr("sendtoaddress", a, 1), rpc.CodeWalletUnlockNeeded, "send after the timeout")
	bob.call("walletpassphrase", "pw", 60)
	bob.call("walletlock")
	wantCode(t, bob.callErr("sendtoaddress", a, 1), rpc.CodeWalletUnlockNeeded, "send after walletlock")

	// A restart loads both wallets from disk with the same balances; bob is
	// still encrypted and locked.
	before := map[string]string{"alice": string(alice.call("getbalances")), "bob": string(bob.call("getbalances"))}
	n.stop(syscall.SIGTERM)
	n = startNode(t, bin, base, rpcAddr, "-wallet", "alice", "-wallet", "bob")
	alice, bob = walletClient(n, "alice"), walletClient(n, "bob")
	for name, w := range map[string]*proc{"alice": alice, "bob": bob} {
		if got := string(w.call("getbalances")); got != before[name] {
			t.Errorf("%s after restart: %s, before: %s", name, got, before[name])
		}
	}
	wantCode(t, bob.callErr("sendtoaddress", a, 1), rpc.CodeWalletUnlockNeeded, "send after restart")
	bob.call("walletpassphrase", "pw", 60)
	bob.call("sendtoaddress", a, 1)
}

// TestClientConvertsEveryMethod checks `ballast rpc`'s conversion table
// against every method a fully wired node registers (wallet, mining, P2P):
// a method with numeric, boolean or JSON parameters that the client would
// send as strings fails here with the line to add to
// internal/rpc/convert_table.go.
func TestClientConvertsEveryMethod(t *testing.T) {
	n, err := node.New(node.Config{Params: params.Regtest(), DataDir: t.TempDir(), RPCListen: []string{"127.0.0.1:0"}})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if err := n.RPC.CheckClientParams(); err != nil {
		t.Error(err)
	}
}
