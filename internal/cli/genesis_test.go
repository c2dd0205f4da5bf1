package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ballast-chain/ballast/internal/params"
)

func runCLI(t *testing.T, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(ctx, args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
	return code, out.String(), errb.String()
}

// easySpec is the template with regtest's trivial target, so mining is
// instant.
func easySpec(t *testing.T) []byte {
	t.Helper()
	code, out, errOut := runCLI(t, context.Background(), "genesis", "-template")
	if code != 0 {
		t.Fatalf("-template: exit %d: %s", code, errOut)
	}
	s := strings.Replace(out, `"pow_limit_bits": "1e00ffff"`, `"pow_limit_bits": "207fffff"`, 1)
	if s == out {
		t.Fatal("template has no pow_limit_bits line to edit")
	}
	return []byte(s)
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var genesisLine = regexp.MustCompile(`genesis ([0-9a-f]{64}) \(nonce (\d+)\)`)

func TestGenesisTemplate(t *testing.T) {
	code, out, _ := runCLI(t, context.Background(), "genesis", "-template")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	p, err := params.ParseSpec([]byte(out))
	if err != nil {
		t.Fatalf("the template is not a valid spec: %v", err)
	}
	if p.Magic[0] < 0xf8 {
		t.Errorf("template magic %x", p.Magic)
	}
	// Each template gets its own magic.
	_, out2, _ := runCLI(t, context.Background(), "genesis", "-template")
	if q, _ := params.ParseSpec([]byte(out2)); q.Magic == p.Magic {
		t.Errorf("two templates share magic %x", p.Magic)
	}
}

func TestGenesisToFile(t *testing.T) {
	spec := writeTemp(t, "spec.json", easySpec(t))
	out := filepath.Join(t.TempDir(), "network.json")
	code, stdout, stderr := runCLI(t, context.Background(), "genesis", "-params", spec, "-out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m := genesisLine.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no genesis hash in %q", stdout)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	p, err := params.ParseFile(data)
	if err != nil {
		t.Fatalf("the written file does not parse: %v", err)
	}
	if p.GenesisHash.String() != m[1] || p.Name != "mycoin" || p.PowLimitBits != 0x207fffff {
		t.Fatalf("file genesis %s, printed %s", p.GenesisHash, m[1])
	}
	// Mining is deterministic: the same spec gives the same file.
	code, stdout2, stderr := runCLI(t, context.Background(), "genesis", "-params", spec)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout2 != string(data) {
		t.Fatal("stdout output differs from the -out file")
	}
	if !strings.Contains(stderr, m[1]) {
		t.Fatalf("stderr %q lacks the genesis hash", stderr)
	}
	// The network file is itself a valid spec and mines to the same file.
	out2 := filepath.Join(t.TempDir(), "again.json")
	if code, _, stderr := runCLI(t, context.Background(), "genesis", "-params", out, "-out", out2); code != 0 {
		t.Fatalf("re-mining the network file: exit %d: %s", code, stderr)
	}
	if again, _ := os.ReadFile(out2); !bytes.Equal(again, data) {
		t.Fatal("re-mining the network file changed it")
	}
}

func TestGenesisErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeTemp(t, "good.json", easySpec(t))
	badJSON := writeTemp(t, "bad.json", []byte(`{"name": "x",`))
	badField := writeTemp(t, "field.json", bytes.Replace(easySpec(t), []byte(`"p2p_port": 28633`), []byte(`"p2p_port": 0`), 1))
	reserved := writeTemp(t, "reserved.json", bytes.Replace(easySpec(t), []byte(`"hrp": "myc"`), []byte(`"hrp": "bal"`), 1))
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		args   []string
		code   int
		stderr string
	}{
		{"no flags", nil, []string{"genesis"}, 2, "need -params"},
		{"template and params", nil, []string{"genesis", "-template", "-params", good}, 2, "-template takes no other flag"},
		{"unknown flag", nil, []string{"genesis", "-bogus"}, 2, "bogus"},
		{"stray argument", nil, []string{"genesis", "-params", good, "extra"}, 2, `unexpected argument "extra"`},
		{"missing file", nil, []string{"genesis", "-params", filepath.Join(dir, "nope.json")}, 1, "no such file"},
		{"invalid JSON", nil, []string{"genesis", "-params", badJSON}, 1, "unexpected end of file"},
		{"invalid field", nil, []string{"genesis", "-params", badField}, 1, "p2p_port: zero"},
		{"reserved prefix", nil, []string{"genesis", "-params", reserved}, 1, "ErrReserved"},
		{"unwritable output", nil, []string{"genesis", "-params", good, "-out", filepath.Join(dir, "missing", "n.json")}, 1, "no such file"},
		{"canceled", canceled, []string{"genesis", "-params", good}, 1, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			code, stdout, stderr := runCLI(t, ctx, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.stderr)
			}
			if stdout != "" {
				t.Fatalf("stdout %q on failure", stdout)
			}
		})
	}
	// Nothing was written beside the inputs.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("files left in %s: %v", dir, entries)
	}
}

func TestGenesisHelp(t *testing.T) {
	code, _, stderr := runCLI(t, context.Background(), "genesis", "-h")
	if code != 0 || !strings.Contains(stderr, "ballast genesis -template") {
		t.Fatalf("exit %d, %q", code, stderr)
	}
}

func TestExpectedHashes(t *testing.T) {
	p := params.Mainnet()
	if got := approx(expectedHashes(p.PowLimit)); got != "16.8 million" {
		t.Errorf("mainnet: %s", got)
	}
	if got := expectedHashes(params.Regtest().PowLimit).Int64(); got != 2 {
		t.Errorf("regtest: %d", got)
	}
	if err := errors.New("x"); listErrors(err) != "\n  x" {
		t.Error(listErrors(err))
	}
}
