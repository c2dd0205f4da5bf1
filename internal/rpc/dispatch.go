package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// rpcRequest is one parsed JSON-RPC request object.
type rpcRequest struct {
	version int             // 1 (legacy, also "jsonrpc":"1.0") or 2
	id      json.RawMessage // nil when absent
	method  string
	params  json.RawMessage
}

// notification reports a JSON-RPC 2.0 request without an id: it runs but
// gets no reply.
func (r *rpcRequest) notification() bool { return r.version == 2 && r.id == nil }

// parseRequest reads a request object with Core's checks and messages. The
// id and version are set as far as they were read, so the error reply can
// carry them.
func parseRequest(raw json.RawMessage) (rpcRequest, *Error) {
	req := rpcRequest{version: 1}
	if jsonType(raw) != typeObject {
		return req, Errorf(CodeInvalidRequest, "Invalid Request object")
	}
	keys, values, err := objectEntries(raw)
	if err != nil {
		return req, Errorf(CodeParseError, "Parse error")
	}
	field := func(name string) json.RawMessage { // Core reads the first of duplicate keys
		for i, k := range keys {
			if k == name {
				return values[i]
			}
		}
		return nil
	}
	req.id = field("id")
	if v := field("jsonrpc"); v != nil && jsonType(v) != typeNull {
		var s string
		if jsonType(v) != typeString || json.Unmarshal(v, &s) != nil {
			return req, Errorf(CodeInvalidRequest, "jsonrpc field must be a string")
		}
		switch s {
		case "1.0":
		case "2.0":
			req.version = 2
		default:
			return req, Errorf(CodeInvalidRequest, "JSON-RPC version not supported")
		}
	}
	m := field("method")
	switch jsonType(m) {
	case typeNull:
		return req, Errorf(CodeInvalidRequest, "Missing method")
	case typeString:
		if err := json.Unmarshal(m, &req.method); err != nil {
			return req, Errorf(CodeInvalidRequest, "Method must be a string")
		}
	default:
		return req, Errorf(CodeInvalidRequest, "Method must be a string")
	}
	req.params = field("params")
	switch jsonType(req.params) {
	case typeNull, typeArray, typeObject:
	default:
		return req, Errorf(CodeInvalidRequest, "Params must be an array or object")
	}
	return req, nil
}

