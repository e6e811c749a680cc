package filter

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Parse parses a SCIM filter (RFC 7644 §3.4.2.2). A syntax error is an
// *[Error] with ScimType "invalidFilter".
func Parse(filter string) (Expr, error) {
	p := &parser{s: filter, scimType: InvalidFilter}
	if err := p.checkInput("filter"); err != nil {
		return nil, err
	}
	e, err := p.parseOr(false)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.s) {
		return nil, p.unexpected("after a complete filter")
	}
	return e, nil
}

// ParsePath parses the path of a PATCH operation (RFC 7644 §3.5.2):
// attrPath, or valuePath optionally followed by .subAttr. A syntax error is
// an *[Error] with ScimType "invalidPath".
func ParsePath(path string) (Path, error) {
	p := &parser{s: path, scimType: InvalidPath}
	if err := p.checkInput("path"); err != nil {
		return Path{}, err
	}
	p.skipSpace()
	start := p.pos
	attr, err := p.parseAttrPath()
	if err != nil {
		return Path{}, err
	}
	out := Path{Attr: attr}
	if p.peek() == '[' {
		if attr.Sub != "" {
			return Path{}, p.errAt(start, "a value filter applies to an attribute, not to the sub-attribute %q", attr.Sub)
		}
		if out.Filter, err = p.parseBracket(); err != nil {
			return Path{}, err
		}
		if p.peek() == '.' {
			p.pos++
			if out.Sub, err = p.parseName(); err != nil {
				return Path{}, err
			}
		}
	}
	p.skipSpace()
	if p.pos < len(p.s) {
		return Path{}, p.unexpected("after a complete path")
	}
	return out, nil
}

// String returns p in PATCH path syntax.
func (p Path) String() string {
	var b strings.Builder
	p.Attr.write(&b)
	if p.Filter != nil {
		b.WriteByte('[')
		writeExpr(&b, p.Filter)
		b.WriteByte(']')
		if p.Sub != "" {
			b.WriteByte('.')
			b.WriteString(p.Sub)
		}
	}
	return b.String()
}

type parser struct {
	s        string
	pos      int
	depth    int
	scimType string
}

func (p *parser) checkInput(what string) error {
	if len(p.s) > MaxLength {
		return p.errAt(MaxLength, "the %s is longer than %d bytes", what, MaxLength)
	}
	if strings.TrimLeft(p.s, " \t\r\n") == "" {
		return p.errAt(0, "the %s is empty", what)
	}
	return nil
}

func (p *parser) errAt(off int, format string, args ...any) *Error {
	return &Error{ScimType: p.scimType, Detail: fmt.Sprintf(format, args...), Offset: off}
}

// unexpected reports the token at p.pos.
func (p *parser) unexpected(where string) *Error {
	if p.pos >= len(p.s) {
		return p.errAt(p.pos, "unexpected end %s", where)
	}
	return p.errAt(p.pos, "unexpected %s %s", quoteSnippet(p.token()), where)
}

// token returns the text at p.pos up to the next delimiter, or one
// character when that is a delimiter.
func (p *parser) token() string {
	i := p.pos
	for i < len(p.s) && !isSpace(p.s[i]) && !isDelim(p.s[i]) {
		i++
	}
	if i == p.pos {
		_, n := utf8.DecodeRuneInString(p.s[p.pos:])
		i += n
	}
	return p.s[p.pos:i]
}

// quoteSnippet quotes s for an error message, shortened.
func quoteSnippet(s string) string {
	const max = 32
	if len(s) > max {
		n := max
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		return strconv.Quote(s[:n]) + "…"
	}
	return strconv.Quote(s)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isDelim(c byte) bool { return c == '(' || c == ')' || c == '[' || c == ']' || c == '"' }

func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isPathChar reports whether c may appear in an attribute path: the
// nameChar of RFC 7643, "$", and the "." and ":" of sub-attributes and URNs.
func isPathChar(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '_' || c == '$' || c == '.' || c == ':'
}

func (p *parser) skipSpace() {
	for p.pos < len(p.s) && isSpace(p.s[p.pos]) {
		p.pos++
	}
}

func (p *parser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

// word returns the run of letters at p.pos without consuming it, or "" when
// it is followed by a character that would continue an attribute path.
func (p *parser) word() string {
	i := p.pos
	for i < len(p.s) && isAlpha(p.s[i]) {
		i++
	}
	if i == p.pos || i < len(p.s) && isPathChar(p.s[i]) {
		return ""
	}
	return p.s[p.pos:i]
}

func (p *parser) enter(off int) error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errAt(off, "the filter nests deeper than %d levels", MaxDepth)
	}
	return nil
}

