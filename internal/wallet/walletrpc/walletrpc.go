// Package walletrpc serves the wallet over the node's JSON-RPC server with
// Bitcoin Core's method names, parameters, result shapes and error codes,
// on / (the only loaded wallet) and /wallet/<name>.
package walletrpc

import (
	"context"
	"errors"
	"strings"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/rpc"
	"github.com/ballast-chain/ballast/internal/wallet"
	"github.com/ballast-chain/ballast/internal/wire"
)

// rpcError maps a wallet error to Core's code.
func rpcError(err error) error {
	var re *rpc.Error
	if err == nil || errors.As(err, &re) {
		return err
	}
	code := rpc.CodeWallet
	for _, m := range []struct {
		kind wallet.ErrorKind
		code rpc.Code
	}{
		{wallet.ErrNotFound, rpc.CodeWalletNotFound},
		{wallet.ErrAlreadyLoaded, rpc.CodeWalletAlreadyLoaded},
		{wallet.ErrAlreadyExists, rpc.CodeWalletAlreadyExists},
		{wallet.ErrNotSpecified, rpc.CodeWalletNotSpecified},
		{wallet.ErrLocked, rpc.CodeWalletUnlockNeeded},
		{wallet.ErrWrongPassphrase, rpc.CodeWalletPassphraseWrong},
		{wallet.ErrWrongEncState, rpc.CodeWalletWrongEncState},
		{wallet.ErrInsufficientFunds, rpc.CodeWalletInsufficientFund},
		{wallet.ErrDust, rpc.CodeWallet},
		{wallet.ErrInvalidAddress, rpc.CodeInvalidAddressOrKey},
		{wallet.ErrInvalidKey, rpc.CodeInvalidAddressOrKey},
		{wallet.ErrNotKeyAddress, rpc.CodeType},
		{wallet.ErrMalformed, rpc.CodeType},
		{wallet.ErrTxNotFound, rpc.CodeInvalidAddressOrKey},
		{wallet.ErrInvalidParameter, rpc.CodeInvalidParameter},
		{wallet.ErrRejected, rpc.CodeVerifyRejected},
	} {
		if errors.Is(err, m.kind) {
			code = m.code
			break
		}
	}
	return &rpc.Error{Code: code, Message: err.Error()}
}

type handler func(ctx context.Context, req *rpc.Request, a *rpc.Args) (any, error)

// walletHandler resolves the request's wallet first.
type walletHandler func(w *wallet.Wallet, a *rpc.Args) (any, error)

func wrap(h handler) rpc.Handler {
	return func(ctx context.Context, req *rpc.Request) (any, error) {
		a := rpc.NewArgs(req)
		v, err := h(ctx, req, a)
		return v, rpcError(err)
	}
}

func withWallet(m *wallet.Manager, h walletHandler) rpc.Handler {
	return wrap(func(_ context.Context, req *rpc.Request, a *rpc.Args) (any, error) {
		name, named := req.WalletName()
		w, err := m.Get(name, named)
		if err != nil {
			return nil, err
		}
		return h(w, a)
	})
}

// amount reads parameter i as a coin amount (number or string).
func amount(a *rpc.Args, i int) int64 {
	raw := a.Raw(i)
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	v, err := rpc.ParseAmount(s)
	if err != nil || v <= 0 {
		a.Fail(rpc.Errorf(rpc.CodeType, "Invalid amount"))
	}
	return v
}

// asset reads an asset id ("" or absent: the native coin).
func asset(a *rpc.Args, i int) wire.AssetID {
	s := a.String(i)
	if s == "" || s == "native" {
		return wire.NativeAsset
	}
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		a.Fail(rpc.Errorf(rpc.CodeInvalidParameter, "asset must be a 64-character hex id"))
	}
	return wire.AssetID(h)
}

func assetKey(id wire.AssetID) string {
	if id.IsNative() {
		return "native"
	}
	return id.String()
}

// Methods returns every wallet method, bound to m.
func Methods(m *wallet.Manager) []rpc.Method {
	var out []rpc.Method
	out = append(out, manageMethods(m)...)
	out = append(out, addressMethods(m)...)
	out = append(out, balanceMethods(m)...)
	out = append(out, sendMethods(m)...)
	out = append(out, psbtMethods(m)...)
	out = append(out, messageMethods(m)...)
	for i := range out {
		if out[i].Category == "" {
			out[i].Category = "Wallet"
		}
	}
	return out
}

func str(name, help string) rpc.Param {
	return rpc.Param{Name: name, Type: rpc.TypeString, Help: help}
}

func opt(p rpc.Param) rpc.Param { p.Optional = true; return p }

func num(name, help string) rpc.Param { return rpc.Param{Name: name, Type: rpc.TypeNumber, Help: help} }

func boolean(name, help string) rpc.Param {
	return rpc.Param{Name: name, Type: rpc.TypeBool, Help: help}
}

func amt(name, help string) rpc.Param { return rpc.Param{Name: name, Type: rpc.TypeAmount, Help: help} }

func hexHash(s string) (chainhash.Hash, error) { return chainhash.NewHashFromStr(s) }
