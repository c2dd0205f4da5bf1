package rpc

import (
	"encoding/json"
	"testing"
)

func TestExportedArgs(t *testing.T) {
	req := &Request{Params: []json.RawMessage{json.RawMessage(`"x"`), json.RawMessage(`7`), nil, json.RawMessage(`true`)}}
	a := NewArgs(req)
	if a.String(0) != "x" || a.Int64(1, 0) != 7 || a.Has(2) || a.Int64(2, 9) != 9 || !a.Bool(3, false) || a.Err() != nil {
		t.Fatal("exported args disagree with the parameters")
	}
	bad := NewArgs(&Request{Params: []json.RawMessage{json.RawMessage(`"zz"`)}})
	bad.Hash(0, "blockhash")
	bad.Int64(0, 0)
	if bad.Err() == nil {
		t.Fatal("bad hash accepted")
	}
}
