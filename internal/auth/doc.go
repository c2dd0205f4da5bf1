// Package auth holds the venue's credentials logic: argon2id password
// hashes, session tokens, RFC 6238 TOTP with one step of skew and no code
// reuse, API keys with permissions and IP allow-lists, the encryption of
// API secrets at rest, and Binance's HMAC-SHA256 request signatures. It does
// no I/O; the venue stores what it produces.
package auth
