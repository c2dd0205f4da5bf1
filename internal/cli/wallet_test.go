package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wallet"
	"github.com/ballast-chain/ballast/internal/wallet/hd"
	"github.com/ballast-chain/ballast/internal/wallet/psbt"
	"github.com/ballast-chain/ballast/internal/wire"
)

func runWalletCmd(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := walletCommand().run(context.Background(), args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb})
	return out.String(), errb.String(), err
}

// `ballast wallet sign` signs with a mnemonic and no node; finalize then
// produces the transaction.
func TestWalletSignOffline(t *testing.T) {
	mn, err := hd.NewMnemonic(24)
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := runWalletCmd(t, mn.Reveal()+"\n", "xpub", "-network", "regtest")
	if err != nil || !strings.Contains(out, "tpub") {
		t.Fatalf("xpub: %v %s", err, out)
	}
	x, _, _ := wallet.AccountXpubs(mn, "", "regtest")
	k, _ := hd.ParseExtendedKey(x)
	k, _ = k.Derive(hd.Path{0, 3})
	tx := &wire.Tx{Version: 2, TxIn: []wire.TxIn{{PrevOut: wire.OutPoint{Hash: chainhash.Hash{7}}, Sequence: 0xfffffffd}},
		TxOut: []wire.TxOut{{Value: 90_000, Lock: wire.KeyLock(k.XOnly())}}}
	p, _ := psbt.New(tx, []wire.TxOut{{Value: 100_000, Lock: wire.KeyLock(k.XOnly())}})
	file := filepath.Join(t.TempDir(), "p.txt")
	os.WriteFile(file, []byte(p.Base64()), 0o600)
	out, stderr, err := runWalletCmd(t, mn.Reveal()+"\n", "sign", "-network", "regtest", "-in", file)
	if err != nil || !strings.Contains(stderr, "added 1 signature") {
		t.Fatalf("sign: %v %s", err, stderr)
	}
	if strings.Contains(out+stderr, mn.Reveal()) {
		t.Fatal("mnemonic echoed")
	}
	os.WriteFile(file, []byte(out), 0o600)
	out, _, err = runWalletCmd(t, "", "finalize", "-in", file)
	if err != nil || len(strings.TrimSpace(out)) < 100 {
		t.Fatalf("finalize: %v %s", err, out)
	}
	if _, _, err := runWalletCmd(t, "not a mnemonic\n", "sign", "-in", file); err == nil {
		t.Fatal("bad mnemonic accepted")
	}
}