// httpStatus is Core's HTTP status for an error reply outside JSON-RPC 2.0
// execution: 400 for an invalid request, 404 for an unknown method, 500
// for everything else (parse errors included).
func httpStatus(c Code) int {
	switch c {
	case CodeInvalidRequest:
		return http.StatusBadRequest
	case CodeMethodNotFound:
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

// reply is the HTTP answer to one body, and what to run once it is sent.
type reply struct {
	status int
	body   []byte
	after  []func()
}

// handle answers a request body as Core's HTTPReq_JSONRPC does.
//
// A single JSON-RPC 1.0 request that fails gets an HTTP error status (400,
// 404 or 500) with result, error and id; a JSON-RPC 2.0 request gets HTTP
// 200 with either result or error, and a 2.0 notification (no id) gets 204
// and no body. A batch always gets 200 with one reply per request that is
// not a notification (204 if there are none).
func (s *Server) handle(ctx context.Context, body []byte, uri, user string) reply {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if !json.Valid(body) {
		return reply{status: http.StatusInternalServerError, body: encodeReply(1, nil, nil, Errorf(CodeParseError, "Parse error"))}
	}
	switch trimmed[0] {
	case '{':
		req, perr := parseRequest(body)
		if perr != nil {
			return reply{status: httpStatus(perr.Code), body: encodeReply(req.version, req.id, nil, perr)}
		}
		result, rerr, after := s.exec(ctx, &req, uri, user)
		switch {
		case req.notification():
			return reply{status: http.StatusNoContent, after: after}
		case rerr != nil && req.version == 1:
			return reply{status: httpStatus(rerr.Code), body: encodeReply(1, req.id, nil, rerr), after: after}
		}
		return reply{status: http.StatusOK, body: encodeReply(req.version, req.id, result, rerr), after: after}
	case '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(body, &elems); err != nil {
			return reply{status: http.StatusInternalServerError, body: encodeReply(1, nil, nil, Errorf(CodeParseError, "Parse error"))}
		}
		var out bytes.Buffer
		var after []func()
		out.WriteByte('[')
		n := 0
		for _, e := range elems {
			req, perr := parseRequest(e)
			var one []byte
			if perr != nil {
				one = encodeReply(req.version, req.id, nil, perr)
			} else {
				result, rerr, a := s.exec(ctx, &req, uri, user)
				after = append(after, a...)
				if req.notification() {
					continue
				}
				one = encodeReply(req.version, req.id, result, rerr)
			}
			if n > 0 {
				out.WriteByte(',')
			}
			out.Write(bytes.TrimRight(one, "\n"))
			n++
		}
		if n == 0 && len(elems) > 0 {
			return reply{status: http.StatusNoContent, after: after}
		}
		out.WriteString("]\n")
		return reply{status: http.StatusOK, body: out.Bytes(), after: after}
	}
	return reply{status: http.StatusInternalServerError, body: encodeReply(1, nil, nil, Errorf(CodeParseError, "Top-level object parse error"))}
}

// exec runs one request: warm-up check, method lookup, parameter mapping
// and checks, the handler. It returns the encoded result or the error.
func (s *Server) exec(ctx context.Context, r *rpcRequest, uri, user string) (result []byte, rerr *Error, after []func()) {
	start := time.Now()
	defer func() {
		if rerr != nil {
			s.log.Debug("rpc request", slog.String("method", r.method), slog.String("user", user),
				slog.Duration("duration", time.Since(start)), slog.Int("error_code", int(rerr.Code)))
		} else {
			s.log.Debug("rpc request", slog.String("method", r.method), slog.String("user", user),
				slog.Duration("duration", time.Since(start)))
		}
	}()
	if w := s.warmup.Load(); w != nil && r.method != "stop" {
		return nil, &Error{Code: CodeInWarmup, Message: *w}, nil
	}
	m := s.lookup(r.method)
	if m == nil {
		return nil, Errorf(CodeMethodNotFound, "Method not found"), nil
	}
	ps, perr := mapParams(m, r.params)
	if perr != nil {
		return nil, perr, nil
	}
	if perr := checkParams(m, ps, func() string { return s.methodHelp(m) }); perr != nil {
		return nil, perr, nil
	}
	req := &Request{Method: r.method, Params: ps, URI: uri, User: user}
	v, err := s.call(ctx, m, req)
	if err != nil {
		return nil, asRPCError(err), req.after
	}
	b, err := marshalResult(v)
	if err != nil {
		s.log.Error("rpc result not encodable", slog.String("method", r.method), slog.Any("error", err))
		return nil, Errorf(CodeInternal, "Internal error: result not encodable"), req.after
	}
	return b, nil, req.after
}

// call runs a handler, turning a panic into an internal error so one bad
// handler cannot take the node down.
func (s *Server) call(ctx context.Context, m *Method, req *Request) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("rpc handler panicked", slog.String("method", m.Name), slog.Any("panic", p),
				slog.String("stack", string(debug.Stack())))
			v, err = nil, Errorf(CodeInternal, "Internal error")
		}
	}()
	return m.Handler(ctx, req)
}

// marshalResult encodes a handler's result without HTML escaping (Core
// writes "<" as is).
func marshalResult(v any) ([]byte, error) {
	if raw, ok := v.(json.RawMessage); ok {
		if raw == nil {
			return []byte("null"), nil
		}
		return raw, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// encodeReply writes a reply object in the request's version: 1.0 always
// has result, error and id; 2.0 has "jsonrpc", result or error, and id.
// Like Core it ends with a newline.
func encodeReply(version int, id json.RawMessage, result []byte, e *Error) []byte {
	if id == nil {
		id = json.RawMessage("null")
	}
	var errJSON []byte
	if e != nil {
		errJSON, _ = marshalResult(e)
	}
	b := make([]byte, 0, len(result)+len(errJSON)+len(id)+48)
	if version == 2 {
		b = append(b, `{"jsonrpc":"2.0",`...)
		if e != nil {
			b = append(b, `"error":`...)
			b = append(b, errJSON...)
		} else {
			b = append(b, `"result":`...)
			b = appendOrNull(b, result)
		}
	} else {
		b = append(b, `{"result":`...)
		b = appendOrNull(b, result)
		b = append(b, `,"error":`...)
		b = appendOrNull(b, errJSON)
	}
	b = append(b, `,"id":`...)
	b = append(b, id...)
	return append(b, "}\n"...)
}

func appendOrNull(b, v []byte) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	return append(b, v...)
}

// after registers f to run once the reply to req has been written (stop
// uses it so the client hears back before the server goes away).
func (r *Request) afterReply(f func()) { r.after = append(r.after, f) }
