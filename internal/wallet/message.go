package wallet

import (
	"encoding/base64"
	"encoding/hex"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// MessageTag is the BIP340 tag of signed messages: a signature is over
// TaggedHash(MessageTag, message), so it can never be a valid signature of
// a transaction or of anything else Ballast hashes with its own tag.
const MessageTag = "Ballast/SignedMessage"

// MessageHash returns the hash a message signature signs: the message's
// bytes as given (UTF-8 from JSON), nothing prepended but the tag.
func MessageHash(msg string) chainhash.Hash {
	return chainhash.TaggedHash(MessageTag, []byte(msg))
}

// messageKey returns the x-only key of a key-lock address.
func messageKey(addr, hrp string) ([32]byte, error) {
	lock, err := address.Decode(addr, hrp)
	if err != nil {
		return [32]byte{}, wrapf(ErrInvalidAddress, err, "Invalid address")
	}
	if lock.Kind != wire.LockKey || len(lock.Data) != 32 {
		return [32]byte{}, errf(ErrNotKeyAddress, "Address does not refer to key")
	}
	return [32]byte(lock.Data), nil
}

func signMessage(priv *btcec.PrivateKey, msg string) (string, error) {
	h := MessageHash(msg)
	sig, err := schnorr.Sign(priv, h[:]) // verifies the signature before returning it
	if err != nil {
		return "", wrapf(ErrWallet, err, "Sign failed")
	}
	return base64.StdEncoding.EncodeToString(sig.Serialize()), nil
}

// SignMessage signs msg with the key of addr, one of the wallet's key-lock
// addresses (signmessage). The result is the 64-byte BIP340 signature in
// standard base64 (88 characters).
func (w *Wallet) SignMessage(addr, msg string) (string, error) {
	pub, err := messageKey(addr, w.hrp())
	if err != nil {
		return "", err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	p, ok := w.paths[pub]
	if !ok || w.d.kind == KindMultisig {
		return "", errf(ErrWallet, "Private key not available")
	}
	s, err := w.signer()
	if err != nil {
		return "", err
	}
	priv, err := s.keys.priv(p)
	if err != nil {
		return "", err
	}
	return signMessage(priv, msg)
}

// SignMessageWithKey signs msg with a private key given as 64 hex
// characters (signmessagewithprivkey); it needs no wallet.
func SignMessageWithKey(privHex, msg string) (string, error) {
	b, err := hex.DecodeString(privHex)
	if err != nil || len(b) != 32 {
		return "", errf(ErrInvalidKey, "Invalid private key")
	}
	var k btcec.ModNScalar
	overflow := k.SetByteSlice(b)
	clear(b)
	if overflow || k.IsZero() {
		return "", errf(ErrInvalidKey, "Invalid private key")
	}
	priv := btcec.PrivKeyFromScalar(&k)
	defer priv.Zero()
	k.Zero()
	return signMessage(priv, msg)
}

// VerifyMessage reports whether sig (base64) is a signature of msg by the
// key of addr, a key-lock address (verifymessage). A signature that is not
// base64 is an error (ErrMalformed); one of the wrong length or by another
// key is false.
func VerifyMessage(addr, hrp, sig, msg string) (bool, error) {
	pub, err := messageKey(addr, hrp)
	if err != nil {
		return false, err
	}
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return false, errf(ErrMalformed, "Malformed base64 encoding")
	}
	s, err := schnorr.ParseSignature(raw)
	if err != nil {
		return false, nil
	}
	key, err := schnorr.ParsePubKey(pub[:])
	if err != nil {
		return false, nil
	}
	h := MessageHash(msg)
	return s.Verify(h[:], key), nil
}
