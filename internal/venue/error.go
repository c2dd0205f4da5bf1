package venue

import "fmt"

// APIError is an error with Binance's code and message, ready for the API.
type APIError struct {
	Code int
	Msg  string
}

func (e *APIError) Error() string { return fmt.Sprintf("%d %s", e.Code, e.Msg) }

func apiErr(code int, msg string) *APIError { return &APIError{Code: code, Msg: msg} }

func errUnknownSymbol() *APIError { return apiErr(-1121, "Invalid symbol.") }
func errBalance() *APIError {
	return apiErr(-2010, "Account has insufficient balance for requested action.")
}
func errNoOrder() *APIError     { return apiErr(-2013, "Order does not exist.") }
func errDupClientID() *APIError { return apiErr(-2010, "Duplicate order sent.") }
func errNoLiquidity() *APIError {
	return apiErr(-2010, "Order book liquidity is less than symbol minimum quantity.")
}
func errUnsupported() *APIError { return apiErr(-1013, "Unsupported order combination") }
