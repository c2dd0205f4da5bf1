package stratum

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/merkle"
	"github.com/ballast-chain/ballast/internal/mining"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Extranonce sizes: extranonce1 is the server's per connection,
// extranonce2 the miner's; together they fill mining.ExtranonceSize.
const (
	Extranonce1Size = 4
	Extranonce2Size = mining.ExtranonceSize - Extranonce1Size
)

// Job is one unit of work as sent in mining.notify.
type Job struct {
	ID       string
	Work     *mining.Work
	Template *mining.Template // coinbase with a zero extranonce
	Coinb1   []byte
	Coinb2   []byte
	Branch   []chainhash.Hash
	Version  uint32
	Bits     uint32
	Time     uint32
	// Payouts lists the coinbase's payouts (pool mode: the PPLNS window
	// the coinbase pays, for tracing payouts to shares).
	Payouts []Payout
}

// NewJob splits t's coinbase around its extranonce for Stratum.
func NewJob(id string, w *mining.Work, t *mining.Template) *Job {
	cb := t.Block.Transactions[0]
	raw := cb.AppendTo(nil, false) // txid form: what miners hash
	start := wire.CoinbaseDataOffset(cb) + wire.CoinbaseHeightSize
	rest := make([]chainhash.Hash, 0, len(t.Block.Transactions)-1)
	for _, tx := range t.Block.Transactions[1:] {
		rest = append(rest, tx.TxHash())
	}
	h := &t.Block.Header
	return &Job{ID: id, Work: w, Template: t,
		Coinb1: raw[:start:start], Coinb2: raw[start+mining.ExtranonceSize:],
		Branch: merkle.CoinbaseBranch(rest), Version: uint32(h.Version), Bits: h.Bits, Time: h.Timestamp}
}

// PrevHashHex encodes a previous-block hash as mining.notify does: the
// header's 32 bytes as eight 4-byte words, each word byte-swapped.
func PrevHashHex(h chainhash.Hash) string {
	var b [32]byte
	for i := 0; i < 32; i += 4 {
		binary.BigEndian.PutUint32(b[i:], binary.LittleEndian.Uint32(h[i:]))
	}
	return hex.EncodeToString(b[:])
}

// ParsePrevHash reverses PrevHashHex.
func ParsePrevHash(s string) (chainhash.Hash, error) {
	var h chainhash.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return h, fmt.Errorf("stratum: bad prevhash %q", s)
	}
	for i := 0; i < 32; i += 4 {
		binary.LittleEndian.PutUint32(h[i:], binary.BigEndian.Uint32(b[i:]))
	}
	return h, nil
}

func hex32(v uint32) string { return fmt.Sprintf("%08x", v) }

// NotifyParams returns mining.notify's parameters: job_id, prevhash, coinb1,
// coinb2, merkle_branch, version, nbits, ntime, clean_jobs.
func (j *Job) NotifyParams(clean bool) []any {
	branch := make([]string, len(j.Branch))
	for i := range j.Branch {
		branch[i] = hex.EncodeToString(j.Branch[i][:]) // internal byte order
	}
	return []any{j.ID, PrevHashHex(j.Work.Parent.Hash), hex.EncodeToString(j.Coinb1), hex.EncodeToString(j.Coinb2),
		branch, hex32(j.Version), hex32(j.Bits), hex32(j.Time), clean}
}

// Header assembles the header a miner hashed for the given extranonces,
// ntime, nonce and version, and returns it with the coinbase txid.
func (j *Job) Header(en1, en2 []byte, ntime, nonce, version uint32) (wire.BlockHeader, chainhash.Hash) {
	cb := make([]byte, 0, len(j.Coinb1)+len(en1)+len(en2)+len(j.Coinb2))
	cb = append(append(append(append(cb, j.Coinb1...), en1...), en2...), j.Coinb2...)
	txid := chainhash.DoubleSHA256(cb)
	return wire.BlockHeader{Version: int32(version), PrevBlock: j.Work.Parent.Hash,
		MerkleRoot: merkle.RootFromBranch(txid, j.Branch), Timestamp: ntime, Bits: j.Bits, Nonce: nonce}, txid
}

// Block returns the full block for a solved header: the template's
// transactions with the coinbase's extranonce filled in.
func (j *Job) Block(en1, en2 []byte, h wire.BlockHeader) *wire.Block {
	src := j.Template.Block
	cb := *src.Transactions[0]
	cb.TxIn = append([]wire.TxIn(nil), cb.TxIn...)
	data := append([]byte(nil), cb.TxIn[0].CoinbaseData...)
	copy(data[wire.CoinbaseHeightSize:], en1)
	copy(data[wire.CoinbaseHeightSize+len(en1):], en2)
	cb.TxIn[0].CoinbaseData = data
	txs := append([]*wire.Tx{&cb}, src.Transactions[1:]...)
	return &wire.Block{Header: h, Transactions: txs}
}
