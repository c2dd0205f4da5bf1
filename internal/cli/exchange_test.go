package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuf is a goroutine-safe output buffer.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestExchangeAdminActsOnRunningVenue runs ballast exchange on loopback and
// drives it with ballast exchange admin: the market, user, credit and key
// it makes are visible through the running venue's public API at once.
func TestExchangeAdminActsOnRunningVenue(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuf
	done := make(chan error, 1)
	go func() {
		done <- exchangeCommand().run(ctx, []string{"-datadir", dir, "-listen", "127.0.0.1:0", "-loglevel", "warn"}, Env{Stdout: &out, Stderr: &errb})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	for i := 0; !strings.Contains(out.String(), "admin"); i++ {
		if i > 200 {
			t.Fatalf("exchange did not start: %s %s", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	admin := func(args ...string) string {
		t.Helper()
		var o bytes.Buffer
		err := exchangeCommand().run(ctx, append([]string{"admin", "-datadir", dir}, args...), Env{Stdout: &o, Stderr: io.Discard})
		if err != nil {
			t.Fatalf("admin %v: %v", args, err)
		}
		return o.String()
	}
	admin("create-market", "-symbol", "BLSTTUSD", "-base", "BLST", "-quote", "TUSD")
	var u struct{ User uint64 }
	_ = json.Unmarshal([]byte(admin("create-user", "-email", "a@x", "-password", "password1")), &u)
	admin("credit", "-user", "1", "-asset", "TUSD", "-amount", "1000.5")
	admin("debit", "-user", "1", "-asset", "TUSD", "-amount", "0.5")
	var k struct{ APIKey, Secret string }
	_ = json.Unmarshal([]byte(admin("create-apikey", "-user", "1")), &k)
	if u.User != 1 || len(k.APIKey) == 0 || len(k.Secret) == 0 {
		t.Fatalf("user %d key %q", u.User, k.APIKey)
	}
	if a := admin("audit"); !strings.Contains(a, "admin_transfer") || !strings.Contains(a, "market_created") {
		t.Fatalf("audit: %s", a)
	}
	line := strings.Fields(strings.SplitN(out.String(), "API", 2)[1])[0]
	resp, err := http.Get(strings.TrimSuffix(line, "/api/v3/") + "/api/v3/exchangeInfo")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"symbol":"BLSTTUSD"`) {
		t.Fatalf("market not live: %s", b)
	}
	// A wrong token is refused.
	if err := os.WriteFile(filepath.Join(dir, exchangeAdminToken), []byte(strings.Repeat("00", 32)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := exchangeCommand().run(ctx, []string{"admin", "-datadir", dir, "audit"}, Env{Stdout: io.Discard, Stderr: io.Discard}); err == nil {
		t.Fatal("admin with a wrong token succeeded")
	}
}
