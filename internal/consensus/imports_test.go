package consensus

import (
	"go/build"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const module = "github.com/ballast-chain/ballast"

// pureCore lists the packages that make up the consensus core. They must stay
// deterministic: no I/O, no clock, no randomness, no logging.
var pureCore = []string{
	"internal/chainhash", "internal/wire", "internal/merkle", "internal/pow",
	"internal/policy", "internal/sighash", "internal/params", "internal/address",
	"internal/consensus", "internal/sigcache", "internal/asset",
}

// forbidden are standard-library packages whose use would make consensus
// depend on the environment.
var forbidden = map[string]string{
	"os": "I/O", "os/exec": "I/O", "io/ioutil": "I/O", "io/fs": "I/O", "net": "I/O",
	"net/http": "I/O", "syscall": "I/O", "time": "the clock", "math/rand": "randomness",
	"math/rand/v2": "randomness", "crypto/rand": "randomness", "log": "logging",
	"log/slog": "logging", "unsafe": "memory safety", "plugin": "dynamic code",
}

// allowedThirdParty are the libraries the core may use, chosen for the field.
var allowedThirdParty = []string{
	"github.com/btcsuite/btcd/btcec/v2",
	"github.com/btcsuite/btcd/btcutil/bech32",
	"github.com/decred/dcrd/dcrec/secp256k1/v4",
}

func moduleRoot(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller info")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// TestPureCoreImports enforces the core's import boundary: it walks every
// non-test import of the core packages, following imports within this module,
// and fails on any forbidden standard-library package, any module package
// outside the core, or any unlisted third-party package.
func TestPureCoreImports(t *testing.T) {
	root := moduleRoot(t)
	core := map[string]bool{}
	for _, p := range pureCore {
		core[module+"/"+p] = true
	}
	seen := map[string]bool{}
	var walk func(path string)
	walk = func(path string) {
		if seen[path] {
			return
		}
		seen[path] = true
		rel := strings.TrimPrefix(path, module+"/")
		pkg, err := build.Default.ImportDir(filepath.Join(root, rel), 0)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, imp := range pkg.Imports {
			switch {
			case strings.HasPrefix(imp, module+"/"):
				if !core[imp] {
					t.Errorf("%s imports %s, which is not part of the pure core", path, imp)
					continue
				}
				walk(imp)
			case !strings.Contains(strings.Split(imp, "/")[0], "."):
				if why, bad := forbidden[imp]; bad {
					t.Errorf("%s imports %s (%s)", path, imp, why)
				}
			default:
				ok := false
				for _, a := range allowedThirdParty {
					if imp == a || strings.HasPrefix(imp, a+"/") {
						ok = true
					}
				}
				if !ok {
					t.Errorf("%s imports third-party %s, not allowed in the core", path, imp)
				}
			}
		}
	}
	for _, p := range pureCore {
		walk(module + "/" + p)
	}
	if len(seen) < len(pureCore) {
		t.Fatalf("walked %d packages, expected at least %d", len(seen), len(pureCore))
	}
}
