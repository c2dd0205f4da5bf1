package journal

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Snapshot file layout:
//
//	magic    uint32  "BLSN"
//	version  uint16  1
//	seq      uint64  commands applied to the state (the last journaled seq it covers)
//	length   uint64  payload bytes
//	crc      uint32  CRC-32C of the payload
//	payload          matching.Engine.AppendSnapshot
//
// A snapshot is written to a temporary name, fsynced, renamed into place
// and the directory fsynced, so a crash leaves either the old set of
// snapshots or the new one, never a half-written file under a real name.
const (
	snapMagic      = 0x4e534c42 // "BLSN"
	snapVersion    = 1
	snapHeaderSize = 4 + 2 + 8 + 8 + 4
	snapMaxPayload = 1 << 36 // refuse absurd lengths before allocating
)

func segmentName(first uint64) string { return fmt.Sprintf("wal-%020d.log", first) }
func snapshotName(seq uint64) string  { return fmt.Sprintf("snap-%020d.snap", seq) }

// listFiles returns the sequence numbers in names matching prefix-N.suffix,
// ascending.
func listFiles(dir, prefix, suffix string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var seqs []uint64
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(name, prefix), suffix), 10, 64)
		if err != nil {
			continue
		}
		seqs = append(seqs, n)
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	return seqs, nil
}

func encodeSnapshotFile(seq uint64, payload []byte) []byte {
	b := make([]byte, 0, snapHeaderSize+len(payload))
	b = binary.LittleEndian.AppendUint32(b, snapMagic)
	b = binary.LittleEndian.AppendUint16(b, snapVersion)
	b = binary.LittleEndian.AppendUint64(b, seq)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(payload)))
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(payload, castagnoli))
	return append(b, payload...)
}

// decodeSnapshotFile checks a snapshot file's framing and checksum and
// returns its command seq and engine payload.
func decodeSnapshotFile(b []byte) (seq uint64, payload []byte, err error) {
	le := binary.LittleEndian
	if len(b) < snapHeaderSize || le.Uint32(b) != snapMagic || le.Uint16(b[4:]) != snapVersion {
		return 0, nil, ruleError(ErrCorrupt, nil, "not a version %d snapshot file", snapVersion)
	}
	seq = le.Uint64(b[6:])
	n := le.Uint64(b[14:])
	if n > snapMaxPayload || n != uint64(len(b)-snapHeaderSize) {
		return 0, nil, ruleError(ErrCorrupt, nil, "snapshot payload length %d does not match file", n)
	}
	payload = b[snapHeaderSize:]
	if crc32.Checksum(payload, castagnoli) != le.Uint32(b[22:]) {
		return 0, nil, ruleError(ErrCorrupt, nil, "snapshot checksum mismatch")
	}
	return seq, payload, nil
}

// writeFileAtomic writes data to dir/name durably: temp file, fsync,
// rename, fsync of the directory.
func writeFileAtomic(dir, name string, data []byte) error {
	tmp := filepath.Join(dir, name+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
