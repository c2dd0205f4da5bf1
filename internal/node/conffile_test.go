package node

import "testing"

func TestParseConfFile(t *testing.T) {
	cf, err := ParseConfFile([]byte(`
# a comment
txindex=1
rpcuser = alice   # trailing comment
[regtest]
txindex=0
-rpcbind=127.0.0.1:1
`))
	if err != nil {
		t.Fatal(err)
	}
	got := cf.For("regtest")
	if got["txindex"] != "0" || got["rpcuser"] != "alice" || got["rpcbind"] != "127.0.0.1:1" {
		t.Fatalf("regtest settings %v", got)
	}
	if cf.For("mainnet")["txindex"] != "1" {
		t.Fatal("global setting lost")
	}
	for _, bad := range []string{"novalue", "=x", "[]"} {
		if _, err := ParseConfFile([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
