package consensus_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/ballast-chain/ballast/internal/asset"
	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wire"
)

// assetKit holds the keys and contract of the asset full-block cases: an
// issuer key and three auditors behind a 2-of-3 policy.
type assetKit struct {
	h        *harness
	issuer   *chaingenKey
	auditors []*chaingenKey
	contract *asset.Contract
}

func newAssetKit(h *harness) *assetKit {
	k := &assetKit{h: h, issuer: newKey("issuer")}
	for _, s := range []string{"auditor-a", "auditor-b", "auditor-c"} {
		k.auditors = append(k.auditors, newKey(s))
	}
	k.contract = k.newContract("BASKET")
	return k
}

func (k *assetKit) newContract(ticker string) *asset.Contract {
	var aud []*policy.Node
	for _, a := range k.auditors {
		aud = append(aud, policy.NewKey(a.x))
	}
	return &asset.Contract{
		Name: "Basket token", Ticker: ticker, Decimals: 2,
		Basket: []asset.Good{
			{Name: "rice", Unit: "kg", Quantity: 5, Decimals: 1},
			{Name: "fuel", Unit: "l", Quantity: 2, Decimals: 1},
			{Name: "gold", Unit: "g", Quantity: 1, Decimals: 0},
		},
		IssuerPolicy:  policy.NewKey(k.issuer.x).Encode(),
		AuditorPolicy: policy.NewThresh(2, aud...).Encode(),
	}
}

// issueTx spends a fresh coinbase, issues amount of c from input 0 and
// pays it (and the native change) to the generator's key.
func (k *assetKit) issueTx(c *asset.Contract, amount int64) (*wire.Tx, wire.AssetID) {
	h := k.h
	cb := h.nextCoinbase()
	id := asset.ID(cb.OutPoint, c.Hash())
	tx := &wire.Tx{Version: 2,
		TxIn: []wire.TxIn{{PrevOut: cb.OutPoint, Sequence: 0xffffffff}},
		TxOut: []wire.TxOut{
			{Value: cb.Out.Value, Lock: chaingen.KeyLock(h.g.Key)},
			{Asset: id, Value: amount, Lock: chaingen.KeyLock(h.g.Key)},
		},
		Records: []wire.Record{{Type: wire.RecordIssue, Payload: (&asset.Issue{Amount: uint64(amount), Contract: c.Encode()}).Encode()}},
	}
	h.resign(tx, []wire.TxOut{cb.Out})
	return tx, id
}

// feeTx spends a fresh coinbase back to the generator with the records
// given (witnesses included) and extra outputs; it returns the spent output.
func (k *assetKit) feeTx(recs []wire.Record, extra ...wire.TxOut) (*wire.Tx, []wire.TxOut) {
	h := k.h
	cb := h.nextCoinbase()
	tx := &wire.Tx{Version: 2,
		TxIn:    []wire.TxIn{{PrevOut: cb.OutPoint, Sequence: 0xffffffff}},
		TxOut:   append([]wire.TxOut{{Value: cb.Out.Value, Lock: chaingen.KeyLock(h.g.Key)}}, extra...),
		Records: recs,
	}
	prev := []wire.TxOut{cb.Out}
	h.resign(tx, prev)
	return tx, prev
}

// attest returns an attestation record signed by the given auditors.
func (k *assetKit) attest(a *asset.Attestation, signers ...int) wire.Record {
	rec := wire.Record{Type: wire.RecordAttestation, Payload: a.Encode()}
	if len(signers) == 0 {
		return rec
	}
	ring := policy.NewKeyRing()
	for _, i := range signers {
		ring.AddKey(k.auditors[i].priv)
	}
	pol, _ := policy.Decode(k.contract.AuditorPolicy)
	env := asset.RecordEnv(&wire.Tx{}, a.Message(), nil)
	sat, err := policy.Satisfy(pol, ring, &env)
	if err != nil {
		// Too few signers for the policy: sign what we can in a bitmap
		// that still claims k children, so the signature check fails.
		sat = forgedThresh(k, a, signers)
	}
	rec.Witness = [][]byte{k.contract.AuditorPolicy, sat}
	return rec
}

