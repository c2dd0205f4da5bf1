package message

import (
	"bytes"
	"testing"

	"github.com/ballast-chain/ballast/internal/params"
)

// FuzzReadFrame feeds arbitrary bytes to the frame reader and decoder: they
// never panic, and whatever decodes re-encodes to a payload that decodes to
// the same encoding again.
func FuzzReadFrame(f *testing.F) {
	magic := params.Regtest().Magic
	for _, m := range sampleMessages() {
		var buf bytes.Buffer
		_, _ = WriteFrame(&buf, magic, m)
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := ReadFrame(bytes.NewReader(data), magic)
		if err != nil {
			return
		}
		m, err := Decode(fr)
		if err != nil {
			return
		}
		enc := m.AppendPayload(nil)
		m2, err := Decode(Frame{Command: fr.Command, Payload: enc})
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if !bytes.Equal(m2.AppendPayload(nil), enc) {
			t.Fatal("round trip changed the encoding")
		}
	})
}

// FuzzDecode decodes arbitrary payloads under every command.
func FuzzDecode(f *testing.F) {
	for _, m := range sampleMessages() {
		f.Add(m.Command(), m.AppendPayload(nil))
	}
	f.Fuzz(func(t *testing.T, cmd string, payload []byte) {
		if _, ok := limits[cmd]; !ok || len(payload) > MaxPayload(cmd) {
			return
		}
		m, err := Decode(Frame{Command: cmd, Payload: payload})
		if err != nil {
			return
		}
		enc := m.AppendPayload(nil)
		if _, err := Decode(Frame{Command: cmd, Payload: enc}); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
	})
}
