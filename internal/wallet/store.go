package wallet

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// FileName is the wallet file inside <datadir>/<network>/wallets/<name>/.
const FileName = "wallet.json"

// Kinds of wallet.
const (
	KindKey      = "key"      // single-key locks from a mnemonic
	KindWatch    = "watch"    // single-key locks from an account xpub, no secrets
	KindMultisig = "multisig" // k-of-n policy locks from cosigners' xpubs
)

// fileData is the wallet file: JSON, written whole with write-temp, fsync,
// rename, fsync-directory, so a crash leaves the old or the new file.
type fileData struct {
	Version           int               `json:"version"`
	Network           string            `json:"network"`
	Kind              string            `json:"kind"`
	Created           int64             `json:"created"`
	BirthHeight       int32             `json:"birth_height"`
	MasterFingerprint string            `json:"master_fingerprint,omitempty"`
	AccountXpub       string            `json:"account_xpub,omitempty"`
	Threshold         int               `json:"threshold,omitempty"`
	Cosigners         []string          `json:"cosigners,omitempty"`
	Secret            *sealed           `json:"secret,omitempty"`
	Next              [2]int            `json:"next"` // next unused index per chain
	Used              [2]int            `json:"used"` // one past the highest index seen on chain
	Labels            map[string]string `json:"labels,omitempty"`
	TipHeight         int32             `json:"tip_height"`
	TipHash           string            `json:"tip_hash"`
	Txs               []fileTx          `json:"txs"`
	Locked            []string          `json:"locked,omitempty"`
}

type fileTx struct {
	Hex        string `json:"hex"`
	BlockHash  string `json:"block_hash,omitempty"`
	Height     int32  `json:"height"`
	BlockTime  int64  `json:"block_time,omitempty"`
	Index      int    `json:"index"`
	Received   int64  `json:"received"`
	Abandoned  bool   `json:"abandoned,omitempty"`
	ReplacedBy string `json:"replaced_by,omitempty"`
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".new"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func readFile(path string) (*fileData, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f fileData
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, wrapf(ErrCorrupt, err, "wallet file %s", path)
	}
	if f.Version != 1 {
		return nil, errf(ErrCorrupt, "wallet file version %d", f.Version)
	}
	return &f, nil
}
