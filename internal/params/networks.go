package params

import "github.com/ballast-chain/ballast/internal/chainhash"

// Shared constants of the built-in networks, Bitcoin's where Bitcoin has one.
const (
	initialSubsidy   = 50 * Coin
	halvingInterval  = 210_000
	maxMoney         = 21_000_000 * Coin
	coinbaseMaturity = 100
	targetSpacing    = 600 // seconds
	// genesisTime is 2026-01-01T00:00:00Z.
	genesisTime = 1767225600
)

// Mined once with MineGenesis and fixed here: the genesis nonces are the
// lowest that meet each network's limit, and the tests re-derive the blocks
// and check these hashes and their proof of work.
const (
	mainnetGenesisNonce = 4451343
	mainnetGenesisHash  = "0000006565938c6cb10a34fa00a0366e2ac541b48a6a9f81ab5fb31c66005c12"
	testnetGenesisNonce = 46222
	testnetGenesisHash  = "0000d508109d917cc5c891be084eac07900c3ca8384b270e5c97025478edb03c"
	regtestGenesisNonce = 0
	regtestGenesisHash  = "4e2eb180092ac06175d5bc41a0cb015409ea6ea0fec5cf4bf8e0c5da0b7d8c65"
)

// Magic bytes (set in each constructor, so no package variable can be
// changed): f8b4a1d5 mainnet, fbc4e5a3 testnet, feb7d2c9 regtest. Each starts
// with a byte (0xf8, 0xfb, 0xfe) that never occurs in UTF-8 text and is
// followed by three more non-ASCII bytes, as Bitcoin's f9beb4d9, so ordinary
// data is unlikely to look like a message start; the three differ in every
// byte, so no single corrupted byte turns one network's magic into another's,
// and none equals a Bitcoin, Litecoin, Bitcoin Cash or Dogecoin magic.

// Ports. The first choice, 8633/8632, clashes with defaults already in use
// (8632 is SavaPage's HTTPS port, 8633 another coin's P2P port, 18633 its
// testnet's), so Ballast takes 7633/7632, for which no well-known service is
// registered; testnet adds 10000 and regtest a further 100, as Bitcoin's
// networks are spaced.
const (
	mainnetPort, mainnetRPCPort = 7633, 7632
	testnetPort, testnetRPCPort = 17633, 17632
	regtestPort, regtestRPCPort = 17733, 17732
)

// Mainnet returns the parameters of Ballast's main network.
func Mainnet() *Params {
	return builtin(&Params{
		Name:        "mainnet",
		Magic:       [4]byte{0xf8, 0xb4, 0xa1, 0xd5},
		Bech32HRP:   "bal",
		DefaultPort: mainnetPort,
		RPCPort:     mainnetRPCPort,
		// A new coin starts CPU-mineable: 0x1e00ffff is 256 times easier
		// than Bitcoin's 0x1d00ffff, about 2^24 hashes a block, and ASERT
		// raises the difficulty as hash power arrives.
		PowLimitBits:           0x1e00ffff,
		TargetSpacing:          targetSpacing,
		ASERTHalfLife:          2 * 24 * 60 * 60,
		InitialSubsidy:         initialSubsidy,
		SubsidyHalvingInterval: halvingInterval,
		MaxMoney:               maxMoney,
		CoinbaseMaturity:       coinbaseMaturity,
	}, GenesisSpec{
		Version:   1,
		Timestamp: genesisTime,
		Bits:      0x1e00ffff,
		Nonce:     mainnetGenesisNonce,
		Message:   "Ballast mainnet genesis: goods-backed money, verifiable reserves",
	}, mainnetGenesisHash)
}

// Testnet returns the parameters of Ballast's public test network: mainnet's
// rules with an easier limit and a one-hour ASERT half-life, so difficulty
// follows the sporadic hash power of a test network within hours.
func Testnet() *Params {
	return builtin(&Params{
		Name:                   "testnet",
		Magic:                  [4]byte{0xfb, 0xc4, 0xe5, 0xa3},
		Bech32HRP:              "tbal",
		DefaultPort:            testnetPort,
		RPCPort:                testnetRPCPort,
		PowLimitBits:           0x1f00ffff,
		TargetSpacing:          targetSpacing,
		ASERTHalfLife:          60 * 60,
		InitialSubsidy:         initialSubsidy,
		SubsidyHalvingInterval: halvingInterval,
		MaxMoney:               maxMoney,
		CoinbaseMaturity:       coinbaseMaturity,
	}, GenesisSpec{
		Version:   1,
		Timestamp: genesisTime,
		Bits:      0x1f00ffff,
		Nonce:     testnetGenesisNonce,
		Message:   "Ballast testnet genesis: goods-backed money, verifiable reserves",
	}, testnetGenesisHash)
}

// Regtest returns the parameters of the local regression-test network:
// Bitcoin regtest's minimum difficulty (0x207fffff, about two hashes a
// block) with no retargeting, and halvings every 150 blocks so tests reach
// them. ASERTHalfLife is unused while PowNoRetargeting is set; it is
// testnet's, for tests that turn retargeting on.
func Regtest() *Params {
	return builtin(&Params{
		Name:                   "regtest",
		Magic:                  [4]byte{0xfe, 0xb7, 0xd2, 0xc9},
		Bech32HRP:              "rbal",
		DefaultPort:            regtestPort,
		RPCPort:                regtestRPCPort,
		PowLimitBits:           0x207fffff,
		PowNoRetargeting:       true,
		TargetSpacing:          targetSpacing,
		ASERTHalfLife:          60 * 60,
		InitialSubsidy:         initialSubsidy,
		SubsidyHalvingInterval: 150,
		MaxMoney:               maxMoney,
		CoinbaseMaturity:       coinbaseMaturity,
	}, GenesisSpec{
		Version:   1,
		Timestamp: genesisTime,
		Bits:      0x207fffff,
		Nonce:     regtestGenesisNonce,
		Message:   "Ballast regtest genesis: goods-backed money, verifiable reserves",
	}, regtestGenesisHash)
}

// builtin completes p: the proof-of-work limit from its bits, and the
// genesis block from g. The genesis hash is the hard-coded one, not the
// computed one, so that a change to the genesis construction shows up as a
// Validate failure instead of silently forking the network.
func builtin(p *Params, g GenesisSpec, genesisHash string) *Params {
	p.PowLimit, _ = compactToTarget(p.PowLimitBits)
	p.SetGenesis(g)
	h, err := chainhash.NewHashFromStr(genesisHash)
	if err != nil {
		panic("params: bad built-in genesis hash " + genesisHash)
	}
	p.GenesisHash = h
	return p
}

// ByName returns a fresh copy of the built-in network called name
// ("mainnet", "testnet" or "regtest").
func ByName(name string) (*Params, error) {
	switch name {
	case "mainnet":
		return Mainnet(), nil
	case "testnet":
		return Testnet(), nil
	case "regtest":
		return Regtest(), nil
	}
	return nil, ruleErr(ErrUnknownNetwork, "network %q: want one of mainnet, testnet, regtest (or a parameters file)", name)
}

// builtins returns fresh copies of the built-in networks.
func builtins() []*Params { return []*Params{Mainnet(), Testnet(), Regtest()} }
