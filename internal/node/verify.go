package node

import (
	"crypto/rand"
	"log/slog"

	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/offheap"
	"github.com/ballast-chain/ballast/internal/secp256k1"
	"github.com/ballast-chain/ballast/internal/sigcache"
)

// newVerifyOptions builds the signature-verification setup the chain and the
// mempool share: libsecp256k1 when the binary was built with it (the
// libsecp256k1 build tag), one signature cache with a secret random salt so
// nobody can aim cache collisions at it.
func newVerifyOptions(workers int, log *slog.Logger) (consensus.Options, error) {
	var salt [32]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return consensus.Options{}, err
	}
	// The cache's table lives outside the Go heap: as heap, its 32 MiB
	// would let as much more garbage pile up between collections.
	table, err := offheap.Make[sigcache.Bucket](sigcache.Buckets(sigcache.DefaultMaxBytes))
	if err != nil {
		return consensus.Options{}, err
	}
	opts := consensus.Options{Workers: workers, SigCache: sigcache.NewWithTable(salt, table)}
	if v, err := secp256k1.NewVerifier(); err == nil {
		opts.Verifier = v
		log.Info("signature verification: libsecp256k1")
	} else {
		log.Info("signature verification: pure Go (build with -tags libsecp256k1 for the C library)")
	}
	return opts, nil
}
