package policy

import (
	"bytes"
	"encoding/json"
)

// MarshalJSON returns the canonical serialization of d: compact, elements
// in the order Version, Id, Statement and Sid, Effect, Principal, Action,
// Resource, Condition; Statement always an array; a one-element list
// written as a bare value; condition values with the JSON type they were
// written with. Parse(d.MarshalJSON()) gives back a document with the same
// serialization.
func (d *Document) MarshalJSON() ([]byte, error) {
	return d.AppendJSON(nil), nil
}

// String returns the canonical serialization of d.
func (d *Document) String() string { return string(d.AppendJSON(nil)) }

// Indent returns the canonical serialization of d, indented for people.
func (d *Document) Indent() string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, d.AppendJSON(nil), "", "  "); err != nil {
		return d.String()
	}
	return buf.String()
}

// AppendJSON appends the canonical serialization of d to b.
func (d *Document) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	sep := false
	field := func(name string) {
		if sep {
			b = append(b, ',')
		}
		sep = true
		b = appendJSONString(b, name)
		b = append(b, ':')
	}
	if d.Version != "" {
		field("Version")
		b = appendJSONString(b, d.Version)
	}
	if d.ID != "" {
		field("Id")
		b = appendJSONString(b, d.ID)
	}
	field("Statement")
	b = append(b, '[')
	for i := range d.Statements {
		if i > 0 {
			b = append(b, ',')
		}
		b = d.Statements[i].appendJSON(b)
	}
	b = append(b, ']')
	return append(b, '}')
}

func (s *Statement) appendJSON(b []byte) []byte {
	b = append(b, '{')
	sep := false
	field := func(name string) {
		if sep {
			b = append(b, ',')
		}
		sep = true
		b = appendJSONString(b, name)
		b = append(b, ':')
	}
	if s.Sid != "" {
		field("Sid")
		b = appendJSONString(b, s.Sid)
	}
	field("Effect")
	b = appendJSONString(b, string(s.Effect))
	if s.Principal != nil {
		if s.NotPrincipal {
			field("NotPrincipal")
		} else {
			field("Principal")
		}
		b = s.Principal.appendJSON(b)
	}
	if s.NotAction {
		field("NotAction")
	} else {
		field("Action")
	}
	b = appendList(b, s.Action)
	if s.Resource != nil {
		if s.NotResource {
			field("NotResource")
		} else {
			field("Resource")
		}
		b = appendList(b, s.Resource)
	}
	if len(s.Condition) > 0 {
		field("Condition")
		b = appendConditions(b, s.Condition)
	}
	return append(b, '}')
}

func (p *Principal) appendJSON(b []byte) []byte {
	if p.Any {
		return appendJSONString(b, "*")
	}
	b = append(b, '{')
	for i, e := range p.Entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, e.Type)
		b = append(b, ':')
		b = appendList(b, e.Values)
	}
	return append(b, '}')
}

func appendList(b []byte, list []string) []byte {
	if len(list) == 1 {
		return appendJSONString(b, list[0])
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendConditions writes conditions grouped by operator, operators in the
// order they first appear.
func appendConditions(b []byte, conds []Condition) []byte {
	b = append(b, '{')
	done := make([]bool, len(conds))
	first := true
	for i := range conds {
		if done[i] {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		op := conds[i].Operator
		b = appendJSONString(b, op)
		b = append(b, ':', '{')
		firstKey := true
		for j := i; j < len(conds); j++ {
			if done[j] || conds[j].Operator != op {
				continue
			}
			done[j] = true
			if !firstKey {
				b = append(b, ',')
			}
			firstKey = false
			b = appendJSONString(b, conds[j].Key)
			b = append(b, ':')
			b = appendValues(b, conds[j].Values)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendValues(b []byte, vals []Value) []byte {
	if len(vals) == 1 {
		return vals[0].appendJSON(b)
	}
	b = append(b, '[')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = v.appendJSON(b)
	}
	return append(b, ']')
}

func (v Value) appendJSON(b []byte) []byte {
	switch v.Type {
	case BoolValue:
		if v.Text == "true" || v.Text == "false" {
			return append(b, v.Text...)
		}
	case NumberValue:
		if json.Valid([]byte(v.Text)) && isNumber(v.Text) {
			return append(b, v.Text...)
		}
	}
	return appendJSONString(b, v.Text)
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	return c == '-' || '0' <= c && c <= '9'
}
