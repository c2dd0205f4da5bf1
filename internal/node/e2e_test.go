package node_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/rpc"
	"github.com/ballast-chain/ballast/internal/wire"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// buildBinary compiles the real ballast binary once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ballast-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "ballast")
		out, err := exec.Command("go", "build", "-tags", buildTags, "-o", binPath, "../../cmd/ballast").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	client *rpc.Client
	stderr *strings.Builder
}

// startNode runs `ballast node` on regtest and waits until RPC answers.
func startNode(t *testing.T, bin, base, rpcAddr string, extra ...string) *proc {
	t.Helper()
	args := append([]string{"node", "-network", "regtest", "-datadir", base, "-rpcbind", rpcAddr, "-txindex"}, extra...)
	cmd := exec.Command(bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, stderr: &stderr}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	cookie := rpc.CookiePath(rpc.DataDir(base, "regtest"))
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := rpc.NewCookieClient("http://"+rpcAddr+"/", cookie); err == nil {
			if _, err := c.Call(context.Background(), "getblockcount", nil); err == nil {
				p.client = c
				return p
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("node did not come up:\n%s", stderr.String())
	return nil
}

func (p *proc) call(method string, params ...any) json.RawMessage {
	p.t.Helper()
	if params == nil {
		params = []any{}
	}
	res, err := p.client.Call(context.Background(), method, params)
	if err != nil {
		p.t.Fatalf("%s: %v\nnode log:\n%s", method, err, p.stderr.String())
	}
	return res
}

func (p *proc) callErr(method string, params ...any) error {
	_, err := p.client.Call(context.Background(), method, params)
	return err
}

func (p *proc) stop(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			p.t.Fatalf("node exited with %v\n%s", err, p.stderr.String())
		}
	case <-time.After(30 * time.Second):
		p.t.Fatal("node did not stop")
	}
}

func unquote(t *testing.T, raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("not a string: %s", raw)
	}
	return s
}