// parseOr parses and-terms joined by "or". inValue is true inside the
// brackets of a value path.
func (p *parser) parseOr(inValue bool) (Expr, error) {
	l, err := p.parseAnd(inValue)
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.EqualFold(p.word(), "or") {
			return l, nil
		}
		p.pos += 2
		r, err := p.parseAnd(inValue)
		if err != nil {
			return nil, err
		}
		l = Or{L: l, R: r}
	}
}

func (p *parser) parseAnd(inValue bool) (Expr, error) {
	l, err := p.parseTerm(inValue)
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.EqualFold(p.word(), "and") {
			return l, nil
		}
		p.pos += 3
		r, err := p.parseTerm(inValue)
		if err != nil {
			return nil, err
		}
		l = And{L: l, R: r}
	}
}

// parseTerm parses ( filter ), not ( filter ), an attribute expression or
// a value path.
func (p *parser) parseTerm(inValue bool) (Expr, error) {
	p.skipSpace()
	start := p.pos
	if p.peek() == '(' {
		return p.parseParen(inValue)
	}
	if w := p.word(); strings.EqualFold(w, "not") {
		p.pos += len(w)
		p.skipSpace()
		if p.peek() == '(' {
			x, err := p.parseParen(inValue)
			if err != nil {
				return nil, err
			}
			return Not{X: x}, nil
		}
		if p.pos >= len(p.s) || !isAlpha(p.peek()) || isOperator(p.word()) {
			// "not" was an attribute name after all (not pr, not eq 1).
			p.pos = start
		} else {
			return nil, p.errAt(start, "not must be followed by a filter in parentheses")
		}
	}
	if p.pos >= len(p.s) {
		return nil, p.errAt(p.pos, "expected an attribute name, found the end of the filter")
	}
	path, err := p.parseAttrPath()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.peek() == '[' {
		if inValue {
			return nil, p.errAt(p.pos, "value filters cannot be nested")
		}
		if path.Sub != "" {
			return nil, p.errAt(start, "a value filter applies to an attribute, not to the sub-attribute %q", path.Sub)
		}
		f, err := p.parseBracket()
		if err != nil {
			return nil, err
		}
		if p.peek() != '.' {
			return ValuePath{Path: path, Filter: f}, nil
		}
		p.pos++
		if path.Sub, err = p.parseName(); err != nil {
			return nil, err
		}
		op, v, err := p.parseOpValue(path)
		if err != nil {
			return nil, err
		}
		return ValuePathCompare{Path: path, Filter: f, Op: op, Value: v}, nil
	}
	op, v, err := p.parseOpValue(path)
	if err != nil {
		return nil, err
	}
	if op == "pr" {
		return Present{Path: path}, nil
	}
	return Compare{Path: path, Op: op, Value: v}, nil
}

func (p *parser) parseParen(inValue bool) (Expr, error) {
	open := p.pos
	if err := p.enter(open); err != nil {
		return nil, err
	}
	p.pos++
	e, err := p.parseOr(inValue)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.peek() != ')' {
		if p.pos >= len(p.s) {
			return nil, p.errAt(open, "unbalanced parenthesis")
		}
		return nil, p.unexpected("where \")\" was expected")
	}
	p.pos++
	p.depth--
	return e, nil
}

// parseBracket parses [ filter ] at p.pos.
func (p *parser) parseBracket() (Expr, error) {
	open := p.pos
	if err := p.enter(open); err != nil {
		return nil, err
	}
	p.pos++
	e, err := p.parseOr(true)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.peek() != ']' {
		if p.pos >= len(p.s) {
			return nil, p.errAt(open, "unbalanced bracket")
		}
		return nil, p.unexpected("where \"]\" was expected")
	}
	p.pos++
	p.depth--
	return e, nil
}

