package mining

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/ballast-chain/ballast/internal/chain"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/rpc"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Backend is what the mining RPC methods need from a node.
type Backend interface {
	// SubmitBlock processes a solved block.
	SubmitBlock(b *wire.Block) (chain.Outcome, error)
	// CheckProposal checks a block extending the tip for validity, proof
	// of work aside (BIP23 proposals). Duplicates are reported with the
	// chain's ErrDuplicateBlock / ErrKnownInvalid kinds.
	CheckProposal(b *wire.Block) error
}

// SubmitResult maps a ProcessBlock result to Bitcoin Core's submitblock
// strings: nil (accepted onto the best chain), "duplicate",
// "duplicate-invalid", "inconclusive" (stored but not the tip, or waiting
// for its parent), or the consensus reject reason ("high-hash",
// "bad-txnmrklroot", ...). Errors that are not about the block are
// returned as errors.
func SubmitResult(out chain.Outcome, err error) (any, error) {
	var re *consensus.RuleError
	switch {
	case err == nil && out == chain.Connected:
		return nil, nil
	case err == nil:
		return "inconclusive", nil
	case errors.Is(err, chain.ErrDuplicateBlock):
		return "duplicate", nil
	case errors.Is(err, chain.ErrKnownInvalid):
		return "duplicate-invalid", nil
	case errors.As(err, &re):
		return re.Kind.RejectReason(), nil
	}
	return nil, err
}

// GBTTx is one transaction of a getblocktemplate result.
type GBTTx struct {
	Data    string         `json:"data"`
	TxID    chainhash.Hash `json:"txid"`
	Hash    chainhash.Hash `json:"hash"`
	Depends []int          `json:"depends"`
	Fee     int64          `json:"fee"`
	SigOps  int            `json:"sigops"` // signature checks, Ballast's sigop equivalent
	Weight  int            `json:"weight"`
}

// GBT is a getblocktemplate result in Core's shape.
type GBT struct {
	Capabilities             []string          `json:"capabilities"`
	Version                  int32             `json:"version"`
	Rules                    []string          `json:"rules"`
	VBAvailable              map[string]int    `json:"vbavailable"`
	VBRequired               int               `json:"vbrequired"`
	PreviousBlockHash        chainhash.Hash    `json:"previousblockhash"`
	Transactions             []GBTTx           `json:"transactions"`
	CoinbaseAux              map[string]string `json:"coinbaseaux"`
	CoinbaseValue            int64             `json:"coinbasevalue"`
	LongPollID               string            `json:"longpollid"`
	Target                   string            `json:"target"`
	MinTime                  int64             `json:"mintime"`
	Mutable                  []string          `json:"mutable"`
	NonceRange               string            `json:"noncerange"`
	SigOpLimit               int               `json:"sigoplimit"`
	SizeLimit                int               `json:"sizelimit"`
	WeightLimit              int               `json:"weightlimit"`
	CurTime                  int64             `json:"curtime"`
	Bits                     string            `json:"bits"`
	Height                   int32             `json:"height"`
	DefaultWitnessCommitment string            `json:"default_witness_commitment"`
}