// TestNodeEndToEnd runs the real binary: mining over RPC, a signed payment
// through sendrawtransaction into the mempool, mempool persistence across a
// graceful restart, confirmation, the transaction index, invalidate and
// reconsider returning the payment to the mempool, metrics, and stop.
func TestNodeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	base := t.TempDir()
	rpcAddr, metricsAddr := freePort(t), freePort(t)
	n := startNode(t, bin, base, rpcAddr, "-metrics", metricsAddr)

	p := params.Regtest()
	key := chaingen.KeyFromSeed("e2e")
	addr, _ := address.Encode(p.Bech32HRP, chaingen.KeyLock(key))
	var hashes []string
	json.Unmarshal(n.call("generatetoaddress", 101, addr), &hashes)
	if len(hashes) != 101 {
		t.Fatalf("generatetoaddress returned %d hashes", len(hashes))
	}
	if got := string(n.call("getblockcount")); got != "101" {
		t.Fatalf("getblockcount %s", got)
	}

	// Spend block 1's coinbase with a signature made here.
	raw, _ := hex.DecodeString(unquote(t, n.call("getblock", hashes[0], 0)))
	blk, err := wire.DecodeBlock(raw)
	if err != nil {
		t.Fatal(err)
	}
	cb := blk.Transactions[0]
	out := &chaingen.SpendableOut{OutPoint: wire.OutPoint{Hash: cb.TxHash()}, Out: cb.TxOut[0], Height: 1, Coinbase: true}
	g := chaingen.NewGenerator(p, "unused")
	g.Key = key
	pay := g.SpendTx([]*chaingen.SpendableOut{out}, 2, 10_000)
	txid := unquote(t, n.call("sendrawtransaction", hex.EncodeToString(pay.Bytes())))
	if txid != pay.TxHash().String() {
		t.Fatalf("sendrawtransaction returned %s", txid)
	}
	var entry struct {
		VSize int64 `json:"vsize"`
		Fees  struct {
			Base json.Number `json:"base"`
		} `json:"fees"`
	}
	json.Unmarshal(n.call("getmempoolentry", txid), &entry)
	if entry.Fees.Base.String() != "0.00010000" {
		t.Fatalf("mempool entry fee %s", entry.Fees.Base)
	}
	// A conflicting spend paying less cannot replace it (full RBF rules).
	dbl := g.SpendTx([]*chaingen.SpendableOut{out}, 1, 5_000)
	var verdict []struct {
		Allowed bool   `json:"allowed"`
		Reason  string `json:"reject-reason"`
	}
	json.Unmarshal(n.call("testmempoolaccept", []string{hex.EncodeToString(dbl.Bytes())}), &verdict)
	if len(verdict) != 1 || verdict[0].Allowed || verdict[0].Reason != "insufficient fee" {
		t.Fatalf("double spend verdict %+v", verdict)
	}

	// Graceful restart keeps the mempool.
	n.stop(syscall.SIGTERM)
	n = startNode(t, bin, base, rpcAddr, "-metrics", metricsAddr)
	if !strings.Contains(string(n.call("getrawmempool")), txid) {
		t.Fatalf("mempool lost across restart: %s", n.call("getrawmempool"))
	}

	// Mining confirms it; the transaction index finds it.
	json.Unmarshal(n.call("generatetoaddress", 1, addr), &hashes)
	var got struct {
		Confirmations int    `json:"confirmations"`
		BlockHash     string `json:"blockhash"`
	}
	json.Unmarshal(n.call("getrawtransaction", txid, true), &got)
	if got.Confirmations != 1 || got.BlockHash != hashes[0] {
		t.Fatalf("getrawtransaction after mining: %+v", got)
	}
	if s := string(n.call("getrawmempool")); s != "[]" {
		t.Fatalf("mempool after mining: %s", s)
	}

	// Invalidating the block returns the payment to the mempool.
	n.call("invalidateblock", hashes[0])
	if string(n.call("getblockcount")) != "101" || !strings.Contains(string(n.call("getrawmempool")), txid) {
		t.Fatal("invalidateblock did not roll back the block and restore its transaction")
	}
	n.call("reconsiderblock", hashes[0])
	if unquote(t, n.call("getbestblockhash")) != hashes[0] {
		t.Fatal("reconsiderblock did not restore the tip")
	}
	if err := n.callErr("getblock", strings.Repeat("00", 32)); err == nil || !strings.Contains(err.Error(), "Block not found") {
		t.Fatalf("unknown block: %v", err)
	}

	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "ballast_chain_height 102") {
		t.Fatalf("metrics:\n%s", body)
	}

	// "stop" over RPC shuts the node down cleanly and removes the cookie.
	n.call("stop")
	done := make(chan error, 1)
	go func() { done <- n.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after stop: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("node did not stop after the stop RPC")
	}
	if _, err := os.Stat(rpc.CookiePath(rpc.DataDir(base, "regtest"))); !os.IsNotExist(err) {
		t.Fatalf("cookie left behind: %v", err)
	}
}

// TestDevnet runs the README's main command for real: it must mine past
// coinbase maturity, keep mining on its interval, answer RPC with the cookie
// it prints, and stop cleanly on SIGINT.
func TestDevnet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	base := t.TempDir()
	rpcAddr := freePort(t)
	cmd := exec.Command(bin, "devnet", "-datadir", base, "-interval", "200ms", "-rpcbind", rpcAddr)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	cookie := rpc.CookiePath(rpc.DataDir(base, "regtest"))
	var height int
	deadline := time.Now().Add(60 * time.Second)
	for height < 128 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		c, err := rpc.NewCookieClient("http://"+rpcAddr+"/", cookie)
		if err != nil {
			continue
		}
		if res, err := c.Call(context.Background(), "getblockcount", []any{}); err == nil {
			_ = json.Unmarshal(res, &height)
		}
	}
	if height < 128 {
		t.Fatalf("devnet reached height %d\nstdout:\n%s\nstderr:\n%s", height, stdout.String(), stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("devnet exit: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{"JSON-RPC", cookie, "miner address   rbal1", "coinbase outputs are spendable", "mined block",
		"Example asset BASKET", "ballast asset info -network regtest", "getreserves",
		"receives 1000 coins", "-rpcwallet devnet"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("devnet output lacks %q:\n%s", want, stdout.String())
		}
	}
}
