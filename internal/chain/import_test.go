package chain

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wire"
)

// exportedChain builds a chain whose last block spends 40 outputs, and
// returns it with its blocks exported as a block file, and the record of
// another last block, the same but for a bad signature.
func exportedChain(t *testing.T) (tc *testChain, file, badLast []byte) {
	t.Helper()
	tc, g, spends := fanOutChain(t, &batchCounter{})
	parent := g.Tip
	if _, err := tc.c.ProcessBlock(g.NextBlock(spends, chaingen.BlockOpts{})); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := tc.c.ExportBlocks(context.Background(), &buf, 0, -1)
	if err != nil || n != int(tc.c.Tip().Height)+1 {
		t.Fatalf("exported %d blocks (%v), tip at %d", n, err, tc.c.Tip().Height)
	}
	bad := *spends[7]
	bad.TxIn = []wire.TxIn{spends[7].TxIn[0]}
	bad.TxIn[0].Witness = [][]byte{bytes.Clone(spends[7].TxIn[0].Witness[0])}
	bad.TxIn[0].Witness[0][3] ^= 1
	withBad := append(append(append([]*wire.Tx(nil), spends[:7]...), &bad), spends[8:]...)
	g.Rewind(parent)
	var rec bytes.Buffer
	if err := WriteBlockRecord(&rec, tc.c.p.Magic, g.NextBlock(withBad, chaingen.BlockOpts{})); err != nil {
		t.Fatal(err)
	}
	return tc, buf.Bytes(), rec.Bytes()
}

// TestImportBlocks imports an exported chain into an empty one, the
// signatures of its large block in one batch during preverification, then
// again (every block known).
func TestImportBlocks(t *testing.T) {
	src, file, _ := exportedChain(t)
	v := &batchCounter{}
	dst := openTest(t, t.TempDir(), Config{Verify: consensus.Options{Verifier: v, Workers: 2}})
	t.Cleanup(dst.close)
	st, err := dst.c.ImportBlocks(context.Background(), bytes.NewReader(file))
	tipHeight := int(src.c.Tip().Height)
	if err != nil || st.Blocks != tipHeight+1 || st.Known != 1 || st.Connected != tipHeight {
		t.Fatalf("import: %+v, %v (source tip at %d)", st, err, tipHeight)
	}
	if dst.c.Tip() != src.c.Tip() {
		t.Fatalf("tip %v, want %v", dst.c.Tip(), src.c.Tip())
	}
	// The 40 spends went through a batch; only the fan-out's single
	// input was verified on its own.
	if b, n := v.batched.Load(), v.n.Load(); b != 40 || n != 1 {
		t.Errorf("%d signatures batched, %d one by one; want 40 and 1", b, n)
	}
	st, err = dst.c.ImportBlocks(context.Background(), bytes.NewReader(file))
	if err != nil || st.Known != st.Blocks || st.Connected != 0 {
		t.Fatalf("second import: %+v, %v", st, err)
	}
}

// TestImportBlocksOutOfOrder: a block before its parent waits as an orphan
// and connects when the parent comes.
func TestImportBlocksOutOfOrder(t *testing.T) {
	src, file, _ := exportedChain(t)
	recs := splitRecords(t, file)
	n := len(recs)
	recs[n-1], recs[n-2] = recs[n-2], recs[n-1]
	dst := openTest(t, t.TempDir(), Config{})
	t.Cleanup(dst.close)
	if _, err := dst.c.ImportBlocks(context.Background(), bytes.NewReader(bytes.Join(recs, nil))); err != nil {
		t.Fatal(err)
	}
	if dst.c.Tip() != src.c.Tip() {
		t.Fatalf("tip %v, want %v", dst.c.Tip(), src.c.Tip())
	}
}

// TestImportBlocksBadInput: a record of another network, a truncated or
// oversized one, a malformed block and an invalid block each stop the
// import with an error naming its position, keeping the blocks before it.
func TestImportBlocksBadInput(t *testing.T) {
	_, file, invalid := exportedChain(t)
	recs := splitRecords(t, file)
	last := len(recs) - 1
	good := bytes.Join(recs[:last], nil) // every block but the last
	offset := len(good)

	withSize := func(rec []byte, size uint32) []byte {
		r := bytes.Clone(rec)
		binary.LittleEndian.PutUint32(r[4:8], size)
		return r
	}
	otherMagic := bytes.Clone(recs[last])
	otherMagic[0] ^= 0xff
	malformed := append(withSize(recs[last][:8], 3), 0xff, 0xff, 0xff)
	for _, tc := range []struct {
		name, want string
		tail       []byte
	}{
		{"other network", "magic", otherMagic},
		{"truncated header", "truncated record header", recs[last][:5]},
		{"truncated block", "truncated block", recs[last][:len(recs[last])-10]},
		{"oversized", "exceeds the limit", withSize(recs[last], wire.MaxBlockSize+1)},
		{"malformed", "malformed block", malformed},
		{"invalid block", "does not verify", invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := openTest(t, t.TempDir(), Config{})
			t.Cleanup(dst.close)
			st, err := dst.c.ImportBlocks(context.Background(), bytes.NewReader(append(bytes.Clone(good), tc.tail...)))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "at byte "+strconv.Itoa(offset)) {
				t.Fatalf("error %v, want one with %q at byte %d", err, tc.want, offset)
			}
			if st.Connected != last-1 || int(dst.c.Tip().Height) != last-1 {
				t.Fatalf("%+v, tip at %d: the blocks before the bad record should stay", st, dst.c.Tip().Height)
			}
		})
	}
	// An invalid block is rejected as invalid, not as unreadable.
	dst := openTest(t, t.TempDir(), Config{})
	t.Cleanup(dst.close)
	_, err := dst.c.ImportBlocks(context.Background(), bytes.NewReader(append(bytes.Clone(good), invalid...)))
	if !errors.Is(err, policy.ErrBadSignature) {
		t.Fatalf("invalid block: %v", err)
	}
}

// TestImportBlocksCancelled: a cancelled context stops the import.
func TestImportBlocksCancelled(t *testing.T) {
	_, file, _ := exportedChain(t)
	dst := openTest(t, t.TempDir(), Config{})
	t.Cleanup(dst.close)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := dst.c.ImportBlocks(ctx, bytes.NewReader(file)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled import: %v", err)
	}
}

// splitRecords cuts a block file into its records.
func splitRecords(t *testing.T, file []byte) [][]byte {
	t.Helper()
	var recs [][]byte
	for len(file) > 0 {
		if len(file) < 8 {
			t.Fatal("trailing bytes")
		}
		n := 8 + int(binary.LittleEndian.Uint32(file[4:8]))
		recs, file = append(recs, file[:n]), file[n:]
	}
	return recs
}