var operators = [...]string{"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"}

func isOperator(w string) bool {
	for _, op := range operators {
		if strings.EqualFold(w, op) {
			return true
		}
	}
	return false
}

// parseOpValue parses the operator after path and, unless it is pr, the
// value.
func (p *parser) parseOpValue(path AttrPath) (string, Value, error) {
	p.skipSpace()
	at := p.pos
	i := p.pos
	for i < len(p.s) && (isAlpha(p.s[i]) || isDigit(p.s[i]) || p.s[i] == '_' || p.s[i] == '-') {
		i++
	}
	w := p.s[p.pos:i]
	if w == "" {
		if p.pos >= len(p.s) {
			return "", Value{}, p.errAt(p.pos, "expected an operator after %s", quoteSnippet(path.String()))
		}
		return "", Value{}, p.unexpected("where an operator was expected")
	}
	if !isOperator(w) {
		return "", Value{}, p.errAt(at, "unknown operator %s", quoteSnippet(w))
	}
	op := strings.ToLower(w)
	p.pos = i
	if op == "pr" {
		return op, Value{}, nil
	}
	p.skipSpace()
	vat := p.pos
	v, err := p.parseValue()
	if err != nil {
		return "", Value{}, err
	}
	if (v.Kind == Bool || v.Kind == Null) && op != "eq" && op != "ne" {
		return "", Value{}, p.errAt(vat, "%s compares only with eq and ne, not %s", v.Kind, op)
	}
	return op, v, nil
}

// parseValue parses a quoted string, or an unquoted word: true, false,
// null, a JSON number, or else a string.
func (p *parser) parseValue() (Value, error) {
	if p.peek() == '"' {
		s, err := p.parseString()
		return Value{Kind: String, Str: s}, err
	}
	start := p.pos
	for p.pos < len(p.s) && !isSpace(p.s[p.pos]) && !isDelim(p.s[p.pos]) {
		p.pos++
	}
	w := p.s[start:p.pos]
	if w == "" {
		if p.pos >= len(p.s) {
			return Value{}, p.errAt(p.pos, "expected a value, found the end of the filter")
		}
		return Value{}, p.unexpected("where a value was expected")
	}
	if p.peek() == '"' {
		return Value{}, p.errAt(p.pos, "unexpected quote in an unquoted value")
	}
	switch {
	case strings.EqualFold(w, "true"):
		return Value{Kind: Bool, Bool: true}, nil
	case strings.EqualFold(w, "false"):
		return Value{Kind: Bool}, nil
	case strings.EqualFold(w, "null"):
		return Value{Kind: Null}, nil
	case isJSONNumber(w):
		// ParseFloat rounds out-of-range numbers to ±Inf, which still order.
		n, _ := strconv.ParseFloat(w, 64)
		return Value{Kind: Number, Str: w, Num: n}, nil
	}
	return Value{Kind: String, Str: w}, nil
}

// parseString parses a JSON string at p.pos.
func (p *parser) parseString() (string, error) {
	open := p.pos
	p.pos++
	start := p.pos
	// Fast path: no escapes.
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case '"':
			p.pos++
			return p.s[start : p.pos-1], nil
		case '\\':
			return p.parseEscaped(open, start)
		}
		p.pos++
	}
	return "", p.errAt(open, "unterminated string")
}

func (p *parser) parseEscaped(open, start int) (string, error) {
	b := []byte(p.s[start:p.pos])
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch c {
		case '"':
			p.pos++
			return string(b), nil
		case '\\':
		default:
			b = append(b, c)
			p.pos++
			continue
		}
		esc := p.pos
		if p.pos+1 >= len(p.s) {
			break
		}
		p.pos += 2
		switch p.s[p.pos-1] {
		case '"', '\\', '/':
			b = append(b, p.s[p.pos-1])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.errAt(esc, "invalid \\u escape")
			}
			if utf16IsHigh(r) && strings.HasPrefix(p.s[p.pos:], `\u`) {
				save := p.pos
				p.pos += 2
				if lo, ok := p.hex4(); ok && utf16IsLow(lo) {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				} else {
					p.pos = save
				}
			}
			if r >= 0xD800 && r <= 0xDFFF {
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", p.errAt(esc, "invalid escape %s", quoteSnippet(p.s[esc:p.pos]))
		}
	}
	return "", p.errAt(open, "unterminated string")
}

