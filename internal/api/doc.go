// Package api serves the venue over Binance's Spot REST API (/api/v3):
// same paths, parameters, HMAC-SHA256 signing with X-MBX-APIKEY, timestamp
// and recvWindow, error bodies {code,msg} and rate-limit headers.
package api