// forgedThresh builds a 2-of-3 satisfaction whose first signature is real
// and whose second is by the same auditor for another child: under-signed.
func forgedThresh(k *assetKit, a *asset.Attestation, signers []int) []byte {
	ring := policy.NewKeyRing(k.auditors[signers[0]].priv)
	msg := a.Message()
	sig, _ := ring.Sign(k.auditors[signers[0]].x, msg)
	other := (signers[0] + 1) % 3
	bitmap := byte(1<<signers[0] | 1<<other)
	out := []byte{bitmap}
	for j := range 3 {
		if bitmap&(1<<j) != 0 {
			out = append(out, sig[:]...)
		}
	}
	return out
}

// reissue signs a reissue record (at index rec of tx) with key.
func (k *assetKit) signReissue(tx *wire.Tx, rec int, prev []wire.TxOut, key *chaingenKey) {
	msg, err := asset.RecordSigHash(tx, rec, prev, nil)
	if err != nil {
		k.h.t.Fatal(err)
	}
	ring := policy.NewKeyRing(key.priv)
	pol := policy.NewKey(k.issuer.x)
	// The issuer policy is key(issuer); a wrong key signs as if it were.
	sig, _ := ring.Sign(key.x, msg)
	tx.Records[rec].Witness = [][]byte{pol.Encode(), sig[:]}
}

// rejectAsset is harness.reject that also checks the registry is unchanged.
func (k *assetKit) reject(txs []*wire.Tx, kind consensus.ErrorKind) {
	k.h.t.Helper()
	before := maps.Clone(k.h.c.Assets)
	k.h.reject(k.h.block(txs, chaingen.BlockOpts{}), kind)
	if !maps.Equal(before, k.h.c.Assets) {
		k.h.t.Fatal("a rejected block changed the asset registry")
	}
}

func (k *assetKit) accept(txs ...*wire.Tx) {
	k.h.t.Helper()
	k.h.accept(k.h.block(txs, chaingen.BlockOpts{}))
}

