package mining

import (
	"context"
	"errors"
	"testing"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

// A solved template is a valid block: the reference chain accepts it, with
// its transactions and their fees.
func TestTemplateIsValid(t *testing.T) {
	p := params.Regtest()
	g := chaingen.NewGenerator(p, "mining")
	c := chaingen.NewChain(p)
	for range p.CoinbaseMaturity + 1 {
		if err := c.ProcessBlock(g.NextBlock(nil, chaingen.BlockOpts{})); err != nil {
			t.Fatal(err)
		}
	}
	tx := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[1]}, 2, 1234)
	payout := chaingen.KeyLock(chaingen.KeyFromSeed("miner"))
	tmpl, err := NewTemplate(TemplateConfig{Params: p, Parent: c.Tip, Payout: payout, Now: int64(c.Tip.Timestamp) + 600,
		CoinbaseTag: []byte("/ballast/")}, []TemplateTx{{Tx: tx, Fee: 1234}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Solve(context.Background(), tmpl, 0); err != nil {
		t.Fatal(err)
	}
	if err := c.ProcessBlock(tmpl.Block); err != nil {
		t.Fatalf("solved template rejected: %v", err)
	}
	if got := tmpl.Block.Transactions[0].TxOut[0].Value; got != 50e8+1234 {
		t.Fatalf("coinbase pays %d", got)
	}
	// Wrong fee claims are caught by consensus, not trusted.
	tx2 := g.SpendTx([]*chaingen.SpendableOut{g.Coinbases[2]}, 1, 10)
	bad, _ := NewTemplate(TemplateConfig{Params: p, Parent: c.Tip, Payout: payout, Now: int64(c.Tip.Timestamp) + 600},
		[]TemplateTx{{Tx: tx2, Fee: 11}})
	if _, err := Solve(context.Background(), bad, 0); err != nil {
		t.Fatal(err)
	}
	if err := c.ProcessBlock(bad.Block); err == nil {
		t.Fatal("overclaimed fee accepted")
	}
}

func TestTemplateRejectsBadConfig(t *testing.T) {
	p := params.Regtest()
	cfg := TemplateConfig{Params: p, Payout: wire.BurnLock(nil)}
	if _, err := NewTemplate(cfg, nil); err == nil {
		t.Fatal("burn payout accepted")
	}
	cfg.Payout = chaingen.KeyLock(chaingen.KeyFromSeed("m"))
	cfg.CoinbaseTag = make([]byte, 100)
	if _, err := NewTemplate(cfg, nil); err == nil {
		t.Fatal("oversized coinbase tag accepted")
	}
}

func TestSolveCancels(t *testing.T) {
	p := params.Mainnet()
	tmpl, err := NewTemplate(TemplateConfig{Params: p, Parent: consensus.GenesisInfo(p), Payout: chaingen.KeyLock(chaingen.KeyFromSeed("m")), Now: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Solve(ctx, tmpl, 0); err == nil {
		t.Fatal("Solve ignored cancellation")
	}
}

func TestSolveBudget(t *testing.T) {
	p := params.Mainnet() // ~16M hashes a block: 1,000 tries will not do
	tmpl, err := NewTemplate(TemplateConfig{Params: p, Parent: consensus.GenesisInfo(p), Payout: chaingen.KeyLock(chaingen.KeyFromSeed("m")), Now: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := Solve(context.Background(), tmpl, 1000)
	if !errors.Is(err, ErrMaxTries) || n != 1000 {
		t.Fatalf("tries %d, err %v", n, err)
	}
}
