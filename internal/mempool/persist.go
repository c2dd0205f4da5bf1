package mempool

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/ballast-chain/ballast/internal/wire"
)

// The mempool file (Core's mempool.dat), all integers little-endian:
//
//	magic     4   "BMPL"
//	version   u32 1
//	network   4   the network's magic bytes
//	count     u64
//	entries   count × (time i64 Unix seconds | fee delta i64, always 0 |
//	                   length u32 | transaction, full encoding)
//	checksum  32  SHA-256 of everything before it
//
// Entries are written parents first. The fee delta is reserved for
// prioritisetransaction and ignored.
const (
	poolFileMagic   = "BMPL"
	poolFileVersion = 1
	poolHeaderSize  = 4 + 4 + 4 + 8
	poolEntryHeader = 8 + 8 + 4
)

// Save writes every pool transaction and its entry time.
func (p *Pool) Save(w io.Writer) error {
	p.mu.RLock()
	es := p.sortedEntries()
	p.mu.RUnlock()
	// Entries' transactions are immutable, so they are written unlocked.
	h := sha256.New()
	bw := bufio.NewWriter(io.MultiWriter(w, h))
	var b []byte
	b = append(b, poolFileMagic...)
	b = binary.LittleEndian.AppendUint32(b, poolFileVersion)
	b = append(b, p.params.Magic[:]...)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(es)))
	if _, err := bw.Write(b); err != nil {
		return err
	}
	for _, e := range es {
		b = binary.LittleEndian.AppendUint64(b[:0], uint64(e.time.Unix()))
		b = binary.LittleEndian.AppendUint64(b, 0)
		b = binary.LittleEndian.AppendUint32(b, uint32(e.tx.SerializeSize()))
		b = e.tx.AppendTo(b, true)
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(h.Sum(nil))
	return err
}

// LoadStats counts what Load did with the file's transactions.
type LoadStats struct {
	Accepted, Failed, Expired, AlreadyThere int
}

type savedTx struct {
	tx   *wire.Tx
	time time.Time
}

// Load reads a file written by Save and submits every transaction again,
// fully revalidated against the current chain (fees and signatures
// included), with its original entry time; those past the expiry time are
// skipped. A file that is corrupted, truncated, of another version or of
// another network is refused as a whole (ErrMalformedFile) before anything
// changes.
func (p *Pool) Load(r io.Reader) (LoadStats, error) {
	var st LoadStats
	// A sanity bound only: the file holds what an earlier pool held, which
	// may have had a larger MaxUsage than this one.
	limit := max(2*p.cfg.MaxUsage, 1<<30)
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return st, err
	}
	if int64(len(data)) > limit {
		return st, ruleError(ErrMalformedFile, "mempool file larger than %d bytes", limit)
	}
	txs, err := p.decodePoolFile(data)
	if err != nil {
		return st, err
	}
	p.setLoading(true)
	defer p.setLoading(false)
	cutoff := p.cfg.Now().Add(-p.cfg.Expiry)
	for _, s := range txs {
		if s.time.Before(cutoff) {
			st.Expired++
			continue
		}
		_, err := p.accept(s.tx, acceptOpts{time: s.time, height: -1})
		switch {
		case err == nil:
			st.Accepted++
		case errors.Is(err, ErrAlreadyInPool), errors.Is(err, ErrSameNonWitness):
			st.AlreadyThere++
		default:
			st.Failed++
		}
	}
	p.log.Info("mempool loaded", slog.Int("accepted", st.Accepted), slog.Int("failed", st.Failed),
		slog.Int("expired", st.Expired), slog.Int("already_there", st.AlreadyThere))
	return st, nil
}

func (p *Pool) setLoading(v bool) {
	p.mu.Lock()
	p.loading = v
	p.mu.Unlock()
}

func (p *Pool) decodePoolFile(data []byte) ([]savedTx, error) {
	if len(data) < poolHeaderSize+sha256.Size {
		return nil, ruleError(ErrMalformedFile, "mempool file of %d bytes is truncated", len(data))
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, ruleError(ErrMalformedFile, "mempool file checksum mismatch")
	}
	if string(body[:4]) != poolFileMagic {
		return nil, ruleError(ErrMalformedFile, "not a mempool file")
	}
	if v := binary.LittleEndian.Uint32(body[4:]); v != poolFileVersion {
		return nil, ruleError(ErrMalformedFile, "mempool file version %d, want %d", v, poolFileVersion)
	}
	if !bytes.Equal(body[8:12], p.params.Magic[:]) {
		return nil, ruleError(ErrMalformedFile, "mempool file of another network (magic %x)", body[8:12])
	}
	count := binary.LittleEndian.Uint64(body[12:])
	rest := body[poolHeaderSize:]
	if count > uint64(len(rest)/poolEntryHeader) {
		return nil, ruleError(ErrMalformedFile, "mempool file claims %d entries in %d bytes", count, len(rest))
	}
	txs := make([]savedTx, 0, count)
	for i := uint64(0); i < count; i++ {
		if len(rest) < poolEntryHeader {
			return nil, ruleError(ErrMalformedFile, "entry %d truncated", i)
		}
		t := int64(binary.LittleEndian.Uint64(rest))
		n := uint64(binary.LittleEndian.Uint32(rest[16:]))
		rest = rest[poolEntryHeader:]
		if n > uint64(len(rest)) {
			return nil, ruleError(ErrMalformedFile, "entry %d: %d transaction bytes, %d left", i, n, len(rest))
		}
		tx, err := wire.DecodeTx(rest[:n:n])
		if err != nil {
			return nil, &RuleError{Kind: ErrMalformedFile, Description: "entry transaction", Cause: err}
		}
		txs = append(txs, savedTx{tx: tx, time: time.Unix(t, 0)})
		rest = rest[n:]
	}
	if len(rest) != 0 {
		return nil, ruleError(ErrMalformedFile, "%d bytes after the last entry", len(rest))
	}
	return txs, nil
}
