package node_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/miner"
	"github.com/ballast-chain/ballast/internal/mining"
	"github.com/ballast-chain/ballast/internal/node"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/rpc"
	"github.com/ballast-chain/ballast/internal/stratum"
)

// An in-process regtest node with the Stratum server: getblocktemplate,
// submitblock's result strings, long polling, and a real TCP Stratum client
// mining blocks through the pool.
func TestMiningEndToEnd(t *testing.T) {
	p := params.Regtest()
	dir := t.TempDir()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	rpcAddr := ln.Addr().String()
	ln.Close()
	n, err := node.New(node.Config{Params: p, DataDir: dir, RPCListen: []string{rpcAddr},
		StratumConfig: node.StratumConfig{StratumListen: "127.0.0.1:0", StratumDifficulty: 1e-9,
			TemplateRefresh: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	var c *rpc.Client
	for c == nil {
		if cc, err := rpc.NewCookieClient("http://"+rpcAddr+"/", filepath.Join(dir, ".cookie")); err == nil {
			if _, err := cc.Call(ctx, "getblockcount", nil); err == nil {
				c = cc
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	call := func(method string, params ...any) json.RawMessage {
		t.Helper()
		raw, err := c.Call(ctx, method, params)
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		return raw
	}

	if _, err := c.Call(ctx, "getblocktemplate", []any{map[string]any{}}); err == nil {
		t.Fatal("getblocktemplate without the segwit rule accepted")
	}
	var gbt mining.GBT
	if err := json.Unmarshal(call("getblocktemplate", map[string]any{"rules": []string{"segwit"}}), &gbt); err != nil {
		t.Fatal(err)
	}
	if gbt.Height != 1 || gbt.Bits != "207fffff" || gbt.CoinbaseValue != 50e8 || gbt.DefaultWitnessCommitment == "" ||
		gbt.PreviousBlockHash != p.GenesisHash {
		t.Fatalf("template %+v", gbt)
	}

	// Long polling returns when a block moves the tip.
	lp := make(chan mining.GBT, 1)
	go func() {
		var g mining.GBT
		raw, err := c.Call(ctx, "getblocktemplate", []any{map[string]any{"rules": []string{"segwit"}, "longpollid": gbt.LongPollID}})
		if err == nil {
			_ = json.Unmarshal(raw, &g)
		}
		lp <- g
	}()

	// A block built from the template and solved: proposal says null,
	// submitblock null, then "duplicate"; a tampered copy "bad-txnmrklroot"
	// or "high-hash".
	lock := chaingen.KeyLock(chaingen.KeyFromSeed("gbt"))
	tmpl, err := mining.NewTemplate(mining.TemplateConfig{Params: p, Parent: n.Chain.Tip(), Payout: lock,
		Now: time.Now().Unix()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mining.Solve(ctx, tmpl, 0); err != nil {
		t.Fatal(err)
	}
	hexBlock := hex.EncodeToString(tmpl.Block.Bytes())
	if r := string(call("getblocktemplate", map[string]any{"mode": "proposal", "data": hexBlock})); r != "null" {
		t.Fatalf("proposal: %s", r)
	}
	bad := *tmpl.Block
	bad.Header.MerkleRoot[0] ^= 1
	if r := string(call("getblocktemplate", map[string]any{"mode": "proposal", "data": hex.EncodeToString(bad.Bytes())})); r != `"bad-txnmrklroot"` {
		t.Fatalf("bad proposal: %s", r)
	}
	if r := string(call("submitblock", hexBlock)); r != "null" {
		t.Fatalf("submitblock: %s", r)
	}
	if r := string(call("submitblock", hexBlock)); r != `"duplicate"` {
		t.Fatalf("resubmit: %s", r)
	}
	if r := string(call("getblocktemplate", map[string]any{"mode": "proposal", "data": hexBlock})); r != `"inconclusive-not-best-prevblk"` {
		t.Fatalf("stale proposal: %s", r)
	}
	next, _ := mining.NewTemplate(mining.TemplateConfig{Params: p, Parent: n.Chain.Tip(), Payout: lock, Now: time.Now().Unix()}, nil)
	for nonce := uint32(0); ; nonce++ { // a hash above the target
		next.Block.Header.Nonce = nonce
		if h := next.Block.BlockHash(); h[31] >= 0x80 {
			break
		}
	}
	if r := string(call("submitblock", hex.EncodeToString(next.Block.Bytes()))); r != `"high-hash"` {
		t.Fatalf("unsolved block: %s", r)
	}
	if _, err := c.Call(ctx, "submitblock", []any{"zz"}); err == nil {
		t.Fatal("undecodable block accepted")
	}
	select {
	case g := <-lp:
		if g.Height != 2 {
			t.Fatalf("long poll returned height %d", g.Height)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not return on a new tip")
	}

	// Stratum: a TCP client mines two blocks paid to its address.
	addr := n.Stratum().Addr(ctx).String()
	sc, err := stratum.Dial(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	user, _ := address.Encode(p.Bech32HRP, lock)
	if err := sc.Subscribe(ctx, "e2e"); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Call(ctx, "mining.authorize", user+".w1", ""); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		var j *stratum.ClientJob
		for j == nil || j.PrevHash != n.Chain.Tip().Hash {
			select {
			case j = <-sc.Jobs:
			case <-time.After(10 * time.Second):
				t.Fatal("no job")
			}
		}
		en2 := []byte{0, 0, 0, byte(i)}
		target := stratum.TargetForDifficulty(sc.Difficulty())
		for nonce := uint32(0); ; nonce++ {
			h := j.Header(sc.Extranonce1, en2, j.Time, nonce, j.Version)
			hash := h.BlockHash()
			if hash[31] < 0x7f && hashMeets(hash, target) {
				if err := sc.Submit(ctx, user+".w1", j.ID, en2, j.Time, nonce, 0); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
	}
	if h := n.Chain.Tip().Height; h != 3 {
		t.Fatalf("height %d after two Stratum blocks", h)
	}
	blk, _ := n.Chain.Block(n.Chain.Tip().Hash)
	if !blk.Transactions[0].TxOut[0].Lock.Equal(lock) {
		t.Fatal("Stratum block not paid to the worker")
	}
	// The CPU miner's Stratum loop mines the next block.
	mc, err := stratum.Dial(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Close()
	if err := mc.Subscribe(ctx, "cpu"); err != nil {
		t.Fatal(err)
	}
	if _, err := mc.Call(ctx, "mining.authorize", user+".cpu", ""); err != nil {
		t.Fatal(err)
	}
	mctx, mcancel := context.WithCancel(ctx)
	mdone := make(chan error, 1)
	go func() {
		mdone <- miner.MineStratum(mctx, miner.StratumConfig{Client: mc, Worker: user + ".cpu", Threads: 2})
	}()
	for n.Chain.Tip().Height < 4 && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	mcancel()
	<-mdone
	if n.Chain.Tip().Height < 4 {
		t.Fatal("CPU miner found no block")
	}
	var info struct {
		Address string `json:"address"`
		Blocks  int    `json:"blocks"`
	}
	_ = json.Unmarshal(call("getstratuminfo"), &info)
	if info.Blocks < 3 || info.Address != addr {
		t.Fatalf("getstratuminfo %+v", info)
	}
}

func hashMeets(h [32]byte, target [32]byte) bool {
	for i := 31; i >= 0; i-- {
		if h[i] != target[i] {
			return h[i] < target[i]
		}
	}
	return true
}

// ballast node -mine: the node's own CPU miner finds blocks through its
// Stratum server and pays the configured address.
func TestNodeMine(t *testing.T) {
	p := params.Regtest()
	dir := t.TempDir()
	payout := chaingen.KeyLock(chaingen.KeyFromSeed("node-mine"))
	addr, _ := address.Encode(p.Bech32HRP, payout)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	rpcAddr := ln.Addr().String()
	ln.Close()
	n, err := node.New(node.Config{Params: p, DataDir: dir, RPCListen: []string{rpcAddr},
		StratumConfig: node.StratumConfig{Mine: true, MineAddress: addr, MineThreads: 1, StratumDifficulty: 1e-9}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	for n.Chain.Tip().Height < 3 && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n.Chain.Tip().Height < 3 {
		t.Fatal("the node's miner found no blocks")
	}
	// Reopen read-only through a fresh node to inspect the paid lock.
	n2, err := node.New(node.Config{Params: p, DataDir: dir, RPCListen: []string{rpcAddr}})
	if err != nil {
		t.Fatal(err)
	}
	defer n2.Close()
	h, _ := n2.Chain.BlockHash(1)
	b, err := n2.Chain.Block(h)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Transactions[0].TxOut[0].Lock.Equal(payout) {
		t.Fatal("block 1 does not pay the -mineaddress")
	}
	if _, err := node.New(node.Config{Params: p, DataDir: t.TempDir(), StratumConfig: node.StratumConfig{Mine: true, MineAddress: "nope"}}); err == nil {
		t.Fatal("bad -mineaddress accepted")
	}
}
