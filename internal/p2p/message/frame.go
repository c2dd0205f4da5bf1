package message

import (
	"bytes"
	"encoding/binary"
	"io"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// HeaderSize is the frame header: magic (4) ‖ command (12, NUL padded) ‖
// payload length (u32 LE) ‖ checksum (first 4 bytes of double SHA-256).
const HeaderSize = 24

// Frame is one message as read off the connection, before its payload is
// decoded.
type Frame struct {
	Command string
	Payload []byte
}

// WireSize is the frame's size on the connection.
func (f Frame) WireSize() int { return HeaderSize + len(f.Payload) }

// AppendFrame appends a framed payload to dst.
func AppendFrame(dst []byte, magic [4]byte, cmd string, payload []byte) []byte {
	dst = append(dst, magic[:]...)
	var c [12]byte
	copy(c[:], cmd)
	dst = append(dst, c[:]...)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(payload)))
	sum := chainhash.DoubleSHA256(payload)
	dst = append(dst, sum[:4]...)
	return append(dst, payload...)
}

// WriteFrame writes one framed message.
func WriteFrame(w io.Writer, magic [4]byte, m Message) (int, error) {
	payload := m.AppendPayload(nil)
	buf := AppendFrame(make([]byte, 0, HeaderSize+len(payload)), magic, m.Command(), payload)
	return w.Write(buf)
}

// ReadFrame reads one frame. It rejects a wrong magic, an unknown command
// and a length over the command's limit before reading the payload, and a
// checksum mismatch after.
func ReadFrame(r io.Reader, magic [4]byte) (Frame, error) {
	var h [HeaderSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return Frame{}, err
	}
	if !bytes.Equal(h[:4], magic[:]) {
		return Frame{}, msgErr(ErrBadMagic, "", "magic %x", h[:4])
	}
	cmd, ok := parseCommand(h[4:16])
	if !ok {
		return Frame{}, msgErr(ErrUnknownCommand, "", "command %q", bytes.TrimRight(h[4:16], "\x00"))
	}
	n := binary.LittleEndian.Uint32(h[16:20])
	if int64(n) > int64(MaxPayload(cmd)) {
		return Frame{}, msgErr(ErrTooLarge, cmd, "payload of %d bytes, limit %d", n, MaxPayload(cmd))
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return Frame{}, err
	}
	sum := chainhash.DoubleSHA256(payload)
	if !bytes.Equal(sum[:4], h[20:24]) {
		return Frame{}, msgErr(ErrBadChecksum, cmd, "checksum %x, payload hashes to %x", h[20:24], sum[:4])
	}
	return Frame{Command: cmd, Payload: payload}, nil
}

// parseCommand accepts a known command, NUL padded with nothing after the
// padding.
func parseCommand(b []byte) (string, bool) {
	end := bytes.IndexByte(b, 0)
	if end < 0 {
		end = len(b)
	}
	for _, c := range b[end:] {
		if c != 0 {
			return "", false
		}
	}
	cmd := string(b[:end])
	_, ok := limits[cmd]
	return cmd, ok
}
