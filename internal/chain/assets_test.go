package chain

import (
	"reflect"
	"testing"

	"github.com/ballast-chain/ballast/internal/asset"
	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wire"
)

// assetBlocks builds, on g, a block issuing 1,000 units (from coinbase
// cbHeight) and a block redeeming 100 of them with a 1-of-1 attestation.
func assetBlocks(t *testing.T, g *chaingen.Generator, cbHeight int32) (wire.AssetID, []*wire.Block, consensus.HeaderInfo) {
	auditor := chaingen.KeyFromSeed("auditor")
	c := &asset.Contract{Name: "Rice", Ticker: "RICE", Decimals: 0,
		Basket:        []asset.Good{{Name: "rice", Unit: "kg", Quantity: 1}},
		IssuerPolicy:  policy.NewKey(chaingen.XOnly(g.Key)).Encode(),
		AuditorPolicy: policy.NewThresh(1, policy.NewKey(chaingen.XOnly(auditor))).Encode()}
	cb := g.Coinbases[cbHeight]
	id := asset.ID(cb.OutPoint, c.Hash())
	lock := chaingen.KeyLock(g.Key)
	issue := &wire.Tx{Version: 2, TxIn: []wire.TxIn{{PrevOut: cb.OutPoint, Sequence: 0xffffffff}},
		TxOut:   []wire.TxOut{{Value: cb.Out.Value, Lock: lock}, {Asset: id, Value: 1000, Lock: lock}},
		Records: []wire.Record{{Type: wire.RecordIssue, Payload: (&asset.Issue{Amount: 1000, Contract: c.Encode()}).Encode()}}}
	chaingen.SignKeySpends(issue, []wire.TxOut{cb.Out}, g.Key)
	b1 := g.NextBlock([]*wire.Tx{issue}, chaingen.BlockOpts{})
	mid := g.Tip

	out := chaingen.Outputs(issue, g.Tip.Height)
	att := &asset.Attestation{Asset: id, Time: 1_700_000_000, Holdings: []asset.Holding{{Good: 0, Held: 900}}}
	ring := policy.NewKeyRing(auditor)
	pol, _ := policy.Decode(c.AuditorPolicy)
	env := asset.RecordEnv(&wire.Tx{}, att.Message(), nil)
	sat, err := policy.Satisfy(pol, ring, &env)
	if err != nil {
		t.Fatal(err)
	}
	redeem := &wire.Tx{Version: 2,
		TxIn: []wire.TxIn{{PrevOut: out[0].OutPoint, Sequence: 0xffffffff}, {PrevOut: out[1].OutPoint, Sequence: 0xffffffff}},
		TxOut: []wire.TxOut{{Value: out[0].Out.Value, Lock: lock}, {Asset: id, Value: 900, Lock: lock},
			{Asset: id, Value: 100, Lock: wire.BurnLock([]byte("order-1"))}},
		Records: []wire.Record{{Type: wire.RecordAttestation, Payload: att.Encode(), Witness: [][]byte{c.AuditorPolicy, sat}}}}
	chaingen.SignKeySpends(redeem, []wire.TxOut{out[0].Out, out[1].Out}, g.Key)
	b2 := g.NextBlock([]*wire.Tx{redeem}, chaingen.BlockOpts{})
	return id, []*wire.Block{b1, b2}, mid
}

func TestAssetRegistryFollowsReorgs(t *testing.T) {
	tc := openTest(t, t.TempDir(), Config{})
	defer func() { tc.close() }()
	g := chaingen.NewGenerator(tc.cfg.Params, "assets")
	mine(tc, g, 100, Connected) // coinbase 1 is mature and unspent
	fork := g.Tip
	id, blocks, afterIssue := assetBlocks(t, g, 1)
	for _, b := range blocks {
		tc.mustProcess(b, Connected)
	}
	info := func() *AssetInfo {
		a, err := tc.c.Asset(id)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := info()
	if a == nil || a.Issued != 1000 || a.Burned != 100 || a.Redeemed != 100 || a.Supply() != 900 || a.Attestations != 1 {
		t.Fatalf("registry after issue and redeem: %+v", a)
	}
	hist, _ := tc.c.AssetHistory(id, 0, 0)
	if len(hist) != 3 || hist[0].Kind != EventIssue || hist[1].Kind != EventAttest || hist[2].Kind != EventRedeem || string(hist[2].Reference) != "order-1" {
		t.Fatalf("history: %+v", hist)
	}

	// A restart keeps it; a database without the registry rebuilds it.
	tc = tc.reopen()
	if got := info(); !reflect.DeepEqual(got, a) {
		t.Fatalf("after restart: %+v, want %+v", got, a)
	}
	b := tc.db.NewBatch()
	b.Delete(keyAssets)
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	tc = tc.reopen()
	if got := info(); !reflect.DeepEqual(got, a) {
		t.Fatalf("after rebuild: %+v, want %+v", got, a)
	}

	// A fork after the issuance: the redemption and attestation are undone.
	g.Rewind(afterIssue)
	side := mine(nil, g, 2, 0)
	tc.mustProcess(side[0], SideChain)
	tc.mustProcess(side[1], Connected)
	a = info()
	if a == nil || a.Issued != 1000 || a.Burned != 0 || a.Attestations != 0 || a.Attestation != nil {
		t.Fatalf("registry after disconnecting the redemption: %+v", a)
	}
	if hist, _ := tc.c.AssetHistory(id, 0, 0); len(hist) != 1 {
		t.Fatalf("history after reorg: %+v", hist)
	}
	if s, err := tc.c.FetchAsset(id); err != nil || s == nil || s.Attested {
		t.Fatalf("consensus view after reorg: %+v, %v", s, err)
	}

	// A longer fork from before the issuance: the asset never existed.
	g.Rewind(fork)
	long := mine(nil, g, 4, 0)
	for _, b := range long {
		_, _ = tc.c.ProcessBlock(b)
	}
	if tc.c.Tip().Hash != g.Tip.Hash {
		t.Fatal("did not switch to the longer fork")
	}
	if a := info(); a != nil {
		t.Fatalf("asset survived the reorg: %+v", a)
	}
	if hist, _ := tc.c.AssetHistory(id, 0, 0); len(hist) != 0 {
		t.Fatalf("history survived the reorg: %+v", hist)
	}
}
