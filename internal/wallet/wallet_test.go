package wallet_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/mining"
	"github.com/ballast-chain/ballast/internal/node"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wallet"
	"github.com/ballast-chain/ballast/internal/wallet/hd"
	"github.com/ballast-chain/ballast/internal/wallet/psbt"
	"github.com/ballast-chain/ballast/internal/wire"
)

// fastKDF keeps argon2id cheap in tests; production uses the defaults.
var fastKDF = wallet.KDF{Time: 1, Memory: 1024, Threads: 1}

type harness struct {
	t *testing.T
	n *node.Node
	p *params.Params
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	p := params.Regtest()
	n, err := node.New(node.Config{Params: p, DataDir: t.TempDir(), RPCListen: []string{"127.0.0.1:0"},
		WalletConfig: node.WalletConfig{WalletKDF: fastKDF}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)
	return &harness{t: t, n: n, p: p}
}

// mine mines k blocks paying addr, including the mempool's transactions.
func (h *harness) mine(k int, addr string) []*wire.Block {
	h.t.Helper()
	lock, err := address.Decode(addr, h.p.Bech32HRP)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []*wire.Block
	for range k {
		var txs []mining.TemplateTx
		for _, t := range h.n.Pool.SelectForBlock(wire.MaxBlockWeight - 8000) {
			txs = append(txs, mining.TemplateTx{Tx: t.Tx, Fee: t.Fee})
		}
		tip := h.n.Chain.Tip()
		tmpl, err := mining.NewTemplate(mining.TemplateConfig{Params: h.p, Parent: tip, Payout: lock,
			Now: int64(tip.Timestamp) + 1}, txs)
		if err != nil {
			h.t.Fatal(err)
		}
		if _, err := mining.Solve(context.Background(), tmpl, 0); err != nil {
			h.t.Fatal(err)
		}
		if _, err := h.n.SubmitBlock(tmpl.Block); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, tmpl.Block)
	}
	return out
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Two wallets on one node (P2P does not exist yet): mining, errors with
// their kinds, a payment, a reorg that removes and restores it, a fee
// bump, a restore from the mnemonic.
func TestSendReceiveReorgRestore(t *testing.T) {
	h := newHarness(t)
	m := h.n.Wallets
	alice, mn, err := m.Create("alice", wallet.CreateOptions{Passphrase: "correct horse"})
	mustNoErr(t, err)
	bob, _, err := m.Create("bob", wallet.CreateOptions{})
	mustNoErr(t, err)
	if _, err := m.Get("", false); !errors.Is(err, wallet.ErrNotSpecified) {
		t.Fatalf("two wallets, none named: %v", err)
	}
	aAddr, err := alice.NewAddress("mining")
	mustNoErr(t, err)
	h.mine(101, aAddr)
	bal := alice.Balances()[wire.NativeAsset]
	if bal.Trusted != 50*params.Coin || bal.Immature != 100*50*params.Coin {
		t.Fatalf("alice balance %+v", bal)
	}
	bAddr, err := bob.NewAddress("")
	mustNoErr(t, err)
	pay := []wallet.Payment{{Address: bAddr, Value: 10 * params.Coin}}
	if _, _, err := alice.Send(pay, wallet.SendOptions{}); !errors.Is(err, wallet.ErrLocked) {
		t.Fatalf("locked wallet sent: %v", err)
	}
	if err := alice.Unlock("wrong", time.Minute); !errors.Is(err, wallet.ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if err := bob.Unlock("x", time.Minute); !errors.Is(err, wallet.ErrWrongEncState) {
		t.Fatalf("unlock of an unencrypted wallet: %v", err)
	}
	mustNoErr(t, alice.Unlock("correct horse", time.Minute))
	if _, _, err := alice.Send([]wallet.Payment{{Address: bAddr, Value: 100}}, wallet.SendOptions{}); !errors.Is(err, wallet.ErrDust) {
		t.Fatalf("dust: %v", err)
	}
	if _, _, err := alice.Send([]wallet.Payment{{Address: bAddr, Value: 51 * params.Coin}}, wallet.SendOptions{}); !errors.Is(err, wallet.ErrInsufficientFunds) {
		t.Fatalf("insufficient: %v", err)
	}
	tx, f, err := alice.Send(pay, wallet.SendOptions{})
	mustNoErr(t, err)
	if f.Fee <= 0 || f.FeeRate != 20_000 {
		t.Errorf("fee %d rate %d (fallback 20000 expected)", f.Fee, f.FeeRate)
	}
	if b := bob.Balances()[wire.NativeAsset]; b.UntrustedPending != 10*params.Coin {
		t.Fatalf("bob before confirmation %+v", b)
	}
	if got := alice.Balance(wire.NativeAsset, 0); got != 40*params.Coin-f.Fee {
		t.Fatalf("alice after send %d", got)
	}
	// Replace by fee, then confirm the replacement.
	bumped, oldFee, newFee, err := alice.BumpFee(tx.TxHash(), 0)
	mustNoErr(t, err)
	if newFee <= oldFee {
		t.Fatalf("bump %d -> %d", oldFee, newFee)
	}
	blocks := h.mine(1, aAddr)
	if b := bob.Balance(wire.NativeAsset, 1); b != 10*params.Coin {
		t.Fatalf("bob after confirmation %d", b)
	}
	d, err := bob.Transaction(bumped.TxHash())
	mustNoErr(t, err)
	if d.Entry.Confirmations != 1 {
		t.Fatalf("confirmations %d", d.Entry.Confirmations)
	}
	// Reorg: the block leaves the chain, the payment goes back to
	// unconfirmed; reconsidering puts it back.
	mustNoErr(t, h.n.Chain.InvalidateBlock(blocks[0].BlockHash()))
	if d, _ := bob.Transaction(bumped.TxHash()); d.Entry.Confirmations != 0 {
		t.Fatalf("after invalidate: %d confirmations", d.Entry.Confirmations)
	}
	if b := bob.Balance(wire.NativeAsset, 1); b != 0 {
		t.Fatalf("bob confirmed balance after reorg %d", b)
	}
	mustNoErr(t, h.n.Chain.ReconsiderBlock(blocks[0].BlockHash()))
	if b := bob.Balance(wire.NativeAsset, 1); b != 10*params.Coin {
		t.Fatalf("bob after reconsider %d", b)
	}
	// Restore from the mnemonic into a new wallet: every past fund is found.
	want := alice.Balances()[wire.NativeAsset]
	restored, _, err := m.Create("alice-restored", wallet.CreateOptions{Mnemonic: mn})
	mustNoErr(t, err)
	if got := restored.Balances()[wire.NativeAsset]; *got != *want {
		t.Fatalf("restored %+v, want %+v", got, want)
	}
	// Reload from disk after unloading: the same state.
	mustNoErr(t, m.Unload("bob"))
	bob2, err := m.Load("bob")
	mustNoErr(t, err)
	if b := bob2.Balance(wire.NativeAsset, 1); b != 10*params.Coin {
		t.Fatalf("bob reloaded %d", b)
	}
	if _, err := m.Load("bob"); !errors.Is(err, wallet.ErrAlreadyLoaded) {
		t.Fatalf("double load: %v", err)
	}
	if _, _, err := m.Create("bob", wallet.CreateOptions{}); !errors.Is(err, wallet.ErrAlreadyExists) {
		t.Fatalf("create existing: %v", err)
	}
	mustNoErr(t, alice.Lock())
	if _, _, err := alice.Send(pay, wallet.SendOptions{}); !errors.Is(err, wallet.ErrLocked) {
		t.Fatalf("relocked wallet sent: %v", err)
	}
}

// A 2-of-3 multisig watch-only wallet funds a spend; two cosigners sign it
// offline from their mnemonics alone; the packets are combined, finalized
// and broadcast.
func TestMultisigOffline(t *testing.T) {
	h := newHarness(t)
	m := h.n.Wallets
	var mns []hd.Mnemonic
	var xpubs []string
	for range 3 {
		mn, err := hd.NewMnemonic(24)
		mustNoErr(t, err)
		_, x, err := wallet.AccountXpubs(mn, "", "regtest")
		mustNoErr(t, err)
		mns, xpubs = append(mns, mn), append(xpubs, x)
	}
	ms, _, err := m.Create("vault", wallet.CreateOptions{Kind: wallet.KindMultisig, Threshold: 2, Cosigners: xpubs, NoPrivateKeys: true})
	mustNoErr(t, err)
	addr, err := ms.NewAddress("")
	mustNoErr(t, err)
	if lock, _ := address.Decode(addr, h.p.Bech32HRP); lock.Kind != wire.LockPolicy {
		t.Fatalf("multisig address is a %s lock", lock.Kind)
	}
	h.mine(101, addr)
	dest, _, err := m.Create("dest", wallet.CreateOptions{})
	mustNoErr(t, err)
	dAddr, _ := dest.NewAddress("")
	if _, _, err := ms.Send([]wallet.Payment{{Address: dAddr, Value: params.Coin}}, wallet.SendOptions{}); !errors.Is(err, wallet.ErrWatchOnly) {
		t.Fatalf("watch-only send: %v", err)
	}
	f, err := ms.Fund([]wallet.Payment{{Address: dAddr, Value: 7 * params.Coin}}, wallet.SendOptions{})
	mustNoErr(t, err)
	enc := f.Packet.Base64()
	var signed []*psbt.Packet
	for _, mn := range []hd.Mnemonic{mns[0], mns[2]} { // two offline signers
		p, err := psbt.ParseBase64(enc)
		mustNoErr(t, err)
		s, err := wallet.NewOfflineSigner(mn, "", "regtest", 50)
		mustNoErr(t, err)
		if n, err := p.Sign(s); err != nil || n == 0 {
			t.Fatalf("offline sign: %d %v", n, err)
		}
		signed = append(signed, p)
	}
	mustNoErr(t, signed[0].Combine(signed[1]))
	done, err := signed[0].Finalize()
	if err != nil || !done {
		t.Fatalf("finalize %v %v", done, err)
	}
	tx, err := signed[0].Extract()
	mustNoErr(t, err)
	mustNoErr(t, ms.Broadcast(tx))
	h.mine(1, addr)
	if b := dest.Balance(wire.NativeAsset, 1); b != 7*params.Coin {
		t.Fatalf("dest got %d", b)
	}
}

// The exchange derives deposit addresses from an xpub alone; they match a
// watch-only wallet's and the key wallet's.
func TestDeriveAddressesMatchesWallet(t *testing.T) {
	h := newHarness(t)
	w, mn, err := h.n.Wallets.Create("k", wallet.CreateOptions{})
	mustNoErr(t, err)
	x, _, err := wallet.AccountXpubs(mn, "", "regtest")
	mustNoErr(t, err)
	if x != w.AccountXpub() {
		t.Fatal("account xpub differs")
	}
	addrs, err := wallet.DeriveAddresses(x, h.p.Bech32HRP, 0, 0, 3)
	mustNoErr(t, err)
	watch, _, err := h.n.Wallets.Create("watch", wallet.CreateOptions{Kind: wallet.KindWatch, Xpub: x})
	mustNoErr(t, err)
	for i := range 3 {
		a, _ := w.NewAddress("")
		b, _ := watch.NewAddress("")
		if a != addrs[i] || b != addrs[i] {
			t.Fatalf("index %d: %s %s %s", i, a, b, addrs[i])
		}
	}
	_ = chainhash.Hash{}
}
