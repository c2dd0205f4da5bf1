package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

func selfcheckCommand() command {
	return command{
		name:    "selfcheck",
		summary: "build a regtest chain in memory and run every consensus stage on it",
		run:     runSelfcheck,
	}
}

// runSelfcheck mines a regtest chain with payments, then offers tampered
// blocks and checks each is rejected for the right rule. It exercises the
// whole consensus core the way a node will, without a data directory.
func runSelfcheck(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet("selfcheck", env)
	blocks := fs.Int("blocks", 200, "blocks to mine after the coinbase maturity period")
	txsPerBlock := fs.Int("txs", 50, "payments per block")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *blocks < 1 || *txsPerBlock < 0 || *txsPerBlock > 2000 {
		return fmt.Errorf("%w: -blocks must be >= 1 and -txs in 0..2000", errUsage)
	}
	p := params.Regtest()
	g := chaingen.NewGenerator(p, "selfcheck")
	c := chaingen.NewChain(p)
	payTo, err := address.Encode(p.Bech32HRP, chaingen.KeyLock(g.Key))
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "network %s, genesis %s\nminer address %s\n", p.Name, p.GenesisHash, payTo)

	start := time.Now()
	for range p.CoinbaseMaturity {
		if err := c.ProcessBlock(g.NextBlock(nil, chaingen.BlockOpts{})); err != nil {
			return fmt.Errorf("maturity block rejected: %w", err)
		}
	}
	var pending []*chaingen.SpendableOut
	txs, inputs := 0, 0
	for i := range *blocks {
		if err := ctx.Err(); err != nil {
			return err
		}
		// Each block spends a matured coinbase into many outputs and the
		// outputs of the previous block's fan-out one by one.
		next := c.Tip.Height + 1
		fee := int64(1000)
		var blockTxs []*wire.Tx
		var fees int64
		fan := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[next-p.CoinbaseMaturity]}, *txsPerBlock+1, fee)
		blockTxs = append(blockTxs, fan)
		fees += fee
		for _, o := range pending {
			blockTxs = append(blockTxs, g.SpendTx([]*chaingen.SpendableOut{o}, 1, fee))
			fees += fee
		}
		if err := c.ProcessBlock(g.NextBlock(blockTxs, chaingen.BlockOpts{Fees: fees})); err != nil {
			return fmt.Errorf("block %d rejected: %w", next, err)
		}
		txs += len(blockTxs)
		inputs += len(blockTxs)
		pending = chaingen.Outputs(fan, next)[1:]
		if (i+1)%50 == 0 || i+1 == *blocks {
			fmt.Fprintf(env.Stdout, "height %d: %d transactions, %d signed inputs validated\n", c.Tip.Height, txs, inputs)
		}
	}
	elapsed := time.Since(start)
	fmt.Fprintf(env.Stdout, "chain of %d blocks validated in %s (%.0f tx/s including block building and signing)\n",
		c.Tip.Height, elapsed.Round(time.Millisecond), float64(txs)/elapsed.Seconds())

	for _, tc := range tamperCases(g, p) {
		tip := g.Tip
		err := c.ProcessBlock(tc.block())
		g.Rewind(tip)
		if !errors.Is(err, tc.want) {
			return fmt.Errorf("tampered block %q: got %v, want %s", tc.name, err, tc.want)
		}
		fmt.Fprintf(env.Stdout, "rejected %-34s %s (%s)\n", tc.name, tc.want, tc.want.RejectReason())
	}
	fmt.Fprintln(env.Stdout, "selfcheck passed")
	return nil
}

type tamperCase struct {
	name  string
	want  consensus.ErrorKind
	block func() *wire.Block
}

func tamperCases(g *chaingen.Generator, p *params.Params) []tamperCase {
	return []tamperCase{
		{"coinbase paying too much", consensus.ErrBadCoinbaseValue, func() *wire.Block {
			return g.NextBlock(nil, chaingen.BlockOpts{Fees: 1})
		}},
		{"spend of a missing output", consensus.ErrMissingTxOut, func() *wire.Block {
			ghost := &chaingen.SpendableOut{OutPoint: wire.OutPoint{Index: 1}, Out: wire.TxOut{Value: 1, Lock: chaingen.KeyLock(g.Key)}}
			return g.NextBlock([]*wire.Tx{g.SpendTx([]*chaingen.SpendableOut{ghost}, 1, 0)}, chaingen.BlockOpts{})
		}},
		{"immature coinbase spend", consensus.ErrImmatureSpend, func() *wire.Block {
			young := g.Coinbases[g.Tip.Height]
			return g.NextBlock([]*wire.Tx{g.SpendTx([]*chaingen.SpendableOut{young}, 1, 0)}, chaingen.BlockOpts{})
		}},
		{"forged signature", consensus.ErrBadSpend, func() *wire.Block {
			tx := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[g.Tip.Height+1-p.CoinbaseMaturity]}, 1, 0)
			chaingen.SignKeySpends(tx, []wire.TxOut{g.Coinbases[g.Tip.Height+1-p.CoinbaseMaturity].Out}, chaingen.KeyFromSeed("thief"))
			return g.NextBlock([]*wire.Tx{tx}, chaingen.BlockOpts{})
		}},
		{"timestamp before median time past", consensus.ErrTimeTooOld, func() *wire.Block {
			return g.NextBlock(nil, chaingen.BlockOpts{Timestamp: g.Tip.MedianTime})
		}},
		{"merkle root mismatch", consensus.ErrBadMerkleRoot, func() *wire.Block {
			b := g.NextBlock(nil, chaingen.BlockOpts{NoReseal: true})
			chaingen.Solve(&b.Header)
			return b
		}},
	}
}
