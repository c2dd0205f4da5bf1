package rpc

import (
	"context"
	"errors"
	"fmt"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

// env is what the standard handlers share: the network and the backends.
type env struct {
	params *params.Params
	b      Backends
}

// need lists the backends a method calls.
type need uint8

const (
	needChain need = 1 << iota
	needMempool
	needFees
	needNetwork
	needMining
)

func (e *env) has(n need) bool {
	return (n&needChain == 0 || e.b.Chain != nil) &&
		(n&needMempool == 0 || e.b.Mempool != nil) &&
		(n&needFees == 0 || e.b.Fees != nil) &&
		(n&needNetwork == 0 || e.b.Network != nil) &&
		(n&needMining == 0 || e.b.Mining != nil)
}

type spec struct {
	Method
	needs need
}

// standardMethods returns the standard methods whose backends e has (all
// of them when all is set: the client's conversion table only reads their
// parameters).
func standardMethods(e *env, all bool) []Method {
	var specs []spec
	specs = append(specs, e.rawTxMethods()...)
	specs = append(specs, e.chainMethods()...)
	specs = append(specs, e.sendMethods()...)
	specs = append(specs, e.mempoolMethods()...)
	specs = append(specs, e.nodeMethods()...)
	out := make([]Method, 0, len(specs))
	for _, s := range specs {
		if all || e.has(s.needs) {
			out = append(out, s.Method)
		}
	}
	return out
}

// decodeAddress decodes an address of the served network.
func (e *env) decodeAddress(s string) (wire.Lock, error) {
	return address.Decode(s, e.params.Bech32HRP)
}

// chainState reads the best chain's state.
func (e *env) chainState(ctx context.Context) (ChainState, error) {
	return e.b.Chain.ChainState(ctx)
}

// blockInfo looks a block up, answering an unknown hash with Core's
// "Block not found".
func (e *env) blockInfo(ctx context.Context, hash chainhash.Hash) (BlockInfo, error) {
	info, err := e.b.Chain.BlockInfo(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return info, Errorf(CodeInvalidAddressOrKey, "Block not found")
	}
	return info, err
}

// block reads a block's data, with Core's messages for missing data.
func (e *env) block(ctx context.Context, hash chainhash.Hash, pruned bool) (*wire.Block, error) {
	blk, err := e.b.Chain.Block(ctx, hash)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, Errorf(CodeInvalidAddressOrKey, "Block not found")
	case errors.Is(err, ErrBlockUnavailable) && pruned:
		return nil, Errorf(CodeMisc, "Block not available (pruned data)")
	case errors.Is(err, ErrBlockUnavailable):
		return nil, Errorf(CodeMisc, "Block not available (not fully downloaded)")
	case err != nil:
		return nil, err
	}
	return blk, nil
}

// backendError adds which backend call failed to an unexpected error.
func backendError(what string, err error) error {
	var re *Error
	if errors.As(err, &re) {
		return re
	}
	return fmt.Errorf("%s: %w", what, err)
}
