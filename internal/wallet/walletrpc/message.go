package walletrpc

import (
	"github.com/ballast-chain/ballast/internal/rpc"
	"github.com/ballast-chain/ballast/internal/wallet"
)

// messageMethods are signmessage, verifymessage and signmessagewithprivkey
// (BIP340 over TaggedHash("Ballast/SignedMessage", message); docs/wallet.md).
func messageMethods(m *wallet.Manager) []rpc.Method {
	msg := str("message", "the message (its UTF-8 bytes are signed as given)")
	return []rpc.Method{
		{Name: "signmessage", Help: "Signs a message with the key of one of the wallet's key-lock addresses: a BIP340 " +
			"signature over TaggedHash(\"Ballast/SignedMessage\", message), in base64. Needs the wallet unlocked.",
			Params: []rpc.Param{str("address", "a key-lock address of this wallet"), msg},
			Result: "\"signature\"    (string) the 64-byte signature in base64",
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				return w.SignMessage(a.String(0), a.String(1))
			})},
		{Name: "verifymessage", Category: "Util", Help: "Verifies a message signed by signmessage or signmessagewithprivkey.",
			Params: []rpc.Param{str("address", "the key-lock address that signed"), str("signature", "the signature in base64"), msg},
			Result: "true|false    (boolean) whether the signature is valid",
			Handler: wrap(func(_ ctxT, _ *rpc.Request, a *rpc.Args) (any, error) {
				return wallet.VerifyMessage(a.String(0), m.Params().Bech32HRP, a.String(1), a.String(2))
			})},
		{Name: "signmessagewithprivkey", Category: "Util", Help: "Signs a message with a private key (64 hex characters), as signmessage does.",
			Params: []rpc.Param{str("privkey", "the private key, 64 hex characters"), msg},
			Result: "\"signature\"    (string) the 64-byte signature in base64",
			Handler: wrap(func(_ ctxT, _ *rpc.Request, a *rpc.Args) (any, error) {
				return wallet.SignMessageWithKey(a.String(0), a.String(1))
			})},
	}
}
