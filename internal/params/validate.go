package params

import (
	"bytes"
	"errors"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ballast-chain/ballast/internal/address"
)

// Limits on parameters. They keep every network within what the node's
// arithmetic and the difficulty algorithm handle, and catch typos (a spacing
// given in milliseconds).
const (
	// MaxNameLen bounds a network's name.
	MaxNameLen = 32
	// MaxSeedAddrs bounds the seed list.
	MaxSeedAddrs = 256
	// MaxTargetSpacing is one day.
	MaxTargetSpacing = 24 * 60 * 60
	// MaxASERTHalfLife is one year.
	MaxASERTHalfLife = 365 * 24 * 60 * 60
)

// Validate checks every parameter, including that the genesis block is the
// one p.Genesis describes, hashes to p.GenesisHash and meets p.PowLimitBits.
// It reports every problem found, joined; each is a *RuleError whose
// description starts with the field's name in the parameters file.
func (p *Params) Validate() error {
	errs := p.checkFields()
	if len(errs) == 0 {
		errs = p.checkGenesisBlock()
	}
	return errors.Join(errs...)
}

// checkFields checks everything but the genesis block itself.
func (p *Params) checkFields() []error {
	var errs []error
	add := func(kind ErrorKind, format string, args ...any) {
		errs = append(errs, ruleErr(kind, format, args...))
	}
	if why := checkName(p.Name); why != "" {
		add(ErrInvalidField, "name %q: %s", p.Name, why)
	}
	if p.Magic == [4]byte{} {
		add(ErrInvalidField, "magic: all zero")
	}
	if err := address.ValidateHRP(p.Bech32HRP); err != nil {
		var re *address.RuleError
		if errors.As(err, &re) {
			err = errors.New(re.Description)
		}
		add(ErrInvalidField, "hrp: %v", err)
	}
	if p.DefaultPort == 0 {
		add(ErrInvalidField, "p2p_port: zero")
	}
	if p.RPCPort == 0 {
		add(ErrInvalidField, "rpc_port: zero")
	}
	if p.DefaultPort != 0 && p.DefaultPort == p.RPCPort {
		add(ErrInconsistent, "rpc_port: %d is also the P2P port", p.RPCPort)
	}
	if len(p.SeedAddrs) > MaxSeedAddrs {
		add(ErrInvalidField, "seed_addrs: %d entries, at most %d", len(p.SeedAddrs), MaxSeedAddrs)
	}
	for i, s := range p.SeedAddrs {
		if why := checkSeed(s); why != "" {
			add(ErrInvalidField, "seed_addrs[%d] %q: %s", i, s, why)
		}
	}
	errs = append(errs, p.checkPoW()...)
	errs = append(errs, p.checkMoney()...)
	if p.CoinbaseMaturity < 1 {
		add(ErrInvalidField, "coinbase_maturity: %d, want at least 1", p.CoinbaseMaturity)
	}
	g := &p.Genesis
	if g.Version < 1 {
		add(ErrInvalidField, "genesis.version: %d, want at least 1", g.Version)
	}
	if g.Bits != p.PowLimitBits {
		add(ErrInconsistent, "genesis bits %08x differ from pow_limit_bits %08x", g.Bits, p.PowLimitBits)
	}
	if why := checkMessage(g.Message); why != "" {
		add(ErrInvalidField, "genesis.message: %s", why)
	}
	return errs
}

func (p *Params) checkPoW() []error {
	var errs []error
	limit, why := compactToTarget(p.PowLimitBits)
	switch {
	case why != "":
		errs = append(errs, ruleErr(ErrInvalidField, "pow_limit_bits %08x %s", p.PowLimitBits, why))
	case targetToCompact(limit) != p.PowLimitBits:
		errs = append(errs, ruleErr(ErrInvalidField, "pow_limit_bits %08x is not in normal form; write %08x",
			p.PowLimitBits, targetToCompact(limit)))
	case p.PowLimit == nil || p.PowLimit.Cmp(limit) != 0:
		errs = append(errs, ruleErr(ErrInconsistent, "PowLimit %v is not the target of pow_limit_bits %08x", p.PowLimit, p.PowLimitBits))
	}
	if p.TargetSpacing < 1 || p.TargetSpacing > MaxTargetSpacing {
		errs = append(errs, ruleErr(ErrInvalidField, "target_spacing: %d seconds, want 1 to %d", p.TargetSpacing, MaxTargetSpacing))
	}
	if p.ASERTHalfLife < 1 || p.ASERTHalfLife > MaxASERTHalfLife {
		errs = append(errs, ruleErr(ErrInvalidField, "asert_half_life: %d seconds, want 1 to %d", p.ASERTHalfLife, MaxASERTHalfLife))
	}
	return errs
}

