package walletrpc_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ballast-chain/ballast/internal/node"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/rpc"
	"github.com/ballast-chain/ballast/internal/wallet"
	"github.com/ballast-chain/ballast/internal/wallet/walletrpc"
)

// call runs a method handler directly with positional JSON params.
func call(t *testing.T, ms map[string]rpc.Method, uri, method string, params ...any) (any, *rpc.Error) {
	t.Helper()
	var ps []json.RawMessage
	for _, p := range params {
		b, _ := json.Marshal(p)
		ps = append(ps, b)
	}
	m, ok := ms[method]
	if !ok {
		t.Fatalf("no method %s", method)
	}
	v, err := m.Handler(context.Background(), &rpc.Request{Method: method, Params: ps, URI: uri})
	if err != nil {
		var re *rpc.Error
		if !errors.As(err, &re) {
			t.Fatalf("%s: non-RPC error %v", method, err)
		}
		return nil, re
	}
	return v, nil
}

func TestCoreErrorCodes(t *testing.T) {
	n, err := node.New(node.Config{Params: params.Regtest(), DataDir: t.TempDir(), RPCListen: []string{"127.0.0.1:0"},
		WalletConfig: node.WalletConfig{WalletKDF: wallet.KDF{Time: 1, Memory: 1024, Threads: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ms := map[string]rpc.Method{}
	for _, m := range walletrpc.Methods(n.Wallets) {
		ms[m.Name] = m
	}
	expect := func(re *rpc.Error, code rpc.Code, what string) {
		t.Helper()
		if re == nil || re.Code != code {
			t.Fatalf("%s: got %v, want code %d", what, re, code)
		}
	}
	_, re := call(t, ms, "/", "getbalance")
	expect(re, rpc.CodeWalletNotFound, "no wallet")
	v, re := call(t, ms, "/", "createwallet", "a", false, false, "pw")
	if re != nil || v.(map[string]any)["mnemonic"] == nil {
		t.Fatalf("createwallet: %v %v", v, re)
	}
	_, re = call(t, ms, "/", "createwallet", "a")
	expect(re, rpc.CodeWalletAlreadyExists, "create twice")
	_, re = call(t, ms, "/", "loadwallet", "a")
	expect(re, rpc.CodeWalletAlreadyLoaded, "load twice")
	_, re = call(t, ms, "/", "createwallet", "b")
	if re != nil {
		t.Fatal(re)
	}
	_, re = call(t, ms, "/", "getbalance")
	expect(re, rpc.CodeWalletNotSpecified, "two wallets")
	addr, re := call(t, ms, "/wallet/b", "getnewaddress")
	if re != nil {
		t.Fatal(re)
	}
	_, re = call(t, ms, "/wallet/a", "sendtoaddress", addr, "1")
	expect(re, rpc.CodeWalletUnlockNeeded, "locked")
	_, re = call(t, ms, "/wallet/a", "walletpassphrase", "nope", 60)
	expect(re, rpc.CodeWalletPassphraseWrong, "wrong passphrase")
	_, re = call(t, ms, "/wallet/a", "walletpassphrase", "pw", 60)
	if re != nil {
		t.Fatal(re)
	}
	_, re = call(t, ms, "/wallet/a", "sendtoaddress", addr, "1")
	expect(re, rpc.CodeWalletInsufficientFund, "insufficient")
	_, re = call(t, ms, "/wallet/b", "walletlock")
	expect(re, rpc.CodeWalletWrongEncState, "lock unencrypted")
	_, re = call(t, ms, "/wallet/zz", "getbalance")
	expect(re, rpc.CodeWalletNotFound, "unknown endpoint")
	info, re := call(t, ms, "/wallet/a", "getwalletinfo")
	if re != nil || info.(map[string]any)["unlocked_until"].(int64) == 0 {
		t.Fatalf("getwalletinfo %v %v", info, re)
	}
	b, _ := json.Marshal(info)
	if containsSecret(string(b)) {
		t.Fatal("secret in getwalletinfo")
	}
}

func containsSecret(s string) bool {
	return strings.Contains(s, "tprv") || strings.Contains(s, "mnemonic")
}
