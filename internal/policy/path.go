package policy

import (
	"strconv"
	"strings"
)

// PathElem is one step of a Path: an object key, or an array index when
// IsIndex is set.
type PathElem struct {
	Key     string
	Index   int
	IsIndex bool
}

// Path locates a value inside a policy document, from the root.
type Path []PathElem

// Key returns a copy of p extended by an object key.
func (p Path) Key(k string) Path {
	q := make(Path, len(p), len(p)+1)
	copy(q, p)
	return append(q, PathElem{Key: k})
}

// Index returns a copy of p extended by an array index.
func (p Path) Index(i int) Path {
	q := make(Path, len(p), len(p)+1)
	copy(q, p)
	return append(q, PathElem{Index: i, IsIndex: true})
}

// String formats p as a JSONPath expression, e.g.
// $.Statement[0].Condition.StringEquals["aws:SourceIp"].
func (p Path) String() string {
	var b strings.Builder
	b.WriteByte('$')
	for _, e := range p {
		switch {
		case e.IsIndex:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.Index))
			b.WriteByte(']')
		case isIdent(e.Key):
			b.WriteByte('.')
			b.WriteString(e.Key)
		default:
			b.WriteByte('[')
			b.Write(appendJSONString(nil, e.Key))
			b.WriteByte(']')
		}
	}
	return b.String()
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
