// Package message is Ballast's peer-to-peer wire format: the 24-byte frame
// (network magic, command, payload length, checksum) and the payload of every
// message. It is pure: no I/O beyond the io.Reader/io.Writer it is handed.
//
// Every decoder checks a limit before it allocates: the frame reader rejects
// a payload longer than its command's maximum before reading it, and counts
// inside payloads are bounded by both a per-message maximum and the bytes
// that remain. docs/p2p.md specifies the format.
package message
