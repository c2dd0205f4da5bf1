package wallet

import "fmt"

// ErrorKind identifies a class of wallet failure; the RPC layer maps each to
// Bitcoin Core's error code.
type ErrorKind string

func (k ErrorKind) Error() string { return string(k) }

// Error kinds.
const (
	ErrNotFound          = ErrorKind("ErrNotFound")          // no such wallet (RPC -18)
	ErrAlreadyLoaded     = ErrorKind("ErrAlreadyLoaded")     // -35
	ErrAlreadyExists     = ErrorKind("ErrAlreadyExists")     // -36
	ErrNotSpecified      = ErrorKind("ErrNotSpecified")      // several wallets loaded, none named (-19)
	ErrLocked            = ErrorKind("ErrLocked")            // the wallet must be unlocked first (-13)
	ErrWrongPassphrase   = ErrorKind("ErrWrongPassphrase")   // -14
	ErrWrongEncState     = ErrorKind("ErrWrongEncState")     // encrypting an encrypted wallet, unlocking a plain one (-15)
	ErrInsufficientFunds = ErrorKind("ErrInsufficientFunds") // -6
	ErrDust              = ErrorKind("ErrDust")              // a payment below the dust threshold (-4, "Transaction amount too small")
	ErrInvalidAddress    = ErrorKind("ErrInvalidAddress")    // -5
	ErrNotKeyAddress     = ErrorKind("ErrNotKeyAddress")     // a message signature needs a key-lock address (-3)
	ErrMalformed         = ErrorKind("ErrMalformed")         // a signature that is not base64 (-3)
	ErrInvalidKey        = ErrorKind("ErrInvalidKey")        // a private key that does not parse (-5)
	ErrInvalidParameter  = ErrorKind("ErrInvalidParameter")  // -8
	ErrWatchOnly         = ErrorKind("ErrWatchOnly")         // no private keys (-4)
	ErrTxNotFound        = ErrorKind("ErrTxNotFound")        // not a wallet transaction (-5)
	ErrRejected          = ErrorKind("ErrRejected")          // the mempool refused the transaction (-26)
	ErrCorrupt           = ErrorKind("ErrCorrupt")           // the wallet file does not load (-4)
	ErrWallet            = ErrorKind("ErrWallet")            // anything else (-4)
)

// Error is a wallet failure with context; it unwraps to its kind. Messages
// never contain secrets.
type Error struct {
	Kind ErrorKind
	Msg  string
	Err  error // the cause, if any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func errf(k ErrorKind, format string, args ...any) error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

func wrapf(k ErrorKind, err error, format string, args ...any) error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...), Err: err}
}