func TestFullBlockAssets(t *testing.T) {
	h := newHarness(t)
	k := newAssetKit(h)
	keyLock := chaingen.KeyLock(h.g.Key)

	// The asset every later case uses: 1,000.00 units.
	issue, id := k.issueTx(k.contract, 100_000)
	k.accept(issue)
	if s := h.c.Assets[id]; s == nil || s.Contract.Ticker != "BASKET" {
		t.Fatalf("issued asset not in the registry: %+v", s)
	}
	assetOut := chaingen.Outputs(issue, h.c.Tip.Height)[1]

	t.Run("issue/same id twice", func(t *testing.T) {
		// The outpoint that named the asset is spent: issuing again from
		// it is a double spend.
		again := &wire.Tx{Version: 2, TxIn: []wire.TxIn{{PrevOut: issue.TxIn[0].PrevOut, Sequence: 0xffffffff}},
			TxOut:   []wire.TxOut{{Asset: id, Value: 1, Lock: keyLock}},
			Records: issue.Records}
		k.reject([]*wire.Tx{again}, consensus.ErrMissingTxOut)
		// Two records naming the same input and contract in one tx.
		tx, _ := k.issueTx(k.contract, 10)
		tx.Records = append(tx.Records, tx.Records[0])
		tx.TxOut[1].Value = 20
		k.reject([]*wire.Tx{tx}, consensus.ErrDuplicateIssuance)
	})
	t.Run("issue/two contracts from one input", func(t *testing.T) {
		tx, id1 := k.issueTx(k.contract, 10)
		other := k.newContract("OTHER")
		id2 := asset.ID(tx.TxIn[0].PrevOut, other.Hash())
		tx.Records = append(tx.Records, wire.Record{Type: wire.RecordIssue, Payload: (&asset.Issue{Amount: 7, Contract: other.Encode()}).Encode()})
		tx.TxOut = append(tx.TxOut, wire.TxOut{Asset: id2, Value: 7, Lock: keyLock})
		h.resign(tx, []wire.TxOut{h.lastCoinbase().Out})
		k.accept(tx)
		if h.c.Assets[id1] == nil || h.c.Assets[id2] == nil || id1 == id2 {
			t.Fatal("both assets should be registered under distinct ids")
		}
	})
	t.Run("ErrBadContract", func(t *testing.T) {
		c := k.newContract(strings.Repeat("T", asset.MaxTickerLen+1))
		tx, _ := k.issueTx(c, 1)
		k.reject([]*wire.Tx{tx}, consensus.ErrBadContract)
		c = k.newContract("lower")
		tx, _ = k.issueTx(c, 1)
		k.reject([]*wire.Tx{tx}, consensus.ErrBadContract)
		// The boundary: the longest ticker.
		tx, _ = k.issueTx(k.newContract(strings.Repeat("T", asset.MaxTickerLen)), 1)
		k.accept(tx)
	})
	t.Run("ErrBadRecord", func(t *testing.T) {
		tx, _ := k.issueTx(k.contract, 1)
		tx.Records[0].Payload = tx.Records[0].Payload[:11]
		h.resign(tx, []wire.TxOut{h.lastCoinbase().Out})
		k.reject([]*wire.Tx{tx}, consensus.ErrBadRecord)
		tx, _ = k.feeTx([]wire.Record{{Type: wire.RecordReissue, Payload: (&asset.Reissue{Asset: id}).Encode()}})
		k.reject([]*wire.Tx{tx}, consensus.ErrBadRecord) // a reissue of 0
	})
	t.Run("ErrBadIssueInput", func(t *testing.T) {
		tx, _ := k.issueTx(k.contract, 1)
		p := asset.Issue{Input: 1, Amount: 1, Contract: k.contract.Encode()}
		tx.Records[0].Payload = p.Encode()
		h.resign(tx, []wire.TxOut{h.lastCoinbase().Out})
		k.reject([]*wire.Tx{tx}, consensus.ErrBadIssueInput)
	})
	t.Run("ErrBadRecordWitness", func(t *testing.T) {
		tx, _ := k.issueTx(k.contract, 1)
		tx.Records[0].Witness = [][]byte{{1}}
		k.reject([]*wire.Tx{tx}, consensus.ErrBadRecordWitness)
	})
	t.Run("ErrAssetNotConserved/issuance", func(t *testing.T) {
		tx, _ := k.issueTx(k.contract, 100)
		tx.TxOut[1].Value = 101
		h.resign(tx, []wire.TxOut{h.lastCoinbase().Out})
		k.reject([]*wire.Tx{tx}, consensus.ErrAssetNotConserved)
	})
	t.Run("transfer, burn and redeem", func(t *testing.T) {
		spend := func(outs ...wire.TxOut) (*wire.Tx, []wire.TxOut) {
			cb := h.nextCoinbase()
			tx := &wire.Tx{Version: 2,
				TxIn:  []wire.TxIn{{PrevOut: assetOut.OutPoint, Sequence: 0xffffffff}, {PrevOut: cb.OutPoint, Sequence: 0xffffffff}},
				TxOut: append([]wire.TxOut{{Value: cb.Out.Value, Lock: keyLock}}, outs...)}
			prev := []wire.TxOut{assetOut.Out, cb.Out}
			h.resign(tx, prev)
			return tx, prev
		}
		// Inflate through a transfer: one more than the input.
		tx, _ := spend(wire.TxOut{Asset: id, Value: 100_001, Lock: keyLock})
		k.reject([]*wire.Tx{tx}, consensus.ErrAssetNotConserved)
		h.used[int32(h.next)] = false
		// Burn more than held.
		tx, _ = spend(wire.TxOut{Asset: id, Value: 99_000, Lock: keyLock}, wire.TxOut{Asset: id, Value: 1_001, Lock: wire.BurnLock(nil)})
		k.reject([]*wire.Tx{tx}, consensus.ErrAssetNotConserved)
		h.used[int32(h.next)] = false
		// Outputs + burn + redemption = inputs exactly.
		tx, _ = spend(wire.TxOut{Asset: id, Value: 98_000, Lock: keyLock},
			wire.TxOut{Asset: id, Value: 1_000, Lock: wire.BurnLock(nil)},
			wire.TxOut{Asset: id, Value: 1_000, Lock: wire.BurnLock([]byte("delivery-42"))})
		k.accept(tx)
		assetOut = chaingen.Outputs(tx, h.c.Tip.Height)[1]
	})
	t.Run("reissue", func(t *testing.T) {
		build := func(asset_ wire.AssetID, amount int64) (*wire.Tx, []wire.TxOut) {
			rec := wire.Record{Type: wire.RecordReissue, Payload: (&asset.Reissue{Asset: asset_, Amount: uint64(amount)}).Encode()}
			return k.feeTx([]wire.Record{rec}, wire.TxOut{Asset: asset_, Value: amount, Lock: keyLock})
		}
		// No witness at all.
		tx, _ := build(id, 500)
		k.reject([]*wire.Tx{tx}, consensus.ErrBadIssuerAuth)
		h.used[int32(h.next)] = false
		// Signed by someone else.
		tx, prev := build(id, 500)
		k.signReissue(tx, 0, prev, k.auditors[0])
		k.reject([]*wire.Tx{tx}, consensus.ErrBadIssuerAuth)
		h.used[int32(h.next)] = false
		// The issuer's signature from another transaction does not carry over.
		tx, prev = build(id, 500)
		k.signReissue(tx, 0, prev, k.issuer)
		stolen := tx.Records[0].Witness
		tx2, _ := build(id, 600)
		tx2.Records[0].Payload = (&asset.Reissue{Asset: id, Amount: 600}).Encode()
		tx2.Records[0].Witness = stolen
		k.reject([]*wire.Tx{tx2}, consensus.ErrBadIssuerAuth)
		// Unknown asset.
		tx3, prev3 := build(wire.AssetID{0x77}, 5)
		k.signReissue(tx3, 0, prev3, k.issuer)
		k.reject([]*wire.Tx{tx3}, consensus.ErrUnknownAsset)
		// More than the reissue in outputs.
		tx4, prev4 := build(id, 5)
		tx4.TxOut[1].Value = 6
		h.resign(tx4, prev4)
		k.signReissue(tx4, 0, prev4, k.issuer)
		k.reject([]*wire.Tx{tx4}, consensus.ErrAssetNotConserved)
		// The issuer's own, signed for this transaction.
		k.accept(tx)
	})
	t.Run("attestation", func(t *testing.T) {
		att := &asset.Attestation{Asset: id, Time: 1_700_000_000, Document: [32]byte{0xd0},
			Holdings: []asset.Holding{{Good: 0, Held: 5_000}, {Good: 1, Held: 2_000}, {Good: 2, Held: 1_000}}}
		withRec := func(r wire.Record) *wire.Tx { tx, _ := k.feeTx([]wire.Record{r}); return tx }
		k.reject([]*wire.Tx{withRec(k.attest(att))}, consensus.ErrBadAttestationAuth)    // unsigned
		k.reject([]*wire.Tx{withRec(k.attest(att, 0))}, consensus.ErrBadAttestationAuth) // 1 of 3
		unknown := *att
		unknown.Asset = wire.AssetID{0x55}
		k.reject([]*wire.Tx{withRec(k.attest(&unknown, 0, 1))}, consensus.ErrUnknownAsset)
		outside := *att
		outside.Holdings = []asset.Holding{{Good: 0, Held: 1}, {Good: 3, Held: 1}}
		k.reject([]*wire.Tx{withRec(k.attest(&outside, 0, 1))}, consensus.ErrAttestationGood)
		k.accept(withRec(k.attest(att, 0, 2))) // 2 of 3 (a and c)
		if s := h.c.Assets[id]; !s.Attested || s.LatestAttestation != att.Time {
			t.Fatalf("latest attestation not recorded: %+v", s)
		}
		// Replaying the same statement, or an older one, is stale.
		k.reject([]*wire.Tx{withRec(k.attest(att, 0, 2))}, consensus.ErrStaleAttestation)
		older := *att
		older.Time--
		k.reject([]*wire.Tx{withRec(k.attest(&older, 1, 2))}, consensus.ErrStaleAttestation)
		// One second newer is fine (the boundary), and two in one block
		// must be in time order.
		next := *att
		next.Time++
		later := next
		later.Time++
		k.reject([]*wire.Tx{withRec(k.attest(&later, 0, 1)), withRec(k.attest(&next, 0, 1))}, consensus.ErrStaleAttestation)
		k.accept(withRec(k.attest(&next, 0, 1)), withRec(k.attest(&later, 1, 2)))
	})
	t.Run("ErrTooManySigChecks counts record witnesses", func(t *testing.T) {
		att := &asset.Attestation{Asset: id, Time: 1, Holdings: []asset.Holding{{Good: 0, Held: 1}}}
		tx, _ := k.feeTx([]wire.Record{k.attest(att, 0, 1)})
		if n := policy.CountSigChecks(tx.Records[0].Witness); n != 2 {
			t.Fatalf("record witness counts %d signature checks, want 2", n)
		}
		h.used[int32(h.next)] = false
	})
}
