// Package asset defines goods-backed assets: the contract an issuance
// publishes (name, ticker, decimals, the basket of goods one unit stands
// for, the issuer and auditor policies), how an asset id is derived, the
// payloads of the issue, reissue and attestation records, the messages
// their witnesses sign, and the coverage arithmetic of reserves against
// supply. It is pure (part of the consensus core): no I/O, no clock, and
// integers only. docs/assets.md specifies every format byte by byte.
package asset
