package message

import (
	"bytes"
	"errors"
	"net/netip"
	"reflect"
	"testing"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

func sampleMessages() []Message {
	p := params.Regtest()
	a := NetAddress{Services: 1, Addr: netip.MustParseAddrPort("127.0.0.3:17733")}
	return []Message{
		&Version{Protocol: ProtocolVersion, Services: 1, Timestamp: 1700000000, AddrRecv: a, AddrFrom: a,
			Nonce: 42, UserAgent: "/Ballast:0.1.0/", StartHeight: 7, GenesisHash: p.GenesisHash, Relay: true},
		&Verack{}, &Ping{Nonce: 9}, &Pong{Nonce: 9}, &GetAddr{}, &SendHeaders{},
		&Addr{List: []TimedAddress{{Time: 5, NetAddress: a}}},
		&Inv{List: []InvVect{{InvTx, chainhash.Hash{1}}, {InvBlock, chainhash.Hash{2}}}},
		&GetData{List: []InvVect{{InvBlock, chainhash.Hash{3}}}},
		&NotFound{List: []InvVect{}},
		&GetHeaders{Protocol: 1, Locator: []chainhash.Hash{{4}, p.GenesisHash}, Stop: chainhash.Hash{}},
		&Headers{List: []wire.BlockHeader{p.GenesisBlock.Header}},
		&Block{Block: p.GenesisBlock},
		&Tx{Tx: p.GenesisBlock.Transactions[0]},
		&SendCmpct{Announce: true, Version: CompactVersion},
		&CmpctBlock{Header: p.GenesisBlock.Header, Nonce: 7, ShortIDs: []uint64{1, 1<<48 - 1},
			Prefilled: []PrefilledTx{{0, p.GenesisBlock.Transactions[0]}, {3, p.GenesisBlock.Transactions[0]}}},
		&GetBlockTxn{Block: chainhash.Hash{5}, Indexes: []int{1, 2, 7}},
		&BlockTxn{Block: chainhash.Hash{5}, Txs: []*wire.Tx{p.GenesisBlock.Transactions[0]}},
	}
}

func TestRoundTrip(t *testing.T) {
	magic := params.Regtest().Magic
	for _, m := range sampleMessages() {
		t.Run(m.Command(), func(t *testing.T) {
			var buf bytes.Buffer
			if _, err := WriteFrame(&buf, magic, m); err != nil {
				t.Fatal(err)
			}
			f, err := ReadFrame(&buf, magic)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.AppendPayload(nil), m.AppendPayload(nil)) {
				t.Fatalf("re-encoding differs")
			}
			if _, ok := got.(*Block); !ok && !reflect.DeepEqual(normalize(got), normalize(m)) {
				t.Fatalf("got %+v, want %+v", got, m)
			}
		})
	}
}

func normalize(m Message) Message {
	if nf, ok := m.(*NotFound); ok && len(nf.List) == 0 {
		return &NotFound{}
	}
	return m
}

func TestFrameRejects(t *testing.T) {
	magic := params.Regtest().Magic
	good := AppendFrame(nil, magic, CmdPing, make([]byte, 8))
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	cases := []struct {
		name string
		raw  []byte
		want error
	}{
		{"wrong magic", mut(func(b []byte) []byte { b[0] ^= 1; return b }), ErrBadMagic},
		{"bad checksum", mut(func(b []byte) []byte { b[20] ^= 1; return b }), ErrBadChecksum},
		{"unknown command", AppendFrame(nil, magic, "bogus", nil), ErrUnknownCommand},
		{"garbage after NUL", mut(func(b []byte) []byte { b[4+6] = 'x'; return b }), ErrUnknownCommand},
		{"oversize ping", AppendFrame(nil, magic, CmdPing, make([]byte, 9)), ErrTooLarge},
		{"oversize block announced", func() []byte {
			b := AppendFrame(nil, magic, CmdBlock, nil)
			b[16], b[17], b[18], b[19] = 0xff, 0xff, 0xff, 0x7f
			return b
		}(), ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadFrame(bytes.NewReader(c.raw), magic)
			if !errors.Is(err, c.want) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	cases := []struct {
		name string
		f    Frame
		want error
	}{
		{"inv count lies", Frame{CmdInv, []byte{0xfd, 0xff, 0x00}}, ErrMalformed},
		{"inv over limit", Frame{CmdInv, []byte{0xfd, 0x51, 0xc3}}, ErrTooLarge},
		{"inv bad type", Frame{CmdInv, append([]byte{1, 9, 0, 0, 0}, make([]byte, 32)...)}, ErrMalformed},
		{"non-canonical count", Frame{CmdAddr, []byte{0xfd, 0x01, 0x00}}, ErrMalformed},
		{"trailing bytes", Frame{CmdVerack, []byte{0}}, ErrMalformed},
		{"truncated ping", Frame{CmdPing, []byte{1, 2}}, ErrMalformed},
		{"bad block", Frame{CmdBlock, []byte{1, 2, 3}}, ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Decode(c.f); !errors.Is(err, c.want) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
		})
	}
}