// BuildGBT turns work into a getblocktemplate result at time now.
// default_witness_commitment is the hex of the whole commitment output
// (asset, value and burn lock, as encoded in a transaction), ready to append
// to a coinbase the client builds.
func BuildGBT(p *params.Params, w *Work, now int64) (*GBT, error) {
	// The commitment does not depend on the coinbase (its wtxid counts as
	// zero), so any payout gives the right one.
	var dummy [32]byte
	tmpl, err := w.Template(p, now, TemplateConfig{Payout: wire.KeyLock(dummy)})
	if err != nil {
		return nil, err
	}
	cb := tmpl.Block.Transactions[0]
	commit := cb.TxOut[wire.FindWitnessCommitment(cb)]
	g := &GBT{
		Capabilities: []string{"proposal"}, Version: BlockVersion, Rules: []string{"csv", "!segwit"},
		VBAvailable: map[string]int{}, PreviousBlockHash: w.Parent.Hash, CoinbaseAux: map[string]string{},
		CoinbaseValue: pow.BlockSubsidy(w.Height, p.InitialSubsidy, p.SubsidyHalvingInterval) + w.Fees, LongPollID: w.LongPollID(),
		Target:  chainhash.Hash(w.Target).String(), // display order is big-endian
		MinTime: w.MinTime, Mutable: []string{"time", "transactions", "prevblock"},
		NonceRange: "00000000ffffffff", SigOpLimit: consensus.MaxBlockSigChecks,
		SizeLimit: wire.MaxBlockSize, WeightLimit: consensus.MaxBlockWeight,
		CurTime: max(now, w.MinTime), Bits: fmt.Sprintf("%08x", w.Bits), Height: w.Height,
		DefaultWitnessCommitment: hex.EncodeToString(commit.AppendTo(nil)),
	}
	index := make(map[chainhash.Hash]int, len(w.Txs))
	g.Transactions = make([]GBTTx, len(w.Txs))
	for i, t := range w.Txs {
		index[t.TxID] = i + 1
		deps := []int{}
		for _, in := range t.Tx.TxIn {
			if d, ok := index[in.PrevOut.Hash]; ok && !slices.Contains(deps, d) {
				deps = append(deps, d)
			}
		}
		g.Transactions[i] = GBTTx{Data: hex.EncodeToString(t.Tx.Bytes()), TxID: t.TxID, Hash: t.WTxID,
			Depends: deps, Fee: t.Fee, SigOps: t.SigChecks, Weight: t.Weight}
	}
	return g, nil
}

// RPC serves getblocktemplate, submitblock and getnetworkhashps.
type RPC struct {
	Manager *Manager
	Backend Backend
	// Now returns Unix seconds.
	Now func() int64
	// HashPS estimates the network hash rate over the last n blocks ending
	// at height (-1: tip), as getnetworkhashps; nil leaves it out.
	HashPS func(n, height int) (float64, error)
}

// Register adds the methods to srv.
func (r *RPC) Register(srv *rpc.Server) error {
	ms := []rpc.Method{{
		Name: "getblocktemplate", Category: "Mining",
		Help: "Returns data needed to construct a block to work on (BIP22/BIP23): long polling with " +
			"\"longpollid\", and proposal mode (\"mode\": \"proposal\", \"data\": hex block) that checks a " +
			"block without its proof of work. \"sigops\" counts signature checks; " +
			"default_witness_commitment is the whole coinbase output to append.",
		Params: []rpc.Param{{Name: "template_request", Type: rpc.TypeObject, Optional: true, Default: "{}",
			Help: "{\"mode\": \"template\"|\"proposal\", \"rules\": [\"segwit\"], \"longpollid\": \"...\", \"data\": \"hex\"}"}},
		Result:   "{\"version\", \"rules\", \"previousblockhash\", \"transactions\", \"coinbasevalue\", \"longpollid\", \"target\", ...}",
		Examples: []string{`[{"rules": ["segwit"]}]`},
		Handler:  r.getBlockTemplate,
	}, {
		Name: "submitblock", Category: "Mining",
		Help: "Attempts to submit a new block to the network. Result: null when accepted, else \"duplicate\", " +
			"\"duplicate-invalid\", \"inconclusive\" or the reject reason.",
		Params: []rpc.Param{{Name: "hexdata", Type: rpc.TypeString, Help: "the hex-encoded block data to submit"},
			{Name: "dummy", Type: rpc.TypeString, Optional: true, Help: "ignored, for compatibility"}},
		Result:  "null or string",
		Handler: r.submitBlock,
	}}
	if r.HashPS != nil {
		ms = append(ms, rpc.Method{
			Name: "getnetworkhashps", Category: "Mining",
			Help: "Returns the estimated network hashes per second based on the last n blocks.",
			Params: []rpc.Param{{Name: "nblocks", Type: rpc.TypeNumber, Optional: true, Default: "120"},
				{Name: "height", Type: rpc.TypeNumber, Optional: true, Default: "-1"}},
			Result: "n (numeric) hashes per second",
			Handler: func(_ context.Context, req *rpc.Request) (any, error) {
				a := rpc.NewArgs(req)
				n, h := a.Int64(0, 120), a.Int64(1, -1)
				if err := a.Err(); err != nil {
					return nil, err
				}
				return r.HashPS(int(n), int(h))
			},
		})
	}
	for _, m := range ms {
		if err := srv.Register(m); err != nil {
			return err
		}
	}
	return nil
}

