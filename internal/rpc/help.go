package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// signature is a method's one-line synopsis, Core style: required
// parameters, then optional ones in parentheses; strings are quoted.
func signature(m *Method) string {
	var b strings.Builder
	b.WriteString(m.Name)
	opened := false
	for i := range m.Params {
		p := &m.Params[i]
		if p.Optional && !opened {
			b.WriteString(" (")
			opened = true
		}
		b.WriteByte(' ')
		switch {
		case p.Sig != "":
			b.WriteString(p.Sig)
		case p.Type == TypeString:
			b.WriteString(`"` + p.Name + `"`)
		default:
			b.WriteString(p.Name)
		}
	}
	if opened {
		b.WriteString(" )")
	}
	return b.String()
}

// methodHelp is the text "help <method>" returns, in Core's layout:
// synopsis, description, arguments, result, examples.
func (s *Server) methodHelp(m *Method) string {
	var b strings.Builder
	b.WriteString(signature(m))
	b.WriteString("\n\n")
	b.WriteString(strings.TrimSpace(m.Help))
	b.WriteString("\n")
	if len(m.Params) > 0 {
		b.WriteString("\nArguments:\n")
		left := make([]string, len(m.Params))
		width := 0
		for i := range m.Params {
			left[i] = fmt.Sprintf("%d. %s", i+1, m.Params[i].Name)
			width = max(width, len(left[i]))
		}
		for i := range m.Params {
			p := &m.Params[i]
			kind := p.Type.helpName()
			switch {
			case !p.Optional:
				kind += ", required"
			case p.Default != "":
				kind += ", optional, default=" + p.Default
			default:
				kind += ", optional"
			}
			fmt.Fprintf(&b, "%-*s    (%s) %s\n", width, left[i], kind, p.Help)
		}
	}
	if r := strings.TrimRight(m.Result, "\n "); r != "" {
		if strings.HasPrefix(r, "Result") { // several results, each with its own heading
			b.WriteString("\n")
		} else {
			b.WriteString("\nResult:\n")
		}
		b.WriteString(r)
		b.WriteString("\n")
	}
	b.WriteString("\nExamples:\n")
	examples := m.Examples
	if len(examples) == 0 {
		examples = []string{"[]"}
	}
	for _, ex := range examples {
		b.WriteString("> ballast rpc " + m.Name + cliArgs(ex) + "\n")
		fmt.Fprintf(&b, `> curl --user myusername --data-binary '{"jsonrpc": "2.0", "id": "curltest", "method": "%s", "params": %s}' -H 'content-type: application/json' http://127.0.0.1:%d/`+"\n",
			m.Name, ex, s.cfg.Params.RPCPort)
	}
	return b.String()
}

// cliArgs turns a JSON parameter array into ballast rpc arguments: strings
// double-quoted, other values as compact JSON, single-quoted when the shell
// would otherwise split or expand them.
func cliArgs(paramsJSON string) string {
	var ps []json.RawMessage
	if err := json.Unmarshal([]byte(paramsJSON), &ps); err != nil {
		return " " + paramsJSON
	}
	var b strings.Builder
	for _, p := range ps {
		b.WriteByte(' ')
		if jsonType(p) == typeString {
			var s string
			json.Unmarshal(p, &s)
			b.WriteString(`"` + s + `"`)
			continue
		}
		var c bytes.Buffer
		json.Compact(&c, p)
		t := c.String()
		if strings.ContainsAny(t, `{}[]" `) {
			t = "'" + t + "'"
		}
		b.WriteString(t)
	}
	return b.String()
}

// helpList is "help" without arguments: every visible method's synopsis,
// grouped by category, categories and names sorted as Core sorts them.
func (s *Server) helpList() string {
	s.mu.RLock()
	ms := make([]*Method, 0, len(s.methods))
	for _, m := range s.methods {
		if !m.Hidden {
			ms = append(ms, m)
		}
	}
	s.mu.RUnlock()
	sort.Slice(ms, func(i, j int) bool {
		ci, cj := strings.ToLower(ms[i].Category), strings.ToLower(ms[j].Category)
		if ci != cj {
			return ci < cj
		}
		return ms[i].Name < ms[j].Name
	})
	var b strings.Builder
	category := "\x00"
	for _, m := range ms {
		if m.Category != category {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			category = m.Category
			fmt.Fprintf(&b, "== %s ==\n", capitalize(category))
		}
		b.WriteString(signature(m))
		b.WriteString("\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// controlMethods are the methods about the server itself.
func (s *Server) controlMethods() []Method {
	return []Method{
		{
			Name:     "help",
			Category: "Control",
			Help:     "List all commands, or get help for a specified command.",
			Params: []Param{{Name: "command", Type: TypeString, Optional: true, Default: "all commands",
				Help: "The command to get help on"}},
			Result:   `"str"    (string) The help text`,
			Examples: []string{`[]`, `["getblock"]`},
			Handler: func(_ context.Context, req *Request) (any, error) {
				a := newArgs(req)
				name := a.str(0)
				if a.err != nil {
					return nil, a.err
				}
				if name == "" {
					return s.helpList(), nil
				}
				m := s.lookup(name)
				if m == nil {
					return fmt.Sprintf("help: unknown command: %s\n", name), nil
				}
				return s.methodHelp(m), nil
			},
		},
		{
			Name:     "uptime",
			Category: "Control",
			Help:     "Returns the total uptime of the server.",
			Result:   `n    (numeric) The number of seconds that the server has been running`,
			Handler: func(context.Context, *Request) (any, error) {
				return int64(s.now().Sub(s.started).Seconds()), nil
			},
		},
		{
			Name:     "stop",
			Category: "Control",
			Help:     "Request a graceful shutdown of the node.",
			Result:   `"str"    (string) A string with the content 'Ballast stopping'`,
			Handler: func(_ context.Context, req *Request) (any, error) {
				s.log.Info("rpc stop requested", "user", req.User)
				req.afterReply(s.requestStop)
				return "Ballast stopping", nil
			},
		},
	}
}
