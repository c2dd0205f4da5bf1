package journal

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/ballast-chain/ballast/internal/matching"
)

// Record framing. Each record is
//
//	length  uint32  bytes of body (always bodySize in version 1)
//	crc     uint32  CRC-32C of length and body
//	body    seq uint64 ‖ matching command (matching.CommandSize bytes)
//
// little-endian. The checksum covers the length so a torn or garbled length
// is caught as surely as a torn body.
const (
	headerSize = 8
	bodySize   = 8 + matching.CommandSize
	recordSize = headerSize + bodySize
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Record is one journaled command.
type Record struct {
	Seq     uint64
	Command matching.Command
}

// appendRecord appends the framed record for (seq, c) to b.
func appendRecord(b []byte, seq uint64, c *matching.Command) []byte {
	start := len(b)
	b = binary.LittleEndian.AppendUint32(b, bodySize)
	b = append(b, 0, 0, 0, 0)
	b = binary.LittleEndian.AppendUint64(b, seq)
	b = matching.AppendCommand(b, c)
	crc := crc32.Update(crc32.Checksum(b[start:start+4], castagnoli), castagnoli, b[start+headerSize:])
	binary.LittleEndian.PutUint32(b[start+4:], crc)
	return b
}

// decodeRecord decodes the record at the start of b. It returns the record
// and its framed length, or ok=false if b does not start with a complete,
// intact record.
func decodeRecord(b []byte) (r Record, n int, ok bool) {
	if len(b) < headerSize {
		return r, 0, false
	}
	length := binary.LittleEndian.Uint32(b)
	// Check the length before using it: only one body size exists.
	if length != bodySize || len(b) < headerSize+bodySize {
		return r, 0, false
	}
	body := b[headerSize : headerSize+bodySize]
	crc := crc32.Update(crc32.Checksum(b[:4], castagnoli), castagnoli, body)
	if crc != binary.LittleEndian.Uint32(b[4:]) {
		return r, 0, false
	}
	cmd, err := matching.DecodeCommand(body[8:])
	if err != nil {
		return r, 0, false
	}
	return Record{Seq: binary.LittleEndian.Uint64(body), Command: cmd}, recordSize, true
}

// maxUnsynced bounds the bytes that can be written but not yet fsynced: the
// batch being synced plus the one being written behind it. After a power
// failure any of those pages may or may not have reached the disk, in any
// order, so damage within this distance of the end is a torn tail.
const maxUnsynced = inFlight * maxBatchLimit * recordSize

// scanSegment decodes the records of one segment. It returns the records,
// the length of the intact prefix, and whether the damage after that prefix
// is more than a torn tail can explain: an intact record further on, beyond
// the unsynced window, means the log was corrupted in the middle.
func scanSegment(b []byte) (recs []Record, good int, midCorrupt bool) {
	for good < len(b) {
		r, n, ok := decodeRecord(b[good:])
		if !ok {
			break
		}
		recs = append(recs, r)
		good += n
	}
	if len(b)-good <= maxUnsynced || allZero(b[good:]) {
		return recs, good, false // a torn tail, or preallocated zeros
	}
	for off := good + 1; off+recordSize <= len(b); off++ {
		if _, _, ok := decodeRecord(b[off:]); ok {
			return recs, good, true
		}
	}
	return recs, good, false
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