type gbtRequest struct {
	Mode       string   `json:"mode"`
	Rules      []string `json:"rules"`
	LongPollID string   `json:"longpollid"`
	Data       string   `json:"data"`
}

func (r *RPC) getBlockTemplate(ctx context.Context, req *rpc.Request) (any, error) {
	a := rpc.NewArgs(req)
	var q gbtRequest
	if raw := a.Raw(0); raw != nil {
		if err := json.Unmarshal(raw, &q); err != nil {
			return nil, rpc.Errorf(rpc.CodeType, "template_request: %v", err)
		}
	}
	switch q.Mode {
	case "proposal":
		return r.proposal(q.Data)
	case "", "template":
	default:
		return nil, rpc.Errorf(rpc.CodeInvalidParameter, "Invalid mode")
	}
	if !slices.Contains(q.Rules, "segwit") {
		return nil, rpc.Errorf(rpc.CodeInvalidParameter,
			`getblocktemplate must be called with the segwit rule set (call with {"rules": ["segwit"]})`)
	}
	w, err := r.Manager.Wait(ctx, q.LongPollID)
	if err != nil {
		return nil, err
	}
	return BuildGBT(r.Manager.cfg.Params, w, r.Now())
}

func decodeBlock(data string) (*wire.Block, error) {
	raw, err := hex.DecodeString(data)
	if err != nil {
		return nil, rpc.Errorf(rpc.CodeDeserialization, "Block decode failed")
	}
	b, err := wire.DecodeBlock(raw)
	if err != nil {
		return nil, rpc.Errorf(rpc.CodeDeserialization, "Block decode failed")
	}
	if len(b.Transactions) == 0 || !b.Transactions[0].IsCoinBase() {
		return nil, rpc.Errorf(rpc.CodeDeserialization, "Block does not start with a coinbase")
	}
	return b, nil
}

func (r *RPC) proposal(data string) (any, error) {
	if data == "" {
		return nil, rpc.Errorf(rpc.CodeType, "Missing data String key for proposal")
	}
	b, err := decodeBlock(data)
	if err != nil {
		return nil, err
	}
	if b.Header.PrevBlock != r.Manager.cfg.Source.Tip().Hash {
		return "inconclusive-not-best-prevblk", nil
	}
	return SubmitResult(chain.Connected, r.Backend.CheckProposal(b))
}

func (r *RPC) submitBlock(_ context.Context, req *rpc.Request) (any, error) {
	a := rpc.NewArgs(req)
	data := a.String(0)
	if err := a.Err(); err != nil {
		return nil, err
	}
	b, err := decodeBlock(data)
	if err != nil {
		return nil, err
	}
	res, err := SubmitResult(r.Backend.SubmitBlock(b))
	if err == nil && res == nil {
		r.Manager.TipChanged()
	}
	return res, err
}

// Difficulty returns how many times harder target is than difficulty 1
// (Bitcoin's 0x1d00ffff target), as Core reports it.
func Difficulty(target *[32]byte) float64 {
	t := new(big.Int).SetBytes(reversed(target))
	if t.Sign() == 0 {
		return 0
	}
	d, _ := new(big.Float).Quo(new(big.Float).SetInt(Diff1()), new(big.Float).SetInt(t)).Float64()
	return d
}

// Diff1 returns the difficulty-1 target, 0x00000000ffff0000...0000.
func Diff1() *big.Int { return new(big.Int).Lsh(big.NewInt(0xffff), 208) }

func reversed(b *[32]byte) []byte {
	out := make([]byte, 32)
	for i := range b {
		out[31-i] = b[i]
	}
	return out
}
