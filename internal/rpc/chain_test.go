package rpc

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

// chainServer is a server over a testNode holding a regtest chain of
// height blocks.
func chainServer(t *testing.T, height int) (*testServer, *testNode) {
	t.Helper()
	n := newTestNode(t)
	if height > 0 {
		n.mine(t, height)
	}
	return startServer(t, Config{Backends: n.backends()}), n
}

func hashResult(t *testing.T, raw json.RawMessage) chainhash.Hash {
	t.Helper()
	var s string
	decode(t, raw, &s)
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestBlockchainMethods(t *testing.T) {
	ts, n := chainServer(t, 5)
	tip := n.main[5]
	if got := string(ts.mustCall(t, "getblockcount")); got != "5" {
		t.Errorf("getblockcount %s", got)
	}
	if got := hashResult(t, ts.mustCall(t, "getbestblockhash")); got != tip {
		t.Errorf("getbestblockhash %s", got)
	}
	if got := hashResult(t, ts.mustCall(t, "getblockhash", 0)); got != params.Regtest().GenesisHash {
		t.Errorf("getblockhash 0 = %s", got)
	}
	for _, h := range []any{-1, 6, 1 << 40} {
		_, e := ts.call(t, "getblockhash", h)
		wantError(t, e, CodeInvalidParameter, "Block height out of range")
	}
	_, e := ts.call(t, "getblockhash", "1")
	wantError(t, e, CodeType, "Wrong type passed")
	_, e = ts.call(t, "getblockhash", 1.5)
	wantError(t, e, CodeMisc, "JSON integer out of range")

	var info map[string]json.RawMessage
	decode(t, ts.mustCall(t, "getblockchaininfo"), &info)
	for k, want := range map[string]string{`chain`: `"regtest"`, `blocks`: `5`, `headers`: `5`, `bestblockhash`: `"` + tip.String() + `"`,
		`bits`: `"207fffff"`, `difficulty`: `1`, `initialblockdownload`: `false`, `pruned`: `false`, `warnings`: `[]`,
		`chainwork`: `"000000000000000000000000000000000000000000000000000000000000000c"`, `verificationprogress`: `1`} {
		if string(info[k]) != want {
			t.Errorf("getblockchaininfo %s = %s, want %s", k, info[k], want)
		}
	}
	if _, ok := info["pruneheight"]; ok {
		t.Error("pruneheight without pruning")
	}
	if got := string(ts.mustCall(t, "getdifficulty")); got != "1" {
		t.Errorf("getdifficulty %s", got)
	}
	var tips []ChainTip
	decode(t, ts.mustCall(t, "getchaintips"), &tips)
	if len(tips) != 1 || tips[0].Hash != tip || tips[0].Status != "active" || tips[0].Height != 5 {
		t.Errorf("getchaintips %+v", tips)
	}
}

func TestGetBlock(t *testing.T) {
	ts, n := chainServer(t, int(params.Regtest().CoinbaseMaturity)+1)
	spend := n.gen.SpendTx([]*chaingen.SpendableOut{n.gen.Coinbases[1]}, 2, 5000)
	blk := n.mine(t, 1, spend)[0]
	n.mine(t, 1)
	hash := blk.BlockHash()
	ctx := t.Context()
	info, _ := n.BlockInfo(ctx, hash)
	st, _ := n.ChainState(ctx)
	hrp, limit := "rbal", params.Regtest().PowLimitBits

	var hexBlock string
	decode(t, ts.mustCall(t, "getblock", hash.String(), 0), &hexBlock)
	if hexBlock != hex.EncodeToString(blk.Bytes()) {
		t.Error("getblock 0 is not the block's encoding")
	}
	v1 := AppendBlockJSON(nil, blk, &info, &BlockOptions{HRP: hrp, PowLimitBits: limit, TipHeight: st.Tip.Height, Verbosity: 1})
	for _, params := range [][]any{{hash.String()}, {hash.String(), 1}, {hash.String(), true}} {
		if got := ts.mustCall(t, "getblock", params...); string(got) != string(v1) {
			t.Errorf("getblock %v:\n%s\nwant\n%s", params, got, v1)
		}
	}
	if got := ts.mustCall(t, "getblock", json.RawMessage(`{"blockhash":"`+hash.String()+`","verbose":true}`)); string(got) != string(v1) {
		t.Errorf("getblock with the verbose alias: %s", got)
	}
	v2 := ts.mustCall(t, "getblock", hash.String(), 2)
	var b2 struct {
		Confirmations int               `json:"confirmations"`
		Next          string            `json:"nextblockhash"`
		Tx            []json.RawMessage `json:"tx"`
	}
	decode(t, v2, &b2)
	if b2.Confirmations != 2 || b2.Next != n.main[len(n.main)-1].String() || len(b2.Tx) != 2 {
		t.Fatalf("getblock 2: %s", v2)
	}
	if strings.Contains(string(b2.Tx[0]), `"fee"`) || !strings.Contains(string(b2.Tx[1]), `"fee":0.00005000,"hex":"`) {
		t.Errorf("fees in getblock 2: %s", v2)
	}
	if string(ts.mustCall(t, "getblock", hash.String(), 3)) != string(v2) {
		t.Error("verbosity 3 differs from 2")
	}

	var hdr map[string]json.RawMessage
	decode(t, ts.mustCall(t, "getblockheader", hash.String()), &hdr)
	if string(hdr["height"]) != "102" || string(hdr["nTx"]) != "2" || string(hdr["confirmations"]) != "2" {
		t.Errorf("getblockheader %v", hdr)
	}
	var hexHdr string
	decode(t, ts.mustCall(t, "getblockheader", hash.String(), false), &hexHdr)
	if s := blk.Header.Serialize(); hexHdr != hex.EncodeToString(s[:]) {
		t.Errorf("getblockheader false: %s", hexHdr)
	}
	hdr = nil
	decode(t, ts.mustCall(t, "getblockheader", params.Regtest().GenesisHash.String()), &hdr)
	if _, ok := hdr["previousblockhash"]; ok {
		t.Error("genesis has a previousblockhash")
	}

	unknown := strings.Repeat("00", 32)
	for _, m := range []string{"getblock", "getblockheader"} {
		_, e := ts.call(t, m, unknown)
		wantError(t, e, CodeInvalidAddressOrKey, "Block not found")
		_, e = ts.call(t, m, "xyz")
		wantError(t, e, CodeInvalidParameter, "blockhash must be of length 64 (not 3, for 'xyz')")
	}
	// A block whose header is known but not its data.
	n.mu.Lock()
	orphan := wire.BlockHeader{Version: 1, PrevBlock: hash, Bits: limit}
	n.index[orphan.BlockHash()] = &BlockInfo{Hash: orphan.BlockHash(), Header: orphan, Height: 103}
	n.mu.Unlock()
	_, e := ts.call(t, "getblock", orphan.BlockHash().String())
	wantError(t, e, CodeMisc, "Block not available (not fully downloaded)")
	decode(t, ts.mustCall(t, "getblockheader", orphan.BlockHash().String()), &hdr)
	if string(hdr["confirmations"]) != "-1" {
		t.Errorf("confirmations of a header off the chain: %s", hdr["confirmations"])
	}
}

func TestTxOutMethods(t *testing.T) {
	ts, n := chainServer(t, int(params.Regtest().CoinbaseMaturity)+1)
	cb := n.gen.Coinbases[1]
	var out struct {
		BestBlock     string `json:"bestblock"`
		Confirmations int    `json:"confirmations"`
		Value         Amount `json:"value"`
		Asset         string `json:"asset"`
		Lock          struct {
			Type, Address, Hex string
		} `json:"lock"`
		Coinbase bool `json:"coinbase"`
	}
	raw := ts.mustCall(t, "gettxout", cb.OutPoint.Hash.String(), 0)
	decode(t, raw, &out)
	addr, _ := address.Encode("rbal", cb.Out.Lock)
	if out.Confirmations != 101 || out.Value != 50*params.Coin || !out.Coinbase || out.Asset != "native" ||
		out.Lock.Type != "key" || out.Lock.Address != addr || out.BestBlock != n.main[101].String() {
		t.Errorf("gettxout %s", raw)
	}
	if !strings.Contains(string(raw), `"value":50.00000000,`) {
		t.Errorf("value not in Core's format: %s", raw)
	}
	for _, p := range [][]any{{cb.OutPoint.Hash.String(), 1}, {strings.Repeat("11", 32), 0}} {
		if got := string(ts.mustCall(t, "gettxout", p...)); got != "null" {
			t.Errorf("gettxout %v = %s", p, got)
		}
	}
	_, e := ts.call(t, "gettxout", cb.OutPoint.Hash.String(), -1)
	wantError(t, e, CodeMisc, "JSON integer out of range")

	spend := n.gen.SpendTx([]*chaingen.SpendableOut{cb}, 1, 1000)
	if r, _ := n.Submit(t.Context(), spend); !r.Allowed {
		t.Fatalf("submit: %+v", r)
	}
	if got := string(ts.mustCall(t, "gettxout", cb.OutPoint.Hash.String(), 0)); got != "null" {
		t.Errorf("output spent in the mempool: %s", got)
	}
	if got := string(ts.mustCall(t, "gettxout", cb.OutPoint.Hash.String(), 0, false)); got == "null" {
		t.Error("include_mempool=false hides a chain output")
	}
	decode(t, ts.mustCall(t, "gettxout", spend.TxHash().String(), 0), &out)
	if out.Confirmations != 0 || out.Coinbase || out.Value != 50*params.Coin-1000 {
		t.Errorf("mempool output %+v", out)
	}

	var set map[string]json.RawMessage
	decode(t, ts.mustCall(t, "gettxoutsetinfo"), &set)
	// 101 spendable coinbases (genesis' is not in the set): 5050 coins.
	if string(set["height"]) != "101" || string(set["txouts"]) != "101" || string(set["total_amount"]) != "5050.00000000" ||
		len(set["hash_serialized_3"]) != 66 || string(set["transactions"]) != "101" {
		t.Errorf("gettxoutsetinfo %v", set)
	}
	set = nil
	decode(t, ts.mustCall(t, "gettxoutsetinfo", "none"), &set)
	if _, ok := set["hash_serialized_3"]; ok {
		t.Error("hash_type none has a hash")
	}
	_, e = ts.call(t, "gettxoutsetinfo", "sha3")
	wantError(t, e, CodeInvalidParameter, "'sha3' is not a valid hash_type")
	_, e = ts.call(t, "gettxoutsetinfo", "none", 5)
	wantError(t, e, CodeInvalidParameter, "Querying specific block heights requires coinstatsindex")
}

func TestInvalidateReconsider(t *testing.T) {
	ts, n := chainServer(t, 4)
	old := n.main[4]
	ts.mustCall(t, "invalidateblock", n.main[3].String())
	if got := string(ts.mustCall(t, "getblockcount")); got != "2" {
		t.Fatalf("height after invalidateblock: %s", got)
	}
	var tips []ChainTip
	decode(t, ts.mustCall(t, "getchaintips"), &tips)
	if len(tips) != 2 || tips[1].Hash != old || tips[1].Status != "invalid" || tips[1].BranchLen != 2 {
		t.Errorf("tips %+v", tips)
	}
	var hdr map[string]json.RawMessage
	decode(t, ts.mustCall(t, "getblockheader", old.String()), &hdr)
	if string(hdr["confirmations"]) != "-1" {
		t.Errorf("confirmations of an invalidated block %s", hdr["confirmations"])
	}
	if got := string(ts.mustCall(t, "reconsiderblock", n.main[2].String())); got != "null" {
		t.Errorf("reconsiderblock result %s", got)
	}
	ts.mustCall(t, "reconsiderblock", old.String())
	if got := hashResult(t, ts.mustCall(t, "getbestblockhash")); got != old {
		t.Errorf("tip after reconsiderblock %s, want %s", got, old)
	}
	for _, m := range []string{"invalidateblock", "reconsiderblock"} {
		_, e := ts.call(t, m, strings.Repeat("ee", 32))
		wantError(t, e, CodeInvalidAddressOrKey, "Block not found")
	}
}

func TestMethodsNeedTheirBackends(t *testing.T) {
	n := newTestNode(t)
	ts := startServer(t, Config{Backends: Backends{Chain: n}})
	ts.mustCall(t, "getblockcount")
	for _, m := range []string{"getmempoolinfo", "sendrawtransaction", "estimatesmartfee", "getnetworkinfo", "generatetoaddress"} {
		_, e := ts.call(t, m)
		wantError(t, e, CodeMethodNotFound, "Method not found")
	}
	var list string
	decode(t, ts.mustCall(t, "help"), &list)
	if !strings.Contains(list, "== Blockchain ==\ndumpblocks \"path\" ( start end )\ngetbestblockhash\ngetblock \"blockhash\" ( verbosity )\n") ||
		!strings.Contains(list, "gettxout \"txid\" n ( include_mempool )") || strings.Contains(list, "getmempoolinfo") {
		t.Errorf("help with a chain only:\n%s", list)
	}
	// getrawtransaction works without a mempool, through the chain.
	_, e := ts.call(t, "getrawtransaction", strings.Repeat("11", 32))
	wantError(t, e, CodeInvalidAddressOrKey, "No such mempool transaction. Use -txindex")
}

// TestDumpBlocks checks dumpblocks' parameters and result against the test
// node, and that the file holds the best chain's blocks as block-file
// records.
func TestDumpBlocks(t *testing.T) {
	n := newTestNode(t)
	n.mine(t, 5)
	ts := startServer(t, Config{Backends: n.backends()})
	path := filepath.Join(t.TempDir(), "blocks.dat")
	var res struct {
		Path          string
		Start, End    int32
		Blocks, Bytes int
	}
	decode(t, ts.mustCall(t, "dumpblocks", path, 1, 4), &res)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != path || res.Start != 1 || res.End != 4 || res.Blocks != 4 || res.Bytes != len(raw) {
		t.Fatalf("result %+v for a file of %d bytes", res, len(raw))
	}
	for h := 1; h <= 4; h++ {
		if len(raw) < 8 || [4]byte(raw[:4]) != n.p.Magic {
			t.Fatalf("record %d: bad header", h)
		}
		size := int(binary.LittleEndian.Uint32(raw[4:8]))
		blk, err := wire.DecodeBlock(raw[8 : 8+size])
		if err != nil || blk.BlockHash() != n.main[h] {
			t.Fatalf("record %d: %v, block %v, want %v", h, err, blk.BlockHash(), n.main[h])
		}
		raw = raw[8+size:]
	}
	if len(raw) != 0 {
		t.Fatalf("%d bytes after the last record", len(raw))
	}
	for _, tc := range []struct {
		params []any
		code   Code
		msg    string
	}{
		{[]any{""}, CodeInvalidParameter, "path must not be empty"},
		{[]any{path + "2", -1}, CodeInvalidParameter, "invalid height range"},
		{[]any{path + "2", 3, 2}, CodeInvalidParameter, "invalid height range"},
		{[]any{path + "2", 6}, CodeInvalidParameter, "Block height out of range"},
		{[]any{path}, CodeMisc, path + " already exists"},
	} {
		_, e := ts.call(t, "dumpblocks", tc.params...)
		wantError(t, e, tc.code, tc.msg)
	}
}
