package rpc

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

func txHex(tx *wire.Tx) string { return hex.EncodeToString(tx.Bytes()) }

func TestSendAndGetRawTransaction(t *testing.T) {
	ts, n := chainServer(t, int(params.Regtest().CoinbaseMaturity)+5)
	g := n.gen
	spend := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[1]}, 2, 10_000)
	txid := spend.TxHash().String()

	var accept []map[string]json.RawMessage
	decode(t, ts.mustCall(t, "testmempoolaccept", []string{txHex(spend)}), &accept)
	if len(accept) != 1 || string(accept[0]["allowed"]) != "true" || string(accept[0]["txid"]) != `"`+txid+`"` ||
		string(accept[0]["vsize"]) != jsonNum(vsizeOf(spend)) || !strings.Contains(string(accept[0]["fees"]), `"base":0.00010000`) {
		t.Errorf("testmempoolaccept %v", accept)
	}
	if got := hashResult(t, ts.mustCall(t, "sendrawtransaction", txHex(spend))); got.String() != txid {
		t.Errorf("sendrawtransaction %s", got)
	}
	if got := hashResult(t, ts.mustCall(t, "sendrawtransaction", txHex(spend))); got.String() != txid {
		t.Errorf("sendrawtransaction again %s", got)
	}
	decode(t, ts.mustCall(t, "testmempoolaccept", []string{txHex(spend)}), &accept)
	if string(accept[0]["allowed"]) != "false" || string(accept[0]["reject-reason"]) != `"txn-already-in-mempool"` {
		t.Errorf("testmempoolaccept of a pool tx %v", accept)
	}

	// The mempool methods see it.
	var hexTx string
	decode(t, ts.mustCall(t, "getrawtransaction", txid), &hexTx)
	if hexTx != txHex(spend) {
		t.Error("getrawtransaction from the mempool")
	}
	verbose := ts.mustCall(t, "getrawtransaction", txid, 1)
	if want := AppendTxJSON(nil, spend, &TxOptions{HRP: "rbal", Hex: true}); string(verbose) != string(want) {
		t.Errorf("getrawtransaction 1:\n%s\nwant\n%s", verbose, want)
	}
	var info map[string]json.RawMessage
	decode(t, ts.mustCall(t, "getmempoolinfo"), &info)
	if string(info["size"]) != "1" || string(info["total_fee"]) != "0.00010000" || string(info["minrelaytxfee"]) != "0.00001000" || string(info["fullrbf"]) != "true" {
		t.Errorf("getmempoolinfo %v", info)
	}
	if got := string(ts.mustCall(t, "getrawmempool")); got != `["`+txid+`"]` {
		t.Errorf("getrawmempool %s", got)
	}
	if got := string(ts.mustCall(t, "getrawmempool", false, true)); got != `{"txids":["`+txid+`"],"mempool_sequence":1}` {
		t.Errorf("getrawmempool with sequence %s", got)
	}
	_, e := ts.call(t, "getrawmempool", true, true)
	wantError(t, e, CodeInvalidParameter, "Verbose results cannot contain mempool sequence values.")
	entry := ts.mustCall(t, "getmempoolentry", txid)
	if !strings.HasPrefix(string(entry), `{"vsize":`+jsonNum(vsizeOf(spend))+`,"weight":`) ||
		!strings.Contains(string(entry), `"fees":{"base":0.00010000,"modified":0.00010000,"ancestor":0.00010000,"descendant":0.00010000},"depends":[],"spentby":[],"bip125-replaceable":false,"unbroadcast":false}`) {
		t.Errorf("getmempoolentry %s", entry)
	}
	if got := string(ts.mustCall(t, "getrawmempool", true)); got != `{"`+txid+`":`+string(entry)+`}` {
		t.Errorf("getrawmempool true %s", got)
	}
	_, e = ts.call(t, "getmempoolentry", strings.Repeat("11", 32))
	wantError(t, e, CodeInvalidAddressOrKey, "Transaction not in mempool")

	// Rejections.
	conflict := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[1]}, 1, 20_000)
	_, e = ts.call(t, "sendrawtransaction", txHex(conflict))
	wantError(t, e, CodeVerifyRejected, "txn-mempool-conflict")
	missing := g.SpendTx([]*chaingen.SpendableOut{{OutPoint: wire.OutPoint{Index: 3}, Out: g.Coinbases[2].Out}}, 1, 1000)
	_, e = ts.call(t, "sendrawtransaction", txHex(missing))
	wantError(t, e, CodeVerify, "Inputs missing or spent")
	decode(t, ts.mustCall(t, "testmempoolaccept", []string{txHex(missing)}), &accept)
	if string(accept[0]["reject-reason"]) != `"missing-inputs"` {
		t.Errorf("missing inputs %v", accept)
	}
	badSig := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[2]}, 1, 1000)
	badSig.TxIn[0].Witness[0][5] ^= 1
	_, e = ts.call(t, "sendrawtransaction", txHex(badSig))
	wantError(t, e, CodeVerifyRejected, "mandatory-script-verify-flag-failed")
	cheap := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[2]}, 1, 1)
	_, e = ts.call(t, "sendrawtransaction", txHex(cheap))
	wantError(t, e, CodeVerifyRejected, "min relay fee not met")
	greedy := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[2]}, 1, params.Coin)
	_, e = ts.call(t, "sendrawtransaction", txHex(greedy))
	wantError(t, e, CodeVerify, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)")
	decode(t, ts.mustCall(t, "testmempoolaccept", []string{txHex(greedy)}), &accept)
	if string(accept[0]["reject-reason"]) != `"max-fee-exceeded"` {
		t.Errorf("testmempoolaccept of a greedy tx %v", accept)
	}
	// A package whose first member fails: the second is not looked at.
	decode(t, ts.mustCall(t, "testmempoolaccept", []string{txHex(missing), txHex(cheap)}), &accept)
	if len(accept) != 2 || string(accept[0]["reject-reason"]) != `"missing-inputs"` || accept[1]["allowed"] != nil ||
		string(accept[1]["txid"]) != `"`+cheap.TxHash().String()+`"` {
		t.Errorf("package %v", accept)
	}
	_, e = ts.call(t, "sendrawtransaction", txHex(greedy), 1)
	wantError(t, e, CodeInvalidParameter, "Fee rates larger than or equal to 1BTC/kvB are not accepted")
	ts.mustCall(t, "sendrawtransaction", txHex(greedy), 0) // 0: no limit

	burn := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[3]}, 1, 10_000)
	burn.TxOut = append(burn.TxOut, wire.TxOut{Value: 5, Lock: wire.BurnLock(nil)})
	_, e = ts.call(t, "sendrawtransaction", txHex(burn))
	wantError(t, e, CodeVerify, "Unspendable output exceeds maximum configured by user (maxburnamount)")
	_, e = ts.call(t, "sendrawtransaction", "00")
	wantError(t, e, CodeDeserialization, "TX decode failed")
	_, e = ts.call(t, "testmempoolaccept", []string{})
	wantError(t, e, CodeInvalidParameter, "Array must contain between 1 and 25 transactions.")
	_, e = ts.call(t, "testmempoolaccept", []string{"zz"})
	wantError(t, e, CodeDeserialization, "TX decode failed")

	// Mined: found through the block, the transaction index, and refused
	// again as already in the chain.
	var mined []string
	decode(t, ts.mustCall(t, "generatetoaddress", 1, testAddress(t, "miner")), &mined)
	if got := string(ts.mustCall(t, "getrawmempool")); got != "[]" {
		t.Errorf("mempool after mining %s", got)
	}
	_, e = ts.call(t, "getrawtransaction", txid)
	wantError(t, e, CodeInvalidAddressOrKey, "No such mempool transaction. Use -txindex or provide a block hash to enable blockchain transaction queries. Use gettransaction for wallet transactions.")
	var v struct {
		InActiveChain *bool  `json:"in_active_chain"`
		TxID          string `json:"txid"`
		BlockHash     string `json:"blockhash"`
		Confirmations int    `json:"confirmations"`
		Time          int64  `json:"time"`
		BlockTime     int64  `json:"blocktime"`
		Hex           string `json:"hex"`
	}
	decode(t, ts.mustCall(t, "getrawtransaction", txid, true, mined[0]), &v)
	if v.InActiveChain == nil || !*v.InActiveChain || v.BlockHash != mined[0] || v.Confirmations != 1 || v.Time == 0 || v.Time != v.BlockTime || v.Hex != txHex(spend) {
		t.Errorf("getrawtransaction in a block %+v", v)
	}
	n.mu.Lock()
	n.txindex = true
	n.mu.Unlock()
	v = struct {
		InActiveChain *bool  `json:"in_active_chain"`
		TxID          string `json:"txid"`
		BlockHash     string `json:"blockhash"`
		Confirmations int    `json:"confirmations"`
		Time          int64  `json:"time"`
		BlockTime     int64  `json:"blocktime"`
		Hex           string `json:"hex"`
	}{}
	decode(t, ts.mustCall(t, "getrawtransaction", json.RawMessage(`{"txid":"`+txid+`","verbose":1}`)), &v)
	if v.InActiveChain != nil || v.BlockHash != mined[0] || v.Confirmations != 1 {
		t.Errorf("getrawtransaction through the index %+v", v)
	}
	_, e = ts.call(t, "getrawtransaction", strings.Repeat("11", 32))
	wantError(t, e, CodeInvalidAddressOrKey, "No such mempool or blockchain transaction. Use gettransaction for wallet transactions.")
	_, e = ts.call(t, "getrawtransaction", txid, 0, n.main[1].String())
	wantError(t, e, CodeInvalidAddressOrKey, "No such transaction found in the provided block. Use gettransaction for wallet transactions.")
	_, e = ts.call(t, "getrawtransaction", txid, 0, strings.Repeat("22", 32))
	wantError(t, e, CodeInvalidAddressOrKey, "Block hash not found")
	_, e = ts.call(t, "getrawtransaction", params.Regtest().GenesisBlock.Transactions[0].TxHash().String())
	wantError(t, e, CodeInvalidAddressOrKey, "The genesis block coinbase is not considered an ordinary transaction")
	_, e = ts.call(t, "sendrawtransaction", txHex(spend))
	wantError(t, e, CodeVerifyAlreadyInChain, "Transaction already in block chain")
}

