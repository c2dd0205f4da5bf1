package params

import (
	"errors"
	"math/big"
	"testing"
)

// TestValidateRejects breaks one field of a valid network at a time.
func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(p *Params)
		kind ErrorKind
	}{
		{"no genesis block", func(p *Params) { p.GenesisBlock = nil }, ErrGenesisMismatch},
		{"wrong genesis hash", func(p *Params) { p.GenesisHash[0] ^= 1 }, ErrGenesisMismatch},
		{"genesis header edited", func(p *Params) { p.GenesisBlock.Header.Timestamp++ }, ErrGenesisMismatch},
		{"genesis witness edited", func(p *Params) { p.GenesisBlock.Transactions[0].TxIn[0].Witness[0] = []byte{1} }, ErrGenesisMismatch},
		{"spec edited after SetGenesis", func(p *Params) { p.Genesis.Message = "other" }, ErrGenesisMismatch},
		{"no work", func(p *Params) {
			g := p.Genesis
			for g.Nonce = 0; ; g.Nonce++ {
				if _, err := checkGenesisPoW(g); err != nil {
					break
				}
			}
			p.SetGenesis(g)
		}, ErrGenesisPoW},
		{"genesis bits differ", func(p *Params) { p.Genesis.Bits = 0x1d00ffff }, ErrInconsistent},
		{"pow limit differs", func(p *Params) { p.PowLimit = big.NewInt(1) }, ErrInconsistent},
		{"pow limit nil", func(p *Params) { p.PowLimit = nil }, ErrInconsistent},
		{"empty name", func(p *Params) { p.Name = "" }, ErrInvalidField},
		{"name with digit first", func(p *Params) { p.Name = "1coin" }, ErrInvalidField},
		{"long name", func(p *Params) { p.Name = "abcdefghijklmnopqrstuvwxyzabcdefg" }, ErrInvalidField},
		{"negative spacing", func(p *Params) { p.TargetSpacing = -600 }, ErrInvalidField},
		{"half-life over a year", func(p *Params) { p.ASERTHalfLife = MaxASERTHalfLife + 1 }, ErrInvalidField},
		{"negative max money", func(p *Params) { p.MaxMoney = -1 }, ErrInvalidField},
		{"subsidy above max money", func(p *Params) { p.InitialSubsidy = p.MaxMoney + 1 }, ErrInconsistent},
		{"negative maturity", func(p *Params) { p.CoinbaseMaturity = -1 }, ErrInvalidField},
		{"invalid UTF-8 message", func(p *Params) { p.Genesis.Message = "\xff" }, ErrInvalidField},
		{"DEL in message", func(p *Params) { p.Genesis.Message = "a\x7f" }, ErrInvalidField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Regtest()
			tt.edit(p)
			if err := p.Validate(); !errors.Is(err, tt.kind) {
				t.Fatalf("Validate = %v, want %s", err, tt.kind)
			}
		})
	}
}

func TestValidateBuiltins(t *testing.T) {
	for _, p := range builtins() {
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
	}
}

// TestIssuanceBoundary: MaxMoney may equal the schedule's total exactly.
func TestIssuanceBoundary(t *testing.T) {
	p := Regtest()
	total := MaxIssuance(p.InitialSubsidy, p.SubsidyHalvingInterval).Int64()
	p.MaxMoney = total
	if err := p.Validate(); err != nil {
		t.Fatalf("MaxMoney = total: %v", err)
	}
	p.MaxMoney = total - 1
	if err := p.Validate(); !errors.Is(err, ErrInconsistent) {
		t.Fatalf("MaxMoney = total-1: %v", err)
	}
}

func TestCheckSeed(t *testing.T) {
	for _, ok := range []string{"seed.example.org:7633", "192.0.2.1:1", "[2001:db8::1]:65535", "[::1]:7633", "x:7633"} {
		if why := checkSeed(ok); why != "" {
			t.Errorf("%q: %s", ok, why)
		}
	}
	for _, bad := range []string{"", "host", "host:", ":7633", "host:0", "host:65536", "host:-1", "host:x",
		"2001:db8::1:7633", "[2001:db8::1]", "[2001:db8::1]7633", "[]:7633", "a b:1", "a/b:1", "user@h:1", "h\x7f:1"} {
		if why := checkSeed(bad); why == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}
