package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tokLit   tokKind = iota // literal text
	tokStar                 // * : any run of characters, possibly empty
	tokQuest                // ? : exactly one character
	tokVar                  // ${key} or ${key, 'default'}
)

type token struct {
	kind   tokKind
	text   string // literal text, or the default of a variable
	key    string // lowercased context key of a variable
	name   string // the key as written
	hasDef bool
}

// pattern is a compiled string pattern: literals, wildcards and variables.
type pattern struct {
	toks []token
	// Fast paths, set when toks has no variable.
	any    bool   // the pattern is "*"
	exact  bool   // no wildcard: equal to lit
	prefix bool   // lit followed by a single trailing *
	lit    string // literal text for exact and prefix
}

// compilePattern compiles s. Wildcards are recognised when wild is set,
// variables when vars is set; otherwise the characters are literal.
func compilePattern(s string, wild, vars bool) pattern {
	var toks []token
	lit := func(t string) {
		if t == "" {
			return
		}
		if n := len(toks); n > 0 && toks[n-1].kind == tokLit {
			toks[n-1].text += t
			return
		}
		toks = append(toks, token{kind: tokLit, text: t})
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case wild && c == '*':
			if n := len(toks); n == 0 || toks[n-1].kind != tokStar {
				toks = append(toks, token{kind: tokStar})
			}
			i++
		case wild && c == '?':
			toks = append(toks, token{kind: tokQuest})
			i++
		case vars && c == '$' && i+1 < len(s) && s[i+1] == '{':
			v, n, ok := parseVariable(s[i:])
			if !ok {
				lit(s[i : i+1])
				i++
				continue
			}
			if v.escape != "" {
				lit(v.escape)
			} else {
				toks = append(toks, token{kind: tokVar, key: strings.ToLower(v.key), name: v.key, text: v.def, hasDef: v.hasDef})
			}
			i += n
		default:
			j := i + 1
			for j < len(s) && !(wild && (s[j] == '*' || s[j] == '?')) && !(vars && s[j] == '$') {
				j++
			}
			lit(s[i:j])
			i = j
		}
	}
	p := pattern{toks: toks}
	switch {
	case len(toks) == 0:
		p.exact = true
	case len(toks) == 1 && toks[0].kind == tokStar:
		p.any = true
	case len(toks) == 1 && toks[0].kind == tokLit:
		p.exact, p.lit = true, toks[0].text
	case len(toks) == 2 && toks[0].kind == tokLit && toks[1].kind == tokStar:
		p.prefix, p.lit = true, toks[0].text
	}
	return p
}

// variable is a parsed ${…} reference.
type variable struct {
	key    string
	def    string
	hasDef bool
	escape string // "*", "?" or "$" for ${*}, ${?}, ${$}
}

// parseVariable parses a variable at the start of s ("${…}") and returns it
// with the length it spans. The forms are ${key}, ${key, 'default'} and the
// escapes ${*}, ${?}, ${$}
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
func parseVariable(s string) (variable, int, bool) {
	end := strings.IndexByte(s, '}')
	if !strings.HasPrefix(s, "${") || end < 0 {
		return variable{}, 0, false
	}
	body := s[2:end]
	switch body {
	case "*", "?", "$":
		return variable{escape: body}, end + 1, true
	}
	key, def, hasDef := strings.Cut(body, ",")
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " \t$") {
		return variable{}, 0, false
	}
	v := variable{key: key}
	if hasDef {
		def = strings.TrimSpace(def)
		if len(def) < 2 || def[0] != '\'' || def[len(def)-1] != '\'' {
			return variable{}, 0, false
		}
		v.def, v.hasDef = def[1:len(def)-1], true
	}
	return v, end + 1, true
}

// resolve returns the value of a variable token: the context value of a
// single-valued key, else its default. ok is false when it has no value.
func (t *token) resolve(ctx *Context) (string, bool) {
	if vals, ok := ctx.lookup(t.key); ok && len(vals) == 1 {
		return vals[0], true
	}
	if t.hasDef {
		return t.text, true
	}
	return "", false
}

// match reports whether s matches the pattern. With fold, letters compare
// case-insensitively. Substituted variable values are literal text.
func (p *pattern) match(s string, fold bool, ctx *Context) bool {
	switch {
	case p.any:
		return true
	case p.exact:
		if fold {
			return strings.EqualFold(s, p.lit)
		}
		return s == p.lit
	case p.prefix:
		if fold {
			n, ok := foldPrefix(s, p.lit)
			return ok && n <= len(s)
		}
		return strings.HasPrefix(s, p.lit)
	}
	toks := p.toks
	ti, si := 0, 0
	starT, starS := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tokStar:
				starT, starS = ti, si
				ti++
				continue
			case tokQuest:
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					ti++
					continue
				}
			default:
				text := t.text
				if t.kind == tokVar {
					v, ok := t.resolve(ctx)
					if !ok {
						return false
					}
					text = v
				}
				if fold {
					if n, ok := foldPrefix(s[si:], text); ok {
						si += n
						ti++
						continue
					}
				} else if strings.HasPrefix(s[si:], text) {
					si += len(text)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starT < 0 || starS >= len(s) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		si, ti = starS, starT+1
	}
}

// unresolved reports whether some variable of the pattern has no value.
func (p *pattern) unresolved(ctx *Context) bool {
	for i := range p.toks {
		if t := &p.toks[i]; t.kind == tokVar {
			if _, ok := t.resolve(ctx); !ok {
				return true
			}
		}
	}
	return false
}

// foldPrefix reports whether s starts with t under simple Unicode case
// folding, and how many bytes of s that prefix spans.
func foldPrefix(s, t string) (int, bool) {
	i, j := 0, 0
	for j < len(t) {
		if i >= len(s) {
			return 0, false
		}
		a, b := s[i], t[j]
		if a < utf8.RuneSelf && b < utf8.RuneSelf {
			if lowerASCII(a) != lowerASCII(b) {
				return 0, false
			}
			i++
			j++
			continue
		}
		ra, na := utf8.DecodeRuneInString(s[i:])
		rb, nb := utf8.DecodeRuneInString(t[j:])
		if !foldEqual(ra, rb) {
			return 0, false
		}
		i += na
		j += nb
	}
	return i, true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func foldEqual(a, b rune) bool {
	if a == b {
		return true
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}
