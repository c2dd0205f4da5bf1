package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wallet"
	"github.com/ballast-chain/ballast/internal/wallet/psbt"
	"github.com/ballast-chain/ballast/internal/wire"
)

// devnetWalletName is the devnet's funded wallet.
const devnetWalletName = "devnet"

// walletPart creates (or loads) an unencrypted wallet named "devnet" and
// funds it by sending 1,000 coins from the miner's matured coinbases, so
// the miner's key stays separate and the wallet starts with an ordinary,
// confirmed payment.
func (d *devnet) walletPart(ctx context.Context) (func(context.Context) error, error) {
	m := d.node.Wallets
	if m == nil {
		return nil, nil
	}
	w, err := m.Load(devnetWalletName)
	if err != nil {
		if w, _, err = m.Create(devnetWalletName, wallet.CreateOptions{}); err != nil {
			return nil, err
		}
	}
	addr, err := w.NewAddress("devnet funding")
	if err != nil {
		return nil, err
	}
	base := filepath.Dir(d.cfg.DataDir)
	if err := d.fundWallet(addr, 1000*params.Coin); err != nil {
		fmt.Fprintf(d.env.Stdout, "wallet %q: not funded (%v)\n", devnetWalletName, err)
	}
	fmt.Fprintf(d.env.Stdout, `Wallet %q (unencrypted, for development) receives 1000 coins in the next block.
  ballast rpc -network regtest -datadir %s -rpcwallet %s getbalances
  ballast rpc -network regtest -datadir %s -rpcwallet %s getnewaddress
  ballast rpc -network regtest -datadir %s -rpcwallet %s sendtoaddress <address> 1.5
`, devnetWalletName, base, devnetWalletName, base, devnetWalletName, base, devnetWalletName)
	return nil, nil
}

// fundWallet pays amount to addr from the miner's matured, unspent
// coinbase outputs, signed with the devnet miner key.
func (d *devnet) fundWallet(addr string, amount int64) error {
	key, err := devnetKey(d.cfg.DataDir)
	if err != nil {
		return err
	}
	p := d.node.Chain.Params()
	lock, err := address.Decode(addr, p.Bech32HRP)
	if err != nil {
		return err
	}
	const fee = 100_000
	tx := &wire.Tx{Version: 2}
	var prevs []wire.TxOut
	var sum int64
	tip := d.node.Chain.Tip().Height
	for h := int32(1); h+p.CoinbaseMaturity <= tip && sum < amount+fee; h++ {
		hash, err := d.node.Chain.BlockHash(h)
		if err != nil {
			return err
		}
		b, err := d.node.Chain.Block(hash)
		if err != nil {
			return err
		}
		cb := b.Transactions[0]
		for i, o := range cb.TxOut {
			op := wire.OutPoint{Hash: cb.TxHash(), Index: uint32(i)}
			if !o.Lock.Equal(d.minerLock) {
				continue
			}
			if u, err := d.node.Chain.FetchUtxo(op); err != nil || u == nil {
				continue
			}
			tx.TxIn = append(tx.TxIn, wire.TxIn{PrevOut: op, Sequence: 0xfffffffd})
			prevs = append(prevs, o)
			sum += o.Value
		}
	}
	if sum < amount+fee {
		return fmt.Errorf("the miner has %d matured base units, not %d", sum, amount+fee)
	}
	tx.TxOut = []wire.TxOut{{Value: amount, Lock: lock}}
	if change := sum - amount - fee; change > 0 {
		tx.TxOut = append(tx.TxOut, wire.TxOut{Value: change, Lock: d.minerLock})
	}
	pk, err := psbt.New(tx, prevs)
	if err != nil {
		return err
	}
	if _, err := pk.Sign(policy.NewKeyRing(key)); err != nil {
		return err
	}
	if _, err := pk.Finalize(); err != nil {
		return err
	}
	signed, err := pk.Extract()
	if err != nil {
		return err
	}
	_, err = d.node.Pool.Accept(signed)
	return err
}
