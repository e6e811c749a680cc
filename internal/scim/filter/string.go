package filter

import (
	"strconv"
	"strings"
)

// The canonical form: single spaces between tokens, operators and literals
// in lower case, strings always quoted, parentheses only where precedence
// needs them, names as written.

func (e Compare) String() string          { return exprString(e) }
func (e Present) String() string          { return exprString(e) }
func (e And) String() string              { return exprString(e) }
func (e Or) String() string               { return exprString(e) }
func (e Not) String() string              { return exprString(e) }
func (e ValuePath) String() string        { return exprString(e) }
func (e ValuePathCompare) String() string { return exprString(e) }

func exprString(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

// String returns v as a filter literal.
func (v Value) String() string {
	var b strings.Builder
	v.write(&b)
	return b.String()
}

// deref turns a pointer to a node into the node, so that Match, String and
// Paths accept both.
func deref(e Expr) Expr {
	switch t := e.(type) {
	case *Compare:
		return *t
	case *Present:
		return *t
	case *And:
		return *t
	case *Or:
		return *t
	case *Not:
		return *t
	case *ValuePath:
		return *t
	case *ValuePathCompare:
		return *t
	}
	return e
}

func writeExpr(b *strings.Builder, e Expr) {
	switch t := deref(e).(type) {
	case Compare:
		t.Path.write(b)
		b.WriteByte(' ')
		b.WriteString(t.Op)
		b.WriteByte(' ')
		t.Value.write(b)
	case Present:
		t.Path.write(b)
		b.WriteString(" pr")
	case And:
		writeOperand(b, t.L, isOr)
		b.WriteString(" and ")
		writeOperand(b, t.R, isAndOr)
	case Or:
		writeOperand(b, t.L, nil)
		b.WriteString(" or ")
		writeOperand(b, t.R, isOr)
	case Not:
		b.WriteString("not (")
		writeExpr(b, t.X)
		b.WriteByte(')')
	case ValuePath:
		t.Path.write(b)
		b.WriteByte('[')
		writeExpr(b, t.Filter)
		b.WriteByte(']')
	case ValuePathCompare:
		AttrPath{URN: t.Path.URN, Attr: t.Path.Attr}.write(b)
		b.WriteByte('[')
		writeExpr(b, t.Filter)
		b.WriteString("].")
		b.WriteString(t.Path.Sub)
		b.WriteByte(' ')
		b.WriteString(t.Op)
		if t.Op != "pr" {
			b.WriteByte(' ')
			t.Value.write(b)
		}
	case nil:
		b.WriteString("<nil>")
	}
}

func isOr(e Expr) bool {
	_, ok := deref(e).(Or)
	return ok
}

func isAndOr(e Expr) bool {
	switch deref(e).(type) {
	case And, Or:
		return true
	}
	return false
}

// writeOperand writes e, in parentheses when paren says so.
func writeOperand(b *strings.Builder, e Expr, paren func(Expr) bool) {
	if paren != nil && paren(e) {
		b.WriteByte('(')
		writeExpr(b, e)
		b.WriteByte(')')
		return
	}
	writeExpr(b, e)
}

func (v Value) write(b *strings.Builder) {
	switch v.Kind {
	case String:
		writeQuoted(b, v.Str)
	case Number:
		if v.Str != "" {
			b.WriteString(v.Str)
		} else {
			b.WriteString(strconv.FormatFloat(v.Num, 'g', -1, 64))
		}
	case Bool:
		b.WriteString(strconv.FormatBool(v.Bool))
	default:
		b.WriteString("null")
	}
}

// writeQuoted writes s as a JSON string; bytes other than the quote, the
// backslash and control characters are written as they are.
func writeQuoted(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}
