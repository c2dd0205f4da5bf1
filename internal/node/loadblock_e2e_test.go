package node_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDumpAndLoadBlocks runs two real nodes: the first writes its chain to a
// block file with the dumpblocks RPC, the second, connected to nobody,
// imports it at start-up with -loadblock and reaches the same tip.
func TestDumpAndLoadBlocks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs node processes")
	}
	bin := buildBinary(t)
	srcBase := t.TempDir()
	src := &netNode{proc: startNode(t, bin, srcBase, freePort(t), "-listen", freePortOn(t, "127.0.0.30")), p2p: ""}
	src.mine(150, "loadblock")
	tip := unquote(t, src.call("getbestblockhash"))

	var res struct {
		Path          string
		Start, End    int
		Blocks, Bytes int
	}
	if err := json.Unmarshal(src.call("dumpblocks", "blocks.dat"), &res); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(srcBase, "regtest", "blocks.dat")
	st, err := os.Stat(want)
	if err != nil || res.Path != want || res.Start != 0 || res.End != 150 || res.Blocks != 151 || int64(res.Bytes) != st.Size() {
		t.Fatalf("dumpblocks: %+v (file %v, %v)", res, st, err)
	}
	if err := src.callErr("dumpblocks", "blocks.dat"); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("overwriting: %v", err)
	}
	if err := src.callErr("dumpblocks", "later.dat", 151); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("start past the tip: %v", err)
	}
	if _, err := os.Stat(filepath.Join(srcBase, "regtest", "later.dat.incomplete")); !os.IsNotExist(err) {
		t.Fatalf("a failed dump left its temporary file: %v", err)
	}

	dst := startNode(t, bin, t.TempDir(), freePort(t), "-listen", freePortOn(t, "127.0.0.31"), "-loadblock", want)
	deadline := time.Now().Add(60 * time.Second)
	for unquote(t, dst.call("getbestblockhash")) != tip {
		if time.Now().After(deadline) {
			n, _ := strconv.Atoi(string(dst.call("getblockcount")))
			t.Fatalf("import reached height %d of 150 in 60 s", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	dst.stop(syscall.SIGTERM) // its log is complete once it has exited
	if log := dst.stderr.String(); !strings.Contains(log, "loadblock: imported") || !strings.Contains(log, "new=150") {
		t.Errorf("no import log line for 150 new blocks:\n%s", log)
	}
}
