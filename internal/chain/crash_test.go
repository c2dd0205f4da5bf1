package chain

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/store"
	"github.com/ballast-chain/ballast/internal/wire"
)

const crashChildEnv = "BALLAST_CHAIN_CRASH_CHILD"

// crashScript builds the blocks the child submits: a main chain with
// payments and, every few blocks, a heavier fork that forces a reorg of a
// few blocks, so kills land in connects, disconnects and reorgs alike.
func crashScript(p *params.Params) []*wire.Block {
	g := chaingen.NewGenerator(p, "crash")
	var out []*wire.Block
	out = append(out, mine(nil, g, 105, 0)...)
	for round := range 6 {
		fork := g.Tip
		out = append(out, mine(nil, g, 2+round%3, 0)...) // the branch that loses
		g.Rewind(fork)
		out = append(out, mine(nil, g, 4+round%3, 0)...) // the branch that wins
	}
	return out
}

func writeBlocks(t *testing.T, path string, blocks []*wire.Block) {
	var buf []byte
	for _, b := range blocks {
		raw := b.Bytes()
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(raw)))
		buf = append(buf, raw...)
	}
	if err := os.WriteFile(path, buf, 0o600); err != nil {
		t.Fatal(err)
	}
}

func readBlocks(path string) ([]*wire.Block, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var blocks []*wire.Block
	for len(buf) > 0 {
		n := binary.LittleEndian.Uint32(buf)
		b, err := wire.DecodeBlock(buf[4 : 4+n])
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, b)
		buf = buf[4+n:]
	}
	return blocks, nil
}

// TestCrashChild is the child process: it submits every block of the script
// (alternately through ProcessBlock and ProcessBlockLazy with Flush) and
// acknowledges each one the chain reports connected.
func TestCrashChild(t *testing.T) {
	arg := os.Getenv(crashChildEnv)
	if arg == "" {
		t.Skip("helper process for TestCrashRecovery")
	}
	dir, file, _ := strings.Cut(arg, ",")
	blocks, err := readBlocks(file)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	db, err := store.Open(store.Config{Dir: dir})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	c, err := Open(Config{DB: db, Params: params.Regtest(), TxIndex: true, AddrIndex: true})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	w := bufio.NewWriter(os.Stdout)
	for i, b := range blocks {
		// Every other block goes the way of a sync (lazy, then flushed
		// before it is acknowledged).
		process := c.ProcessBlock
		if i%2 == 1 {
			process = func(b *wire.Block) (Outcome, error) {
				out, err := c.ProcessBlockLazy(b)
				if err == nil {
					err = c.Flush()
				}
				return out, err
			}
		}
		out, err := process(b)
		if errors.Is(err, ErrDuplicateBlock) {
			continue
		}
		if err != nil {
			fmt.Fprintln(w, "error", err)
			w.Flush()
			os.Exit(3)
		}
		if out == Connected {
			fmt.Fprintln(w, "connected", c.Tip().Hash)
			w.Flush()
		}
	}
	fmt.Fprintln(w, "done", c.Tip().Hash)
	w.Flush()
	os.Exit(0)
}

// TestCrashRecovery kills the real process (SIGKILL) at random moments while
// it connects blocks and reorganises, then checks after every restart that
// the stored UTXO set, height index and transaction index are exactly what
// the restored tip implies, and that no acknowledged block was lost.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	p := params.Regtest()
	blocks := crashScript(p)
	dir := t.TempDir()
	dbDir := filepath.Join(dir, "db")
	file := filepath.Join(dir, "blocks")
	writeBlocks(t, file, blocks)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))

	var acked chainhash.Hash
	kills := 0
	for round := 0; ; round++ {
		if round > 60 {
			t.Fatal("child never finished")
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v=false")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dbDir+","+file)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Kill after a random number of acknowledgements plus a random
		// delay, so the kill lands anywhere inside the next block's work.
		// The last rounds let the child finish.
		killAfter := -1
		if round < 30 {
			killAfter = rng.IntN(6)
		}
		finished := false
		seen := 0
		for l := range lines {
			f := strings.Fields(l)
			switch f[0] {
			case "connected":
				acked, _ = chainhash.NewHashFromStr(f[1])
				if seen == killAfter {
					time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
					_ = cmd.Process.Signal(syscall.SIGKILL)
					kills++
				}
				seen++
			case "done":
				finished = true
			case "error":
				t.Fatalf("child: %s", l)
			}
		}
		_ = cmd.Wait()
		tc := openTest(t, dbDir, Config{Params: p, TxIndex: true, AddrIndex: true})
		tc.checkRecovered(acked)
		tip := tc.c.Tip()
		tc.close()
		if finished {
			if want := blocks[len(blocks)-1].BlockHash(); tip.Hash != want {
				t.Fatalf("final tip %s, want %s", tip.Hash, want)
			}
			break
		}
	}
	if kills < 15 {
		t.Fatalf("only %d kills landed; the test did not test crashes", kills)
	}
	t.Logf("%d SIGKILLs, state consistent after each restart", kills)
}

// checkRecovered verifies a restarted chain: the acknowledged block survived,
// the UTXO set matches a replay of the active chain, and the height and
// transaction indexes agree with the active chain.
func (tc *testChain) checkRecovered(acked chainhash.Hash) {
	tc.t.Helper()
	if !acked.IsZero() {
		bi, err := tc.c.BlockInfo(acked)
		if err != nil || !bi.HaveData {
			tc.t.Fatalf("acknowledged block %s lost: %v", acked, err)
		}
		tip, _ := tc.c.BlockInfo(tc.c.Tip().Hash)
		if new(big.Int).SetBytes(tip.ChainWork).Cmp(new(big.Int).SetBytes(bi.ChainWork)) < 0 {
			tc.t.Fatalf("tip has less work than the acknowledged block")
		}
	}
	tc.checkConsistent()
	tip := tc.c.Tip()
	txs := 0
	for h := int32(0); h <= tip.Height; h++ {
		v, err := tc.db.Get(heightKey(h))
		if err != nil {
			tc.t.Fatalf("height %d missing from the height index: %v", h, err)
		}
		want, _ := tc.c.BlockHash(h)
		if chainhash.Hash(v) != want {
			tc.t.Fatalf("height index at %d disagrees", h)
		}
		if h == 0 {
			continue
		}
		m, _ := tc.c.Block(want)
		for _, tx := range m.Transactions {
			if _, loc, err := tc.c.FindTx(tx.TxHash()); err != nil || loc.Block != want {
				tc.t.Fatalf("tx %s of block %d not indexed to it: %v", tx.TxHash(), h, err)
			}
			txs++
		}
	}
	if _, err := tc.db.Get(heightKey(tip.Height + 1)); err == nil {
		tc.t.Fatal("height index has an entry above the tip")
	}
	n := 0
	_ = tc.db.Iterate([]byte{prefixTx}, func(_, _ []byte) (bool, error) { n++; return true, nil })
	if n != txs {
		tc.t.Fatalf("tx index has %d entries, active chain has %d transactions", n, txs)
	}
}
