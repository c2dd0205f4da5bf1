package node

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// ConfFile is a parsed configuration file in bitcoin.conf's format:
//
//	# comment
//	key=value            applies to every network
//	[regtest]            the lines below apply only to that network
//	key=value
//
// Keys are the command's flag names without dashes. Later lines override
// earlier ones; a network section overrides the global part.
type ConfFile struct {
	Global   map[string]string
	Sections map[string]map[string]string
}

// ParseConfFile parses a configuration file. Lines that are not blank,
// comments, section headers or key=value pairs are errors, with their line
// number.
func ParseConfFile(data []byte) (*ConfFile, error) {
	cf := &ConfFile{Global: map[string]string{}, Sections: map[string]map[string]string{}}
	cur := cf.Global
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = strings.TrimSpace(s[:i])
		}
		switch {
		case s == "":
		case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]"):
			name := strings.TrimSpace(s[1 : len(s)-1])
			if name == "" {
				return nil, fmt.Errorf("config line %d: empty section name", line)
			}
			if cf.Sections[name] == nil {
				cf.Sections[name] = map[string]string{}
			}
			cur = cf.Sections[name]
		default:
			k, v, ok := strings.Cut(s, "=")
			k = strings.TrimSpace(k)
			if !ok || k == "" {
				return nil, fmt.Errorf("config line %d: want key=value, got %q", line, s)
			}
			cur[strings.TrimLeft(k, "-")] = strings.TrimSpace(v)
		}
	}
	return cf, sc.Err()
}

// For returns the settings that apply to network: the global ones overridden
// by the network's section.
func (cf *ConfFile) For(network string) map[string]string {
	out := make(map[string]string, len(cf.Global))
	for k, v := range cf.Global {
		out[k] = v
	}
	for k, v := range cf.Sections[network] {
		out[k] = v
	}
	return out
}
