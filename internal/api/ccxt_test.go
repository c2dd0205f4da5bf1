package api

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestCCXT runs test/ccxt/e2e.mjs: CCXT's binance class, its URLs pointed
// at a real venue on 127.0.0.1, trading through REST and watching the
// order book and orders over WebSocket. In CI (CI=true) a missing node or
// node_modules fails the test; elsewhere it skips.
func TestCCXT(t *testing.T) {
	dir, _ := filepath.Abs("../../test/ccxt")
	node, err := exec.LookPath("node")
	missing := ""
	switch {
	case err != nil:
		missing = "node is not installed"
	case !exists(filepath.Join(dir, "node_modules", "ccxt")):
		missing = "test/ccxt/node_modules is missing (run scripts/install-deps.sh or npm ci in test/ccxt)"
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(missing)
		}
		t.Skip(missing)
	}
	a, b := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "e2e.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BALLAST_URL="+a.base, "KEY_A="+a.key, "SECRET_A="+a.secret.Reveal(),
		"KEY_B="+b.key, "SECRET_B="+b.secret.Reveal())
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("ccxt e2e: %v", err)
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }
