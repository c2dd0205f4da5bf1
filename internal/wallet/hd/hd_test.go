package hd

import (
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// BIP32 test vectors 1 and 2 (bips/bip-0032.mediawiki).
func TestBIP32Vectors(t *testing.T) {
	cases := []struct {
		seed, path, xpub, xprv string
	}{
		{"000102030405060708090a0b0c0d0e0f", "m",
			"xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8",
			"xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"},
		{"000102030405060708090a0b0c0d0e0f", "m/0'",
			"xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw",
			"xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7"},
		{"000102030405060708090a0b0c0d0e0f", "m/0'/1",
			"xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5uMash7SyYq527Hqck2AxYysAA7xmALppuCkwQ",
			"xprv9wTYmMFdV23N2TdNG573QoEsfRrWKQgWeibmLntzniatZvR9BmLnvSxqu53Kw1UmYPxLgboyZQaXwTCg8MSY3H2EU4pWcQDnRnrVA1xe8fs"},
		{"fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a29f9c999693908d8a8784817e7b7875726f6c696663605d5a5754514e4b484542", "m", "",
			"xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U"},
		{"fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a29f9c999693908d8a8784817e7b7875726f6c696663605d5a5754514e4b484542", "m/0", "",
			"xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81dwSM1fwqWpWkeS3v86pgKt"},
	}
	for _, c := range cases {
		seed, _ := hex.DecodeString(c.seed)
		m, err := NewMaster(seed, MainnetPrivate)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ParsePath(c.path)
		if err != nil {
			t.Fatal(err)
		}
		k, err := m.Derive(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := k.Base58(); got != c.xprv {
			t.Errorf("%s xprv\n got %s\nwant %s", c.path, got, c.xprv)
		}
		if c.xpub != "" {
			if got := k.Neuter(MainnetPublic).Base58(); got != c.xpub {
				t.Errorf("%s xpub\n got %s\nwant %s", c.path, got, c.xpub)
			}
		}
		back, err := ParseExtendedKey(c.xprv)
		if err != nil || back.Base58() != c.xprv {
			t.Errorf("%s: round trip: %v", c.path, err)
		}
	}
}

// Public derivation agrees with private derivation (m/0'/1 from M/0').
func TestPublicDerivation(t *testing.T) {
	pub, err := ParseExtendedKey("xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw")
	if err != nil {
		t.Fatal(err)
	}
	c, err := pub.Child(1)
	if err != nil {
		t.Fatal(err)
	}
	want := "xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5uMash7SyYq527Hqck2AxYysAA7xmALppuCkwQ"
	if c.Base58() != want {
		t.Errorf("got %s", c.Base58())
	}
	if _, err := pub.Child(HardenedOffset); !errors.Is(err, ErrHardenedPub) {
		t.Errorf("hardened from public: %v", err)
	}
}

// BIP39's first English vector (passphrase "TREZOR").
func TestBIP39Vector(t *testing.T) {
	m, err := ParseMnemonic("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
	if err != nil {
		t.Fatal(err)
	}
	want := "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04"
	if got := hex.EncodeToString(m.Seed("TREZOR")); got != want {
		t.Errorf("seed %s", got)
	}
	if _, err := ParseMnemonic("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon"); !errors.Is(err, ErrBadMnemonic) {
		t.Errorf("bad checksum accepted: %v", err)
	}
	m24, err := NewMnemonic(24)
	if err != nil || len(strings.Fields(m24.Reveal())) != 24 {
		t.Fatalf("new mnemonic: %v", err)
	}
	if _, err := ParseMnemonic(strings.ToUpper(m24.Reveal())); err != nil {
		t.Errorf("upper case: %v", err)
	}
}

func TestSecretsRedacted(t *testing.T) {
	m, _ := NewMnemonic(12)
	k, _ := NewMaster(m.Seed(""), MainnetPrivate)
	var b strings.Builder
	log := slog.New(slog.NewTextHandler(&b, nil))
	log.Info("x", "m", m, "k", k)
	out := b.String() + fmt.Sprintf("%v %+v %#v %s %v", m, m, m, k, k)
	if strings.Contains(out, m.Reveal()) || strings.Contains(out, k.Base58()) {
		t.Fatalf("secret leaked: %s", out)
	}
}

func TestParsePath(t *testing.T) {
	for _, s := range []string{"m", "m/86'/1'/0'/0/5", "m/48'/7771'/0'/4'/1/2"} {
		p, err := ParsePath(s)
		if err != nil || p.String() != s {
			t.Errorf("%s: %v %s", s, err, p)
		}
	}
	for _, s := range []string{"", "x/1", "m/", "m/01", "m/2147483648", "m/-1", "m/1''"} {
		if _, err := ParsePath(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func FuzzParseExtendedKey(f *testing.F) {
	f.Add("xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8")
	f.Add("xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseExtendedKey(s)
		if err != nil {
			return
		}
		k2, err := ParseExtendedKey(k.Base58())
		if err != nil || k2.Base58() != k.Base58() {
			t.Fatalf("round trip: %v", err)
		}
	})
}
