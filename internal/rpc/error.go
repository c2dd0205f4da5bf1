package rpc

import (
	"errors"
	"fmt"
)

// Code is a JSON-RPC error code. The values are Bitcoin Core's
// (src/rpc/protocol.h), so clients that switch on them keep working.
type Code int

// Standard JSON-RPC 2.0 errors, as Core uses them.
const (
	// CodeInvalidRequest: the request is not a valid JSON-RPC request
	// object. JSON-RPC 1.0 requests get HTTP 400 with it.
	CodeInvalidRequest Code = -32600
	// CodeMethodNotFound: no such method. JSON-RPC 1.0 requests get HTTP
	// 404 with it.
	CodeMethodNotFound Code = -32601
	// CodeInvalidParams is defined by JSON-RPC 2.0; Core (and so Ballast)
	// reports wrong parameters with CodeMisc, CodeType or
	// CodeInvalidParameter instead.
	CodeInvalidParams Code = -32602
	// CodeInternal: a genuine error in the node.
	CodeInternal Code = -32603
	// CodeParseError: the body is not JSON.
	CodeParseError Code = -32700
)

// Application errors, as Core defines them.
const (
	CodeMisc                    Code = -1  // any other failure; also a wrong number of parameters (the message is the help)
	CodeType                    Code = -3  // a parameter of the wrong JSON type
	CodeInvalidAddressOrKey     Code = -5  // unknown block or transaction, invalid address or key
	CodeOutOfMemory             Code = -7  // ran out of memory
	CodeInvalidParameter        Code = -8  // invalid, missing or duplicate parameter
	CodeDatabase                Code = -20 // database error
	CodeDeserialization         Code = -22 // a hex transaction, block or policy that does not decode
	CodeVerify                  Code = -25 // transaction or block submission failed
	CodeVerifyRejected          Code = -26 // rejected by consensus or mempool rules
	CodeVerifyAlreadyInChain    Code = -27 // transaction already in the block chain
	CodeInWarmup                Code = -28 // the node is still starting
	CodeMethodDeprecated        Code = -32 // the method is deprecated
	CodeClientNotConnected      Code = -9  // the node has no peers
	CodeClientInInitialDownload Code = -10 // still downloading initial blocks
	CodeClientNodeAlreadyAdded  Code = -23
	CodeClientNodeNotAdded      Code = -24
	CodeClientNodeNotConnected  Code = -29
	CodeClientInvalidIPOrSubnet Code = -30
	CodeClientP2PDisabled       Code = -31
	CodeClientMempoolDisabled   Code = -33
	CodeClientNodeCapacityReach Code = -34
)

// Wallet errors, reserved for the wallet's methods.
const (
	CodeWallet                 Code = -4  // unspecified wallet problem
	CodeWalletInsufficientFund Code = -6  // not enough funds
	CodeWalletInvalidLabelName Code = -11 // invalid label name
	CodeWalletKeypoolRanOut    Code = -12 // keypool ran out
	CodeWalletUnlockNeeded     Code = -13 // enter the wallet passphrase first
	CodeWalletPassphraseWrong  Code = -14 // the passphrase is wrong
	CodeWalletWrongEncState    Code = -15 // command given in the wrong encryption state
	CodeWalletEncryptionFailed Code = -16 // failed to encrypt the wallet
	CodeWalletAlreadyUnlocked  Code = -17 // wallet already unlocked
	CodeWalletNotFound         Code = -18 // no such wallet
	CodeWalletNotSpecified     Code = -19 // several wallets loaded and none named
	CodeWalletAlreadyLoaded    Code = -35 // the wallet is already loaded
	CodeWalletAlreadyExists    Code = -36 // the wallet already exists
)

// Error is a JSON-RPC error object: what a handler returns to send a
// specific code and message. Any other error a handler returns is sent as
// CodeMisc with the error's text, as Core does with a std::exception.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message) }

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// asRPCError turns a handler's error into the error object sent back.
func asRPCError(err error) *Error {
	var re *Error
	if errors.As(err, &re) {
		return re
	}
	return &Error{Code: CodeMisc, Message: err.Error()}
}

// Sentinel errors a backend returns (wrapped with %w as it likes) so that
// handlers can answer with Core's code and message.
var (
	// ErrNotFound: the block, header or transaction is unknown.
	ErrNotFound = errors.New("not found")
	// ErrBlockUnavailable: the block's header is known but its data is
	// not (not yet downloaded, or pruned).
	ErrBlockUnavailable = errors.New("block data not available")
	// ErrNoTxIndex: looking a transaction up by id needs the transaction
	// index, which is disabled.
	ErrNoTxIndex = errors.New("transaction index disabled")
)