func (p *Params) checkMoney() []error {
	var errs []error
	ok := true
	if p.MaxMoney < 1 {
		errs = append(errs, ruleErr(ErrInvalidField, "max_money: %d, want at least 1", p.MaxMoney))
		ok = false
	}
	if p.InitialSubsidy < 1 {
		errs = append(errs, ruleErr(ErrInvalidField, "initial_subsidy: %d, want at least 1", p.InitialSubsidy))
		ok = false
	}
	if p.SubsidyHalvingInterval < 1 {
		errs = append(errs, ruleErr(ErrInvalidField, "subsidy_halving_interval: %d, want at least 1", p.SubsidyHalvingInterval))
		ok = false
	}
	if !ok {
		return errs
	}
	if total := MaxIssuance(p.InitialSubsidy, p.SubsidyHalvingInterval); total.Cmp(big.NewInt(p.MaxMoney)) > 0 {
		errs = append(errs, ruleErr(ErrInconsistent,
			"max_money: %d is below the %s base units that initial_subsidy %d halving every %d blocks can issue",
			p.MaxMoney, total, p.InitialSubsidy, p.SubsidyHalvingInterval))
	}
	return errs
}

// MaxIssuance returns the most native coin a subsidy schedule can ever issue:
// interval blocks at each of subsidy, subsidy>>1, subsidy>>2, ... until the
// shift reaches zero (after at most 63 halvings). Bitcoin's schedule gives
// 2,099,999,997,690,000 base units, just under its 21 million coins.
func MaxIssuance(subsidy int64, interval int32) *big.Int {
	total := new(big.Int)
	n := big.NewInt(int64(interval))
	var term big.Int
	for s := subsidy; s > 0; s >>= 1 {
		total.Add(total, term.Mul(n, big.NewInt(s)))
	}
	return total
}

// checkName allows 1 to MaxNameLen lowercase letters, digits, '-' and '_',
// starting with a letter: the name appears in data-directory paths and logs.
func checkName(name string) string {
	if name == "" || len(name) > MaxNameLen {
		return "want 1 to " + strconv.Itoa(MaxNameLen) + " characters"
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '_'):
		default:
			return "want lowercase letters, digits, '-' and '_', starting with a letter"
		}
	}
	return ""
}

// checkSeed accepts host:port or [ipv6]:port with a non-empty host of
// printable ASCII and a port 1-65535. Whether the host resolves is for the
// node to find out, not params (which stays free of package net).
func checkSeed(s string) string {
	var host, port string
	if rest, ok := strings.CutPrefix(s, "["); ok {
		i := strings.Index(rest, "]:")
		if i < 0 {
			return "want [ipv6]:port"
		}
		host, port = rest[:i], rest[i+2:]
	} else {
		var ok bool
		host, port, ok = strings.Cut(s, ":")
		if !ok || strings.Contains(port, ":") {
			return "want host:port, with an IPv6 host in brackets"
		}
	}
	if host == "" {
		return "empty host"
	}
	for i := 0; i < len(host); i++ {
		if host[i] <= ' ' || host[i] >= 0x7f || strings.IndexByte("[]/@", host[i]) >= 0 {
			return "host has invalid character " + strconv.QuoteRune(rune(host[i]))
		}
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return "port must be 1 to 65535"
	}
	return ""
}

// checkMessage allows up to MaxGenesisMessageLen bytes of UTF-8 without
// control characters: the message is shown by explorers and terminals.
func checkMessage(m string) string {
	if len(m) > MaxGenesisMessageLen {
		return strconv.Itoa(len(m)) + " bytes, at most " + strconv.Itoa(MaxGenesisMessageLen)
	}
	if !utf8.ValidString(m) {
		return "not valid UTF-8"
	}
	for _, r := range m {
		if unicode.IsControl(r) {
			return "contains control character " + strconv.QuoteRune(r)
		}
	}
	return ""
}

// checkGenesisBlock checks the block and hash against p.Genesis.
func (p *Params) checkGenesisBlock() []error {
	if p.GenesisBlock == nil {
		return []error{ruleErr(ErrGenesisMismatch, "genesis: no genesis block")}
	}
	want := NewGenesisBlock(p.Genesis)
	wantHash := want.BlockHash()
	if !bytes.Equal(p.GenesisBlock.Bytes(), want.Bytes()) {
		return []error{ruleErr(ErrGenesisMismatch, "genesis: block %s is not the block %s the genesis spec builds",
			p.GenesisBlock.BlockHash(), wantHash)}
	}
	if p.GenesisHash != wantHash {
		return []error{ruleErr(ErrGenesisMismatch, "genesis.hash: %s, but the genesis block hashes to %s", p.GenesisHash, wantHash)}
	}
	if _, err := checkGenesisPoW(p.Genesis); err != nil {
		return []error{err}
	}
	return nil
}