func jsonNum(v int64) string { b, _ := json.Marshal(v); return string(b) }

func TestGenerateMethods(t *testing.T) {
	ts, n := chainServer(t, int(params.Regtest().CoinbaseMaturity)+2)
	addr := testAddress(t, "gen")
	var hashes []string
	decode(t, ts.mustCall(t, "generatetoaddress", 3, addr), &hashes)
	if len(hashes) != 3 || hashes[2] != n.main[len(n.main)-1].String() {
		t.Fatalf("generatetoaddress %v", hashes)
	}
	if got := string(ts.mustCall(t, "generatetoaddress", 0, addr)); got != "[]" {
		t.Errorf("generatetoaddress 0: %s", got)
	}
	blk, _ := n.Block(t.Context(), n.main[len(n.main)-1])
	if lock, _ := (&env{params: n.p}).decodeAddress(addr); !blk.Transactions[0].TxOut[0].Lock.Equal(lock) {
		t.Error("coinbase not paid to the address")
	}
	_, e := ts.call(t, "generatetoaddress", 1, "nonsense")
	wantError(t, e, CodeInvalidAddressOrKey, "Error: Invalid address")

	// generateblock with a mempool txid and a raw transaction.
	a := n.gen.SpendTx([]*chaingen.SpendableOut{n.gen.Coinbases[1]}, 1, 2000)
	b := n.gen.SpendTx([]*chaingen.SpendableOut{n.gen.Coinbases[2]}, 1, 3000)
	ts.mustCall(t, "sendrawtransaction", txHex(a))
	height := len(n.main) - 1
	var res struct{ Hash, Hex string }
	decode(t, ts.mustCall(t, "generateblock", addr, []string{a.TxHash().String(), txHex(b)}, false), &res)
	if res.Hex == "" || len(n.main)-1 != height {
		t.Fatalf("generateblock submit=false %+v, height %d", res, len(n.main)-1)
	}
	raw, _ := hex.DecodeString(res.Hex)
	if blk, err := wire.DecodeBlock(raw); err != nil || blk.BlockHash().String() != res.Hash || len(blk.Transactions) != 3 {
		t.Errorf("generateblock hex: %v", err)
	}
	res.Hex = ""
	decode(t, ts.mustCall(t, "generateblock", addr, []string{a.TxHash().String(), txHex(b)}), &res)
	if res.Hex != "" || res.Hash != n.main[len(n.main)-1].String() {
		t.Errorf("generateblock %+v", res)
	}
	_, e = ts.call(t, "generateblock", addr, []string{strings.Repeat("33", 32)})
	wantError(t, e, CodeInvalidAddressOrKey, "Transaction "+strings.Repeat("33", 32)+" not in mempool.")
	_, e = ts.call(t, "generateblock", addr, []string{"00"})
	wantError(t, e, CodeDeserialization, "Transaction decode failed for 00.")
	_, e = ts.call(t, "generateblock", addr, []string{txHex(b)}) // already mined: its input is spent
	wantError(t, e, CodeVerify, "TestBlockValidity failed: bad-txns-inputs-missingorspent")
	_, e = ts.call(t, "generateblock", "bal1nope", []string{})
	wantError(t, e, CodeInvalidAddressOrKey, "Error: Invalid address or descriptor")
}

