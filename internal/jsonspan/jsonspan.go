// Package jsonspan locates values inside a JSON document: the byte span of
// the value that a path of object keys and array indexes addresses, and the
// line and column of a byte offset. Protocol adapters use it to point at
// parts of a policy document as AWS does (statement positions of the IAM
// policy simulator, finding spans of Access Analyzer).
//
// The package is pure and never panics. It reads only as much of the
// document as the path needs, so it also answers for a document that is
// malformed after the value it was asked for.
package jsonspan

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Elem is one step of a path: an object key, or an array index when IsIndex
// is set.
type Elem struct {
	Key     string
	Index   int
	IsIndex bool
}

// Key is a path step into an object member.
func Key(k string) Elem { return Elem{Key: k} }

// Index is a path step into an array element.
func Index(i int) Elem { return Elem{Index: i, IsIndex: true} }

// MaxDepth bounds the nesting that Find walks through or skips.
const MaxDepth = 512

// Find returns the byte span [start, end) of the value at path in doc. An
// empty path addresses the whole document (without surrounding space). A
// key addresses the first member of that name, compared after unescaping.
// ok is false when the path names nothing or the document is malformed
// before the end of the value.
func Find(doc []byte, path []Elem) (start, end int, ok bool) {
	s := scanner{b: doc}
	s.space()
	for _, e := range path {
		if !s.enter(e) {
			return 0, 0, false
		}
	}
	start = s.i
	if !s.skip() {
		return 0, 0, false
	}
	return start, s.i, true
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// enter moves from the start of a container value to the start of the
// member or element that e names.
func (s *scanner) enter(e Elem) bool {
	if e.IsIndex {
		if s.peek() != '[' || e.Index < 0 {
			return false
		}
		s.i++
		s.space()
		if s.peek() == ']' {
			return false
		}
		for n := 0; ; n++ {
			s.space()
			if n == e.Index {
				return s.i < len(s.b)
			}
			if !s.skip() {
				return false
			}
			s.space()
			if s.peek() != ',' {
				return false
			}
			s.i++
		}
	}
	if s.peek() != '{' {
		return false
	}
	s.i++
	s.space()
	if s.peek() == '}' {
		return false
	}
	for {
		s.space()
		ks := s.i
		if !s.str() {
			return false
		}
		match := keyEquals(s.b[ks:s.i], e.Key)
		s.space()
		if s.peek() != ':' {
			return false
		}
		s.i++
		s.space()
		if match {
			return s.i < len(s.b)
		}
		if !s.skip() {
			return false
		}
		s.space()
		if s.peek() != ',' {
			return false
		}
		s.i++
	}
}

// keyEquals compares a quoted JSON string with key, decoding escapes and
// invalid UTF-8 as encoding/json does.
func keyEquals(quoted []byte, key string) bool {
	raw := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw) == key
	}
	var k string
	if json.Unmarshal(quoted, &k) != nil {
		return false
	}
	return k == key
}

// str skips a string literal.
func (s *scanner) str() bool {
	if s.peek() != '"' {
		return false
	}
	for j := s.i + 1; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '\\':
			j++
		case c == '"':
			s.i = j + 1
			return true
		case c < 0x20:
			return false
		}
	}
	return false
}

// skip skips one value, nested containers included, checking that brackets
// pair up. It does not check every detail of the grammar inside a value
// (number syntax, member separators); Find's callers pass documents that
// their parser has already accepted, and a loose skip still never reads
// past the end.
func (s *scanner) skip() bool {
	switch c := s.peek(); {
	case c == '"':
		return s.str()
	case c == '{' || c == '[':
		return s.container()
	case c == '-' || '0' <= c && c <= '9':
		j := s.i
		for j < len(s.b) && bytes.IndexByte([]byte("+-.0123456789eE"), s.b[j]) >= 0 {
			j++
		}
		s.i = j
		return true
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
				s.i += len(lit)
				return true
			}
		}
		return false
	}
}

// container skips an object or array without recursion.
func (s *scanner) container() bool {
	var stack []byte
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case '"':
			if !s.str() {
				return false
			}
			continue
		case '{', '[':
			if len(stack) >= MaxDepth {
				return false
			}
			stack = append(stack, c)
		case '}', ']':
			if len(stack) == 0 || stack[len(stack)-1] != c-2 { // '{'+2 == '}', '['+2 == ']'
				return false
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				s.i++
				return true
			}
		}
		s.i++
	}
	return false
}

// Position is a place in a document as Access Analyzer reports it: Line
// counts from 1; Column (within the line) and Offset (from the start of the
// document) count characters (Unicode code points) from 0.
type Position struct {
	Line, Column, Offset int
}

// PositionOf returns the position of byte offset off in doc. An offset past
// the end is taken as the end; one inside a multi-byte character counts as
// that character's start.
func PositionOf(doc []byte, off int) Position {
	off = max(0, min(off, len(doc)))
	p := Position{Line: 1}
	for i := 0; i < off; {
		r, n := utf8.DecodeRune(doc[i:])
		if i+n > off {
			break
		}
		i += n
		p.Offset++
		p.Column++
		if r == '\n' {
			p.Line++
			p.Column = 0
		}
	}
	return p
}

// SyntaxErrorOffset returns the byte offset at which doc stops being valid
// JSON, or -1 when it is valid.
func SyntaxErrorOffset(doc []byte) int {
	var v any
	dec := json.NewDecoder(bytes.NewReader(doc))
	err := dec.Decode(&v)
	if err == nil {
		s := scanner{b: doc, i: int(dec.InputOffset())}
		s.space()
		if s.i == len(doc) {
			return -1
		}
		return s.i
	}
	if se, ok := err.(*json.SyntaxError); ok {
		// Offset counts the bytes read, the offending one included.
		return int(max(0, min(se.Offset-1, int64(len(doc)))))
	}
	return len(doc)
}

// String formats a path as a JSONPath expression, for messages and tests.
func String(path []Elem) string {
	b := []byte{'$'}
	for _, e := range path {
		if e.IsIndex {
			b = strconv.AppendInt(append(b, '['), int64(e.Index), 10)
			b = append(b, ']')
			continue
		}
		b = append(b, '[')
		b = strconv.AppendQuote(b, e.Key)
		b = append(b, ']')
	}
	return string(b)
}
