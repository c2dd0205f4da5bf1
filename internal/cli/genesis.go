package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"

	"github.com/ballast-chain/ballast/internal/params"
)

func genesisCommand() command {
	return command{
		name:    "genesis",
		summary: "create a new network: print a spec template, or mine a spec's genesis block",
		run:     runGenesis,
	}
}

// runGenesis is "ballast genesis -template" (print a spec to edit) or
// "ballast genesis -params spec.json [-out network.json]" (check the spec,
// mine its genesis block and write the complete network file).
func runGenesis(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet("genesis", env)
	template := fs.Bool("template", false, "print an example network spec, with comments, to edit")
	specPath := fs.String("params", "", "network spec `file` whose genesis block to mine")
	outPath := fs.String("out", "", "write the network file to `path` (default: standard output)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: ballast genesis -template > spec.json
       ballast genesis -params spec.json [-out network.json]

Creates a new network. -template prints a commented spec; edit it, then
-params checks every field, mines the genesis block (the lowest nonce that
meets pow_limit_bits, so anyone can reproduce it) and writes the complete
network file, which nodes load. The genesis hash is printed on standard
output, or on standard error when the file goes to standard output.

flags:
`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *template && (*specPath != "" || *outPath != ""):
		return fmt.Errorf("%w: -template takes no other flag", errUsage)
	case *template:
		return writeTemplate(env.Stdout)
	case *specPath == "":
		return fmt.Errorf("%w: need -params spec.json (or -template to start one)", errUsage)
	}

	data, err := readSpec(*specPath)
	if err != nil {
		return err
	}
	p, err := params.ParseSpec(data)
	if err != nil {
		return fmt.Errorf("%s: invalid network spec:%s", *specPath, listErrors(err))
	}
	work := expectedHashes(p.PowLimit)
	slow := work.Cmp(big.NewInt(params.ProgressInterval)) >= 0
	if slow {
		fmt.Fprintf(env.Stderr, "mining the genesis block of %s: bits %08x, about %s hashes expected\n",
			p.Name, p.PowLimitBits, approx(work))
	}
	nonce, _, err := params.MineGenesisContext(ctx, p.Genesis, func(searched uint64) {
		fmt.Fprintf(env.Stderr, "  %s nonces searched\n", approx(new(big.Int).SetUint64(searched)))
	})
	if err != nil {
		return fmt.Errorf("mining the genesis block: %w", err)
	}
	g := p.Genesis
	g.Nonce = nonce
	p.SetGenesis(g)
	file, err := p.MarshalFile()
	if err != nil {
		return fmt.Errorf("network file: %w", err)
	}

	summary := fmt.Sprintf("genesis %s (nonce %d)", p.GenesisHash, nonce)
	if *outPath == "" {
		if _, err := env.Stdout.Write(file); err != nil {
			return err
		}
		fmt.Fprintln(env.Stderr, summary)
		return nil
	}
	if err := writeFileAtomic(*outPath, file); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s\nwrote %s\n", summary, *outPath)
	return nil
}

// readSpec reads at most params.MaxFileSize bytes of the spec, so a wrong
// path to a huge file fails fast.
func readSpec(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, params.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > params.MaxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes; is it a network spec?", path, params.MaxFileSize)
	}
	return data, nil
}

// listErrors formats an error, or each of a joined error's parts, as
// indented lines.
func listErrors(err error) string {
	var parts []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		parts = j.Unwrap()
	} else {
		parts = []error{err}
	}
	var b strings.Builder
	for _, e := range parts {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

// expectedHashes is 2^256 / (target+1), the hashes one block takes on
// average at that target.
func expectedHashes(target *big.Int) *big.Int {
	n := new(big.Int).Lsh(big.NewInt(1), 256)
	return n.Quo(n, new(big.Int).Add(target, big.NewInt(1)))
}

// approx writes n as "16.8 million" and the like.
func approx(n *big.Int) string {
	f, _ := new(big.Float).SetInt(n).Float64()
	switch {
	case f >= 1e12:
		return fmt.Sprintf("%.3g", f)
	case f >= 1e9:
		return fmt.Sprintf("%.1f billion", f/1e9)
	case f >= 1e6:
		return fmt.Sprintf("%.1f million", f/1e6)
	}
	return n.String()
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it over path, so a reader never sees half a network file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// writeTemplate prints specTemplate with fresh random magic bytes, so two
// communities that start from the template do not share a magic by
// accident.
func writeTemplate(w io.Writer) error {
	magic, err := randomMagic()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, specTemplate, magic)
	return err
}

// randomMagic returns 4 random bytes as hex, the first in 0xf8-0xff (never
// in UTF-8 text, like Bitcoin's 0xf9), the others non-ASCII, and none of the
// built-in networks' magics.
func randomMagic() (string, error) {
	builtin := map[[4]byte]bool{}
	for _, p := range []*params.Params{params.Mainnet(), params.Testnet(), params.Regtest()} {
		builtin[p.Magic] = true
	}
	for {
		var m [4]byte
		if _, err := rand.Read(m[:]); err != nil {
			return "", errors.New("no randomness for the template's magic bytes")
		}
		m[0] |= 0xf8
		m[1] |= 0x80
		m[2] |= 0x80
		m[3] |= 0x80
		if !builtin[m] {
			return fmt.Sprintf("%x", m), nil
		}
	}
}

// specTemplate is the example spec; %s is the magic. Whole-line // comments
// are allowed in spec and network files.
const specTemplate = `// Ballast network spec: edit the values, then run
//   ballast genesis -params spec.json -out network.json
// to mine the genesis block and write the network file nodes load.
// Lines starting with // are comments. Amounts are integers in base units
// (1 coin = 100000000 base units); durations are seconds.
{
  // Network name: lowercase letters, digits, '-', '_'; not mainnet,
  // testnet or regtest.
  "name": "mycoin",
  // Address prefix (bech32m human-readable part): 1-30 lowercase
  // characters; addresses look like myc1p...
  "hrp": "myc",
  // 4 bytes (8 hex digits) that start every P2P message. Randomly chosen
  // for this template; keep them unless you have a reason not to.
  "magic": "%s",
  // TCP ports for P2P and JSON-RPC.
  "p2p_port": 28633,
  "rpc_port": 28632,
  // host:port of nodes to ask for peers when a node starts empty.
  "seed_addrs": ["seed1.example.org:28633"],
  // Easiest allowed target, in compact form (8 hex digits). 1e00ffff needs
  // about 16.8 million hashes a block: seconds on one CPU; ASERT raises
  // the difficulty as miners join. 207fffff is regtest's trivial target.
  "pow_limit_bits": "1e00ffff",
  // true keeps every block at pow_limit_bits (test networks only).
  "pow_no_retargeting": false,
  // Intended seconds between blocks, and the ASERT half-life: how many
  // seconds ahead of or behind schedule double or halve the difficulty.
  "target_spacing": 600,
  "asert_half_life": 172800,
  // Block reward at height 0, halved every subsidy_halving_interval
  // blocks; max_money must be at least everything the schedule can issue.
  "initial_subsidy": 5000000000,
  "subsidy_halving_interval": 210000,
  "max_money": 2100000000000000,
  // Confirmations before a coinbase output can be spent.
  "coinbase_maturity": 100,
  "genesis": {
    // Header time of block 0 (Unix seconds) and up to 96 bytes of text
    // in its coinbase; a headline of the launch day proves no block was
    // mined earlier.
    "timestamp": 1767225600,
    "message": "MyCoin genesis: <a newspaper headline of the launch day>"
  }
}
`
