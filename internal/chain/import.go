package chain

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ballast-chain/ballast/internal/wire"
)

// Block files hold blocks one after another as Bitcoin Core's blk*.dat and
// bootstrap.dat files do: the network's 4-byte magic, the block's size as
// 4 bytes little-endian, the serialized block. ExportBlocks writes them;
// ImportBlocks (`ballast node -loadblock`) reads them.

// importAhead is how many blocks ImportBlocks reads and preverifies ahead
// of the one it connects.
const importAhead = 2

// importFlushEvery bounds how long imported blocks stay unflushed, as
// during an initial sync (docs/node.md, crash safety).
const importFlushEvery = time.Second

// ImportStats counts what ImportBlocks did.
type ImportStats struct {
	Blocks    int // read from the file
	Connected int // newly processed (stored, and connected if they extend the best chain)
	Known     int // already known, skipped
}

// WriteBlockRecord appends blk to w as one block-file record under magic.
func WriteBlockRecord(w io.Writer, magic [4]byte, blk *wire.Block) error {
	buf := make([]byte, 8, 8+blk.SerializeSize())
	copy(buf, magic[:])
	buf = blk.AppendTo(buf)
	binary.LittleEndian.PutUint32(buf[4:8], uint32(len(buf)-8))
	_, err := w.Write(buf)
	return err
}

// ExportBlocks writes the active chain's blocks from height from to height
// to (inclusive; to < 0 means the tip) to w as block-file records, and
// returns how many it wrote.
func (c *Chain) ExportBlocks(ctx context.Context, w io.Writer, from, to int32) (int, error) {
	tip := c.Tip().Height
	if to < 0 || to > tip {
		to = tip
	}
	if from < 0 || from > to {
		return 0, chainErr(ErrUnknownBlock, "height range %d..%d is not within 0..%d", from, to, tip)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var hdr [8]byte
	copy(hdr[:4], c.p.Magic[:])
	n := 0
	for h := from; h <= to; h++ {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		hash, err := c.BlockHash(h)
		if err != nil {
			return n, err
		}
		raw, err := c.RawBlock(hash)
		if err != nil {
			return n, err
		}
		binary.LittleEndian.PutUint32(hdr[4:], uint32(len(raw)))
		if _, err := bw.Write(hdr[:]); err != nil {
			return n, err
		}
		if _, err := bw.Write(raw); err != nil {
			return n, err
		}
		n++
	}
	return n, bw.Flush()
}

// ImportBlocks processes the blocks of a block file read from r, as the
// node's initial sync processes blocks from peers: each is preverified a
// few blocks before it is connected (Preverify), processed lazily
// (ProcessBlockLazy) and the chain state flushed every second and at the
// end. Blocks may come in any order (out of order ones wait as orphans);
// known blocks are skipped. A record of another network, a malformed or
// oversized record, or an invalid block stops the import with an error
// naming its position; blocks before it stay.
func (c *Chain) ImportBlocks(ctx context.Context, r io.Reader) (ImportStats, error) {
	var st ImportStats
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type record struct {
		blk *wire.Block
		err error
		at  int64 // offset of the record in the file
	}
	q := make(chan record, importAhead)
	go func() {
		defer close(q)
		br := bufio.NewReaderSize(r, 1<<20)
		var at int64
		var hdr [8]byte
		send := func(rec record) bool {
			select {
			case q <- rec:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for {
			if _, err := io.ReadFull(br, hdr[:]); err != nil {
				if err != io.EOF {
					send(record{err: fmt.Errorf("truncated record header: %w", err), at: at})
				}
				return
			}
			if [4]byte(hdr[:4]) != c.p.Magic {
				send(record{err: fmt.Errorf("magic %x is not %s's (%x)", hdr[:4], c.p.Name, c.p.Magic), at: at})
				return
			}
			size := binary.LittleEndian.Uint32(hdr[4:])
			if size > wire.MaxBlockSize {
				send(record{err: fmt.Errorf("block of %d bytes exceeds the limit of %d", size, wire.MaxBlockSize), at: at})
				return
			}
			raw := make([]byte, size)
			if _, err := io.ReadFull(br, raw); err != nil {
				send(record{err: fmt.Errorf("truncated block: %w", err), at: at})
				return
			}
			blk, err := wire.DecodeBlock(raw)
			if err != nil {
				send(record{err: fmt.Errorf("malformed block: %w", err), at: at})
				return
			}
			c.Preverify(blk)
			if !send(record{blk: blk, at: at}) {
				return
			}
			at += 8 + int64(size)
		}
	}()

	lastFlush := time.Now()
	flush := func() error {
		lastFlush = time.Now()
		return c.Flush()
	}
	for rec := range q {
		if rec.err != nil {
			return st, errors.Join(fmt.Errorf("block file at byte %d: %w", rec.at, rec.err), flush())
		}
		st.Blocks++
		_, err := c.ProcessBlockLazy(rec.blk)
		switch {
		case err == nil:
			st.Connected++
		case errors.Is(err, ErrDuplicateBlock):
			st.Known++
		default:
			return st, errors.Join(fmt.Errorf("block file at byte %d: block %s: %w", rec.at, rec.blk.BlockHash(), err), flush())
		}
		if time.Since(lastFlush) >= importFlushEvery {
			if err := flush(); err != nil {
				return st, err
			}
		}
		if err := ctx.Err(); err != nil {
			return st, errors.Join(err, flush())
		}
	}
	// The reader also stops, without a record, when ctx ends.
	if err := ctx.Err(); err != nil {
		return st, errors.Join(err, flush())
	}
	return st, flush()
}
