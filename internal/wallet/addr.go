package wallet

import (
	"encoding/hex"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/wallet/hd"
)

// NewAddress hands out the next receive address and labels it.
func (w *Wallet) NewAddress(label string) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.nextAddress(0, label)
}

// ChangeAddress hands out the next change address (getrawchangeaddress).
func (w *Wallet) ChangeAddress() (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.nextAddress(1, "")
}

func (w *Wallet) nextAddress(chain int, label string) (string, error) {
	i := w.f.Next[chain]
	w.f.Next[chain]++
	if err := w.extend(); err != nil {
		return "", err
	}
	a, err := address.Encode(w.hrp(), w.byIndex[chain][i].lock)
	if err != nil {
		return "", err
	}
	if label != "" {
		w.f.Labels[a] = label
	}
	return a, w.save()
}

// AddressInfo is getaddressinfo's answer.
type AddressInfo struct {
	Address     string
	IsMine      bool
	IsWatchOnly bool
	IsChange    bool
	Path        string
	Policy      string
	Label       string
	XOnly       string
}

// AddressInfo describes addr as the wallet knows it.
func (w *Wallet) AddressInfo(addr string) (AddressInfo, error) {
	lock, err := address.Decode(addr, w.hrp())
	if err != nil {
		return AddressInfo{}, wrapf(ErrInvalidAddress, err, "Invalid address")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	info := AddressInfo{Address: addr, Label: w.f.Labels[addr]}
	k, _ := keyOf(lock)
	ai := w.addrs[k]
	if ai == nil {
		return info, nil
	}
	info.IsMine = w.HasPrivateKeys()
	info.IsWatchOnly = !info.IsMine
	info.IsChange = ai.chain == 1
	info.Path = append(w.accountPath(), ai.chain, ai.index).String()
	if ai.policy != nil {
		info.Policy = ai.policy.String()
	} else {
		info.XOnly = hex.EncodeToString(ai.keys[0][:])
	}
	return info, nil
}

// SetLabel labels an address (setlabel).
func (w *Wallet) SetLabel(addr, label string) error {
	if _, err := address.Decode(addr, w.hrp()); err != nil {
		return wrapf(ErrInvalidAddress, err, "Invalid address")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if label == "" {
		delete(w.f.Labels, addr)
	} else {
		w.f.Labels[addr] = label
	}
	return w.save()
}

// DeriveAddresses returns count receive (chain 0) or change (chain 1)
// addresses from index start of a single-key account xpub (m/86'/coin'/0'),
// without any secret: the exchange derives deposit addresses this way, and
// they match the addresses of a wallet made from the same mnemonic.
func DeriveAddresses(xpub, hrp string, chain, start, count uint32) ([]string, error) {
	k, err := hd.ParseExtendedKey(xpub)
	if err != nil {
		return nil, err
	}
	if k.IsPrivate() {
		return nil, errf(ErrInvalidParameter, "expected an xpub, got a private key")
	}
	if chain > 1 || count > 10_000 {
		return nil, errf(ErrInvalidParameter, "chain must be 0 or 1 and count at most 10000")
	}
	d, err := newDeriver(KindWatch, 0, []*hd.ExtendedKey{k}, -1)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, count)
	for i := start; i < start+count; i++ {
		ai, err := d.derive(chain, i)
		if err != nil {
			return nil, err
		}
		a, err := address.Encode(hrp, ai.lock)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// AccountXpub returns the wallet's own account xpub (to share with
// cosigners or a watch-only copy).
func (w *Wallet) AccountXpub() string { return w.f.AccountXpub }

func parseFingerprint(s string) ([4]byte, error) {
	var fp [4]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 4 {
		return fp, errf(ErrCorrupt, "fingerprint")
	}
	copy(fp[:], b)
	return fp, nil
}
