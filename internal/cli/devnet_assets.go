package cli

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/asset"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wallet"
	"github.com/ballast-chain/ballast/internal/wire"
)

// devnetAuditorsDir holds the example asset's three auditor keys, under
// the network's data directory.
const devnetAuditorsDir = "devnet-auditors"

// devnetBasket is the example asset: 1 BASKET = 0.5 kg rice + 0.2 l fuel +
// 1 g gold; 1,000.00 are issued.
func devnetBasket(issuer, auditors *policy.Node) *asset.Contract {
	return &asset.Contract{Name: "Devnet basket", Ticker: "BASKET", Decimals: 2,
		Basket: []asset.Good{{Name: "rice", Unit: "kg", Quantity: 5, Decimals: 1},
			{Name: "fuel", Unit: "l", Quantity: 2, Decimals: 1}, {Name: "gold", Unit: "g", Quantity: 1}},
		IssuerPolicy: issuer.Encode(), AuditorPolicy: auditors.Encode()}
}

const devnetBasketAmount = 100_000

// assetsPart issues the example basket token from the devnet wallet once
// its funding confirms, then has auditors 1 and 3 of 3 attest its reserves
// (exactly covering the supply). It runs beside the miner, one step per
// block; a devnet restarted on the same data directory finds its asset
// and only prints it.
func (d *devnet) assetsPart(context.Context) (func(context.Context) error, error) {
	if d.node.Wallets == nil {
		return nil, nil
	}
	dir := filepath.Join(d.cfg.DataDir, devnetAuditorsDir)
	keys, err := devnetAuditorKeys(dir)
	if err != nil {
		return nil, err
	}
	var nodes []*policy.Node
	for _, k := range keys {
		nodes = append(nodes, policy.NewKey(policy.XOnly(k)))
	}
	auditors := policy.NewThresh(2, nodes...)
	return func(ctx context.Context) error {
		if err := d.issueBasket(ctx, keys, auditors, dir); err != nil && ctx.Err() == nil {
			fmt.Fprintf(d.env.Stdout, "example asset BASKET: not set up (%v)\n", err)
		}
		return nil
	}, nil
}

func (d *devnet) issueBasket(ctx context.Context, keys []*btcec.PrivateKey, auditors *policy.Node, dir string) error {
	all, err := d.node.Chain.Assets()
	if err != nil {
		return err
	}
	for _, info := range all {
		if c, err := asset.DecodeContract(info.Contract); err == nil && c.Ticker == "BASKET" &&
			string(c.AuditorPolicy) == string(auditors.Encode()) {
			d.printBasket(info.ID, dir)
			return nil
		}
	}
	w, err := d.node.Wallets.Get(devnetWalletName, true)
	if err != nil {
		return err
	}
	addr, err := w.NewAddress("BASKET issuer")
	if err != nil {
		return err
	}
	lock, err := address.Decode(addr, d.cfg.Params.Bech32HRP)
	if err != nil || lock.Kind != wire.LockKey {
		return fmt.Errorf("issuer key: %v", err)
	}
	c := devnetBasket(policy.NewKey([32]byte(lock.Data)), auditors)
	// The fees: a few coins of the miner's, in case the wallet part could
	// not fund the wallet yet (an error here means it did, from the same
	// coinbase outputs).
	_ = d.fundWallet(addr, 10*params.Coin)
	// The wallet's funding confirms in the next block; try on each block.
	var id wire.AssetID
	for try := 0; ; try++ {
		if err := d.nextBlock(ctx); err != nil {
			return err
		}
		_, id, err = w.SendAsset(wallet.AssetOp{Issue: c, Amount: devnetBasketAmount}, wallet.SendOptions{})
		if err == nil {
			break
		}
		if !errors.Is(err, wallet.ErrInsufficientFunds) || try == 5 {
			return err
		}
	}
	d.printBasket(id, dir)
	for {
		if err := d.nextBlock(ctx); err != nil {
			return err
		}
		if info, err := d.node.Chain.Asset(id); err != nil {
			return err
		} else if info != nil {
			break
		}
	}
	// 1,000.00 BASKET need 500 kg rice, 200 l fuel, 1,000 g gold (in each
	// good's scale: 5000 × 0.1 kg, 2000 × 0.1 l, 1000 g).
	att := &asset.Attestation{Asset: id, Time: uint64(time.Now().Unix()),
		Document: chainhash.Hash(sha256.Sum256([]byte("Ballast devnet example audit report"))),
		Holdings: []asset.Holding{{Good: 0, Held: 5000}, {Good: 1, Held: 2000}, {Good: 2, Held: 1000}}}
	p := &asset.Packet{Payload: att.Encode(), Sigs: map[[32]byte][64]byte{}}
	for _, k := range []*btcec.PrivateKey{keys[0], keys[2]} { // each auditor signs apart
		if _, err := p.Sign(auditors, policy.NewKeyRing(k)); err != nil {
			return err
		}
	}
	wit, err := p.Witness(auditors)
	if err != nil {
		return err
	}
	rec := wire.Record{Type: wire.RecordAttestation, Payload: p.Payload, Witness: wit}
	tx, _, err := w.SendAsset(wallet.AssetOp{Record: &rec}, wallet.SendOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(d.env.Stdout, "BASKET reserves attested by auditors 1 and 3 of 3 in transaction %s\n", tx.TxHash())
	return nil
}

// nextBlock waits for the tip to move.
func (d *devnet) nextBlock(ctx context.Context) error {
	h := d.node.Chain.Tip().Height
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for d.node.Chain.Tip().Height == h {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

func (d *devnet) printBasket(id wire.AssetID, dir string) {
	base := filepath.Dir(d.cfg.DataDir)
	fmt.Fprintf(d.env.Stdout, `Example asset BASKET (1 BASKET = 0.5 kg rice + 0.2 l fuel + 1 g gold), 1000.00 issued to wallet %q,
audited 2 of 3 (auditor keys in %s):
  asset id  %s
  ballast asset info -network regtest -datadir %s %s
  ballast asset reserves -network regtest -datadir %s %s
  ballast rpc -network regtest -datadir %s getreserves %s
`, devnetWalletName, dir, id, base, id, base, id, base, id)
}

// devnetAuditorKeys loads the three auditor keys (auditor-N.key, 64 hex
// characters, as 'ballast asset attest -key' reads them), creating them on
// first start.
func devnetAuditorKeys(dir string) ([]*btcec.PrivateKey, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	var keys []*btcec.PrivateKey
	for i := 1; i <= 3; i++ {
		path := filepath.Join(dir, fmt.Sprintf("auditor-%d.key", i))
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			b := make([]byte, 32)
			if _, err := rand.Read(b); err != nil {
				return nil, err
			}
			if err := os.WriteFile(path, []byte(hex.EncodeToString(b)+"\n"), 0o600); err != nil {
				return nil, err
			}
		}
		k, err := readPrivKeyFile(path)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}
