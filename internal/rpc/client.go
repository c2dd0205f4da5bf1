package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ErrUnauthorized is the client's error for HTTP 401: wrong credentials.
var ErrUnauthorized = errors.New("authorization failed: incorrect rpcuser or rpcpassword")

// HTTPError is an HTTP answer that carries no JSON-RPC reply.
type HTTPError struct {
	Status int
	Body   string
}

func (e *HTTPError) Error() string {
	if e.Body != "" {
		return fmt.Sprintf("server returned HTTP error %d: %s", e.Status, e.Body)
	}
	return fmt.Sprintf("server returned HTTP error %d", e.Status)
}

// Client calls a JSON-RPC server: the node, or anything speaking Core's
// dialect. The zero value is not usable: set URL (and credentials).
type Client struct {
	// URL is the server's endpoint, for example "http://127.0.0.1:7632/"
	// or ".../wallet/<name>".
	URL      string
	User     string
	Password Secret
	// HTTP is the HTTP client; nil means http.DefaultClient. Deadlines
	// come from the context given to Call.
	HTTP *http.Client
}

// NewCookieClient returns a client for url authenticating with the cookie
// file at cookiePath.
func NewCookieClient(url, cookiePath string) (*Client, error) {
	user, pass, err := ReadCookie(cookiePath)
	if err != nil {
		return nil, err
	}
	return &Client{URL: url, User: user, Password: pass}, nil
}

// Call sends one JSON-RPC 2.0 request and returns the raw result. params
// is marshalled as given: a slice for positional parameters, a map or
// struct for named ones, a json.RawMessage as is, nil for none. A
// JSON-RPC error is returned as *Error; wrong credentials as
// ErrUnauthorized; other HTTP failures as *HTTPError.
func (c *Client) Call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	var p json.RawMessage
	switch v := params.(type) {
	case nil:
		p = json.RawMessage("[]")
	case json.RawMessage:
		p = v
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("rpc: encoding params: %w", err)
		}
		p = b
	}
	body, err := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      int             `json:"id"`
		Method  string          `json:"method"`
		Params  json.RawMessage `json:"params"`
	}{"2.0", 1, method, p})
	if err != nil {
		return nil, fmt.Errorf("rpc: encoding request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("rpc: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(c.User, string(c.Password))
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<30))
	if err != nil {
		return nil, fmt.Errorf("rpc: reading reply: %w", err)
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return nil, ErrUnauthorized
	case http.StatusOK, http.StatusBadRequest, http.StatusNotFound, http.StatusInternalServerError:
	default:
		return nil, &HTTPError{Status: resp.StatusCode, Body: string(bytes.TrimSpace(data))}
	}
	if len(data) == 0 {
		return nil, &HTTPError{Status: resp.StatusCode, Body: "no response from server"}
	}
	var reply struct {
		Result json.RawMessage `json:"result"`
		Error  *Error          `json:"error"`
	}
	if err := json.Unmarshal(data, &reply); err != nil {
		return nil, &HTTPError{Status: resp.StatusCode, Body: "reply is not JSON-RPC: " + string(bytes.TrimSpace(data))}
	}
	if reply.Error != nil {
		return nil, reply.Error
	}
	if reply.Result == nil {
		return json.RawMessage("null"), nil
	}
	return reply.Result, nil
}