func utf16IsHigh(r rune) bool { return r >= 0xD800 && r < 0xDC00 }
func utf16IsLow(r rune) bool  { return r >= 0xDC00 && r < 0xE000 }

// hex4 reads four hex digits at p.pos.
func (p *parser) hex4() (rune, bool) {
	if p.pos+4 > len(p.s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(p.s[p.pos : p.pos+4]) {
		var d byte
		switch {
		case isDigit(c):
			d = c - '0'
		case 'a' <= c|0x20 && c|0x20 <= 'f':
			d = (c | 0x20) - 'a' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	p.pos += 4
	return r, true
}

// isJSONNumber reports whether s is a number in JSON syntax.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i == len(s)
}

// parseAttrPath parses [URN ":"] ATTRNAME ["." ATTRNAME] at p.pos.
func (p *parser) parseAttrPath() (AttrPath, error) {
	start := p.pos
	for p.pos < len(p.s) && isPathChar(p.s[p.pos]) {
		p.pos++
	}
	tok := p.s[start:p.pos]
	if tok == "" {
		p.pos = start
		return AttrPath{}, p.unexpected("where an attribute name was expected")
	}
	var path AttrPath
	rest, restAt := tok, start
	if len(tok) > 4 && strings.EqualFold(tok[:4], "urn:") {
		i := strings.LastIndexByte(tok, ':')
		path.URN, rest, restAt = tok[:i], tok[i+1:], start+i+1
		for _, seg := range strings.Split(path.URN, ":") {
			if seg == "" {
				return AttrPath{}, p.errAt(start, "invalid schema URN %s", quoteSnippet(path.URN))
			}
		}
	} else if i := strings.IndexByte(tok, ':'); i >= 0 {
		return AttrPath{}, p.errAt(start+i, "invalid attribute path %s: only a schema URN (urn:…) may contain \":\"", quoteSnippet(tok))
	}
	attr, sub, hasSub := strings.Cut(rest, ".")
	if !isAttrName(attr) {
		return AttrPath{}, p.errAt(restAt, "invalid attribute name %s", quoteSnippet(attr))
	}
	path.Attr = attr
	if hasSub {
		subAt := restAt + len(attr) + 1
		if i := strings.IndexByte(sub, '.'); i >= 0 {
			return AttrPath{}, p.errAt(subAt+i, "an attribute path has at most one sub-attribute")
		}
		if !isAttrName(sub) {
			return AttrPath{}, p.errAt(subAt, "invalid sub-attribute name %s", quoteSnippet(sub))
		}
		path.Sub = sub
	}
	return path, nil
}

// parseName parses a sub-attribute name at p.pos.
func (p *parser) parseName() (string, error) {
	start := p.pos
	for p.pos < len(p.s) && isPathChar(p.s[p.pos]) && p.s[p.pos] != '.' && p.s[p.pos] != ':' {
		p.pos++
	}
	name := p.s[start:p.pos]
	if !isAttrName(name) {
		if name == "" {
			return "", p.unexpected("where a sub-attribute name was expected")
		}
		return "", p.errAt(start, "invalid sub-attribute name %s", quoteSnippet(name))
	}
	if c := p.peek(); c == '.' || c == ':' {
		return "", p.errAt(p.pos, "an attribute path has at most one sub-attribute")
	}
	return name, nil
}

// isAttrName reports whether s is ATTRNAME (RFC 7643 §2.1: ALPHA
// *(nameChar)), optionally prefixed with "$" as in $ref.
func isAttrName(s string) bool {
	if strings.HasPrefix(s, "$") {
		s = s[1:]
	}
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}