func TestNodeInfoMethods(t *testing.T) {
	ts, _ := chainServer(t, 130)
	var mi map[string]json.RawMessage
	decode(t, ts.mustCall(t, "getmininginfo"), &mi)
	// 120 blocks of work 2 each, 600 s apart: 240 / 72000 s.
	for k, want := range map[string]string{"blocks": "130", "bits": `"207fffff"`, "difficulty": "1", "pooledtx": "0",
		"chain": `"regtest"`, "warnings": "[]", "networkhashps": "0.003333333333333334"} {
		if string(mi[k]) != want {
			t.Errorf("getmininginfo %s = %s, want %s", k, mi[k], want)
		}
	}
	if got := string(ts.mustCall(t, "getnetworkhashps", -1, 10)); got != "0.003333333333333334" {
		t.Errorf("getnetworkhashps -1 10 = %s", got)
	}
	if got := string(ts.mustCall(t, "getnetworkhashps", 120, 0)); got != "0" {
		t.Errorf("getnetworkhashps at genesis = %s", got)
	}
	_, e := ts.call(t, "getnetworkhashps", 0)
	wantError(t, e, CodeInvalidParameter, "Invalid nblocks")
	ni := string(ts.mustCall(t, "getnetworkinfo"))
	if !strings.HasPrefix(ni, `{"version":10000,"subversion":"/Ballast:0.1.0/","protocolversion":1,"localservices":"0000000000000409","localservicesnames":["NETWORK","WITNESS"],`) ||
		!strings.Contains(ni, `"networks":[],"relayfee":0.00001000,"incrementalfee":0.00001000,"localaddresses":[],"warnings":[]}`) {
		t.Errorf("getnetworkinfo %s", ni)
	}
	if got := string(ts.mustCall(t, "estimatesmartfee", 6)); got != `{"feerate":0.00002000,"blocks":6}` {
		t.Errorf("estimatesmartfee %s", got)
	}
	if got := string(ts.mustCall(t, "estimatesmartfee", 500, "CONSERVATIVE")); got != `{"errors":["Insufficient data or no feerate found"],"blocks":100}` {
		t.Errorf("estimatesmartfee without data %s", got)
	}
	_, e = ts.call(t, "estimatesmartfee", 0)
	wantError(t, e, CodeInvalidParameter, "Invalid conf_target, must be between 1 and 1008")
	_, e = ts.call(t, "estimatesmartfee", 2, "fast")
	wantError(t, e, CodeInvalidParameter, `Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"`)
}
