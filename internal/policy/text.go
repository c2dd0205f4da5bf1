package policy

import (
	"encoding/hex"
	"strconv"
	"strings"
)

// String returns the policy's text form, for example
//
//	or(key(<64 hex>),and(thresh(2,key(..),key(..),key(..)),older(4320)))
//
// with lower-case hex, decimal numbers and no spaces. ParseText reads it
// back to an equal tree.
func (n *Node) String() string {
	var sb strings.Builder
	n.appendText(&sb)
	return sb.String()
}

func (n *Node) appendText(sb *strings.Builder) {
	if n == nil {
		sb.WriteString("<nil>")
		return
	}
	sb.WriteString(n.Kind.String())
	sb.WriteByte('(')
	switch n.Kind {
	case KindKey:
		sb.WriteString(hex.EncodeToString(n.Key[:]))
	case KindSha256:
		sb.WriteString(hex.EncodeToString(n.Digest[:]))
	case KindAfter, KindOlder:
		sb.WriteString(strconv.FormatUint(uint64(n.Value), 10))
	case KindThresh, KindAnd, KindOr:
		if n.Kind == KindThresh {
			sb.WriteString(strconv.Itoa(n.K))
			sb.WriteByte(',')
		}
		for i, c := range n.Children {
			if i > 0 {
				sb.WriteByte(',')
			}
			c.appendText(sb)
		}
	default:
		sb.WriteString(strconv.Itoa(int(n.Kind)))
	}
	sb.WriteByte(')')
}

// ParseText parses a policy's text form:
//
//	key(<64 hex digits: x-only public key>)
//	thresh(<k>,<policy>,...)
//	and(<policy>,<policy>,...)
//	or(<policy>,<policy>,...)
//	after(<u32>)
//	older(<u32>)
//	sha256(<64 hex digits: digest>)
//
// Numbers are decimal without sign or leading zeros; hex may be upper or
// lower case; no white space is allowed. The result passes Validate: syntax
// and field errors are ErrPolicyEncoding, limit errors ErrPolicyLimits.
func ParseText(s string) (*Node, error) {
	if len(s) > MaxPolicyTextSize {
		return nil, ruleErr(ErrPolicyLimits, "policy text of %d bytes exceeds limit %d", len(s), MaxPolicyTextSize)
	}
	p := textParser{s: s}
	n, err := p.node(1)
	if err != nil {
		return nil, err
	}
	if p.off != len(p.s) {
		return nil, p.errorf("unexpected %q after the policy", p.rest())
	}
	if size := n.EncodedLen(); size > MaxPolicySize {
		return nil, ruleErr(ErrPolicyLimits, "encoding of %d bytes exceeds limit %d", size, MaxPolicySize)
	}
	return n, nil
}

type textParser struct {
	s   string
	off int
	lim limits
}

func (p *textParser) errorf(format string, args ...any) error {
	return ruleErr(ErrPolicyEncoding, "offset %d: "+format, append([]any{p.off}, args...)...)
}

// rest returns a short excerpt of the unparsed text for error messages.
func (p *textParser) rest() string {
	r := p.s[p.off:]
	if len(r) > 16 {
		r = r[:16] + "..."
	}
	return r
}

func (p *textParser) expect(c byte) error {
	if p.off >= len(p.s) || p.s[p.off] != c {
		return p.errorf("expected %q, found %q", c, p.rest())
	}
	p.off++
	return nil
}

func (p *textParser) node(depth int) (*Node, error) {
	start := p.off
	for p.off < len(p.s) && p.off-start < len("thresh") && isNameByte(p.s[p.off]) {
		p.off++
	}
	name := p.s[start:p.off]
	n := &Node{Kind: kindByName(name)}
	if n.Kind == 0 {
		p.off = start
		return nil, p.errorf("expected a policy, found %q", p.rest())
	}
	if err := p.expect('('); err != nil {
		return nil, err
	}
	if err := p.lim.enter(n.Kind, depth); err != nil {
		return nil, err
	}
	var err error
	switch n.Kind {
	case KindKey:
		err = p.hex32(&n.Key)
	case KindSha256:
		err = p.hex32(&n.Digest)
	case KindAfter, KindOlder:
		var v uint64
		v, err = p.number(1<<32 - 1)
		n.Value = uint32(v)
	default:
		err = p.children(n, depth)
	}
	if err != nil {
		return nil, err
	}
	if err := p.expect(')'); err != nil {
		return nil, err
	}
	if err := checkFields(n, true); err != nil {
		return nil, annotate(err, "offset %d", start)
	}
	return n, nil
}

func (p *textParser) children(n *Node, depth int) error {
	if n.Kind == KindThresh {
		k, err := p.number(MaxPolicyNodes)
		if err != nil {
			return err
		}
		n.K = int(k)
		if err := p.expect(','); err != nil {
			return err
		}
	}
	for {
		c, err := p.node(depth + 1)
		if err != nil {
			return err
		}
		n.Children = append(n.Children, c)
		if p.off >= len(p.s) || p.s[p.off] != ',' {
			return nil
		}
		p.off++
	}
}

// number reads a decimal number no greater than max, without sign or
// leading zeros.
func (p *textParser) number(max uint64) (uint64, error) {
	start := p.off
	for p.off < len(p.s) && p.s[p.off] >= '0' && p.s[p.off] <= '9' {
		p.off++
	}
	digits := p.s[start:p.off]
	if digits == "" {
		p.off = start
		return 0, p.errorf("expected a number, found %q", p.rest())
	}
	if len(digits) > 1 && digits[0] == '0' {
		p.off = start
		return 0, p.errorf("number %q has leading zeros", digits)
	}
	v, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || v > max {
		p.off = start
		return 0, p.errorf("number %q out of range [0, %d]", digits, max)
	}
	return v, nil
}

func (p *textParser) hex32(dst *[32]byte) error {
	if len(p.s)-p.off < 64 {
		return p.errorf("expected 64 hex digits, found %q", p.rest())
	}
	if _, err := hex.Decode(dst[:], []byte(p.s[p.off:p.off+64])); err != nil {
		return p.errorf("expected 64 hex digits, found %q", p.rest())
	}
	p.off += 64
	return nil
}

func isNameByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// kindByName returns the node kind named in the text form, or 0.
func kindByName(name string) Kind {
	for k := KindKey; k <= KindSha256; k++ {
		if name == k.String() {
			return k
		}
	}
	return 0
}
