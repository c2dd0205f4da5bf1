package consensus

import (
	"errors"
	"testing"

	"github.com/ballast-chain/ballast/internal/wire"
)

type mapSource map[wire.OutPoint]UtxoEntry

func (m mapSource) FetchUtxo(op wire.OutPoint) (*UtxoEntry, error) {
	if op.Index == 666 {
		return nil, errors.New("disk on fire")
	}
	e, ok := m[op]
	if !ok {
		return nil, nil
	}
	return &e, nil
}

func TestUtxoView(t *testing.T) {
	lock := wire.KeyLock([32]byte{1})
	old := wire.OutPoint{Hash: [32]byte{1}}
	src := mapSource{old: {Out: wire.TxOut{Value: 5, Lock: lock}, Height: 3}}
	v := NewUtxoView(src)

	if e, err := v.Lookup(old); err != nil || e == nil || e.Out.Value != 5 {
		t.Fatalf("lookup through to source: %v %v", e, err)
	}
	if e, err := v.Lookup(wire.OutPoint{Hash: [32]byte{2}}); e != nil || err != nil {
		t.Fatalf("missing outpoint: %v %v", e, err)
	}
	if _, err := v.Lookup(wire.OutPoint{Index: 666}); err == nil {
		t.Fatal("source error swallowed")
	}

	tx := &wire.Tx{Version: 1, TxOut: []wire.TxOut{{Value: 1, Lock: lock}, {Value: 2, Lock: wire.BurnLock(nil)}, {Value: 3, Lock: lock}}}
	id := tx.TxHash()
	v.AddTxOuts(tx, id, 10)
	if e, _ := v.Lookup(wire.OutPoint{Hash: id, Index: 1}); e != nil {
		t.Fatal("burn output entered the UTXO set")
	}
	v.spend(old)
	v.spend(wire.OutPoint{Hash: id, Index: 0}) // created and spent in the view
	if e, _ := v.Lookup(old); e != nil {
		t.Fatal("spent entry still visible")
	}

	got := map[wire.OutPoint]*UtxoEntry{}
	for _, c := range v.Changes() {
		got[c.OutPoint] = c.Entry
	}
	if len(got) != 2 {
		t.Fatalf("changes %v, want a delete of the old output and one new output", got)
	}
	if e, ok := got[old]; !ok || e != nil {
		t.Fatal("spent source output not deleted")
	}
	if e := got[wire.OutPoint{Hash: id, Index: 2}]; e == nil || e.Out.Value != 3 || e.Height != 10 {
		t.Fatalf("new output change %+v", e)
	}
}

func TestIsFinalTx(t *testing.T) {
	tx := func(lt uint32, seq uint32) *wire.Tx {
		return &wire.Tx{LockTime: lt, TxIn: []wire.TxIn{{Sequence: seq}}}
	}
	cases := []struct {
		name   string
		tx     *wire.Tx
		height int32
		time   uint32
		final  bool
	}{
		{"no locktime", tx(0, 0), 1, 0, true},
		{"height below", tx(99, 0), 100, 0, true},
		{"height equal", tx(100, 0), 100, 0, false},
		{"height above, final sequence", tx(101, SequenceFinal), 100, 0, true},
		{"time below", tx(LockTimeThreshold+5, 0), 100, LockTimeThreshold + 6, true},
		{"time equal", tx(LockTimeThreshold+5, 0), 100, LockTimeThreshold + 5, false},
		{"time vs height confusion", tx(LockTimeThreshold-1, 0), 100, LockTimeThreshold + 100, false},
	}
	for _, c := range cases {
		if got := IsFinalTx(c.tx, c.height, c.time); got != c.final {
			t.Errorf("%s: final=%v, want %v", c.name, got, c.final)
		}
	}
}

func TestRuleErrorUnwrap(t *testing.T) {
	cause := errors.New("inner")
	err := wrapTx(&RuleError{Kind: ErrBadSpend, Description: "x", Cause: cause}, 3, [32]byte{})
	if !errors.Is(err, ErrBadSpend) || !errors.Is(err, cause) {
		t.Fatalf("wrapped error lost its kind or cause: %v", err)
	}
	if ErrBadSpend.RejectReason() != "mandatory-script-verify-flag-failed" || ErrorKind("ErrX").RejectReason() != "ErrX" {
		t.Fatal("reject reasons")
	}
}
