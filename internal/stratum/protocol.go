package stratum

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// MaxLineSize bounds one JSON line in either direction; a longer line ends
// the connection before anything is allocated for it.
const MaxLineSize = 8 << 10

// Message is one Stratum line: a request (Method set, ID non-null), a
// notification (Method set, ID null) or a response (Result/Error).
type Message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *Error          `json:"error,omitempty"`
}

// ErrBadLine is returned for lines that are not a Stratum message.
var ErrBadLine = errors.New("stratum: malformed line")

// DecodeLine parses one line (without its newline). Params, when present,
// must be a JSON array; an id must be a number, string or null.
func DecodeLine(line []byte) (*Message, error) {
	if len(line) > MaxLineSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrBadLine, len(line))
	}
	var m Message
	if err := json.Unmarshal(line, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadLine, err)
	}
	if p := bytes.TrimSpace(m.Params); len(p) > 0 && p[0] != '[' && !bytes.Equal(p, []byte("null")) {
		return nil, fmt.Errorf("%w: params must be an array", ErrBadLine)
	}
	if id := bytes.TrimSpace(m.ID); len(id) > 0 && (id[0] == '[' || id[0] == '{' || id[0] == 't' || id[0] == 'f') {
		return nil, fmt.Errorf("%w: bad id", ErrBadLine)
	}
	if m.Method == "" && m.Result == nil && m.Error == nil && len(m.ID) == 0 {
		return nil, fmt.Errorf("%w: neither a request nor a response", ErrBadLine)
	}
	return &m, nil
}

// Encode returns the message as one line with its newline. A response
// always carries "result" and "error" (null when unset), as miners expect.
func (m *Message) Encode() []byte {
	id := m.ID
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	var v any
	if m.Method != "" {
		params := m.Params
		if len(params) == 0 {
			params = json.RawMessage("[]")
		}
		v = struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
		}{id, m.Method, params}
	} else {
		result := m.Result
		if len(result) == 0 {
			result = json.RawMessage("null")
		}
		v = struct {
			ID     json.RawMessage `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *Error          `json:"error"`
		}{id, result, m.Error}
	}
	b, _ := json.Marshal(v) // raw parts came from json and are valid
	return append(b, '\n')
}

// params decodes a request's positional parameters.
func (m *Message) params() ([]json.RawMessage, error) {
	var ps []json.RawMessage
	if len(m.Params) == 0 || string(m.Params) == "null" {
		return nil, nil
	}
	if err := json.Unmarshal(m.Params, &ps); err != nil {
		return nil, err
	}
	return ps, nil
}

// notification builds a server-to-client notification line.
func notification(method string, params ...any) []byte {
	p, _ := json.Marshal(params)
	return (&Message{Method: method, Params: p}).Encode()
}

// response builds a reply line.
func response(id json.RawMessage, result any, e *Error) []byte {
	m := &Message{ID: id, Error: e}
	if e == nil {
		m.Result, _ = json.Marshal(result)
	}
	return m.Encode()
}
