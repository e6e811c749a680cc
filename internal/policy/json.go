package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// kind is the JSON type of a node.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

func (k kind) String() string {
	switch k {
	case kindNull:
		return "null"
	case kindBool:
		return "boolean"
	case kindNumber:
		return "number"
	case kindString:
		return "string"
	case kindArray:
		return "array"
	default:
		return "object"
	}
}

// node is a decoded JSON value that keeps the order of object members, so
// that findings can point at them and duplicate keys can be refused.
type node struct {
	kind    kind
	text    string // string value, number literal, or "true"/"false"
	members []member
	elems   []*node
}

type member struct {
	key string
	val *node
}

// maxDepth bounds nesting; a policy document never nests deeper than six.
const maxDepth = 32

// jsonError is a problem found while decoding: where and why.
type jsonError struct {
	path   Path
	offset int64
	reason string
}

// decodeJSON decodes one JSON value from data and refuses duplicate object
// keys, nesting deeper than maxDepth, and anything after the value.
func decodeJSON(data []byte) (*node, *jsonError) {
	if !utf8.Valid(data) {
		return nil, &jsonError{reason: "document is not valid UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, jerr := decodeValue(dec, nil, 0)
	if jerr != nil {
		return nil, jerr
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &jsonError{offset: dec.InputOffset(), reason: "unexpected data after the document"}
	}
	return n, nil
}

func decodeValue(dec *json.Decoder, path Path, depth int) (*node, *jsonError) {
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(dec, path, err)
	}
	return decodeFrom(dec, tok, path, depth)
}

func decodeFrom(dec *json.Decoder, tok json.Token, path Path, depth int) (*node, *jsonError) {
	switch t := tok.(type) {
	case nil:
		return &node{kind: kindNull}, nil
	case bool:
		if t {
			return &node{kind: kindBool, text: "true"}, nil
		}
		return &node{kind: kindBool, text: "false"}, nil
	case json.Number:
		return &node{kind: kindNumber, text: string(t)}, nil
	case string:
		return &node{kind: kindString, text: t}, nil
	case json.Delim:
		if depth >= maxDepth {
			return nil, &jsonError{path: path, offset: dec.InputOffset(), reason: "nesting too deep"}
		}
		if t == '[' {
			n := &node{kind: kindArray}
			for dec.More() {
				child, jerr := decodeValue(dec, path.Index(len(n.elems)), depth+1)
				if jerr != nil {
					return nil, jerr
				}
				n.elems = append(n.elems, child)
			}
			if _, err := dec.Token(); err != nil {
				return nil, syntaxError(dec, path, err)
			}
			return n, nil
		}
		n := &node{kind: kindObject}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, syntaxError(dec, path, err)
			}
			key, ok := kt.(string)
			if !ok {
				return nil, &jsonError{path: path, offset: dec.InputOffset(), reason: "object key is not a string"}
			}
			for _, m := range n.members {
				if m.key == key {
					return nil, &jsonError{path: path.Key(key), offset: dec.InputOffset(), reason: fmt.Sprintf("duplicate key %q", key)}
				}
			}
			child, jerr := decodeValue(dec, path.Key(key), depth+1)
			if jerr != nil {
				return nil, jerr
			}
			n.members = append(n.members, member{key: key, val: child})
		}
		if _, err := dec.Token(); err != nil {
			return nil, syntaxError(dec, path, err)
		}
		return n, nil
	}
	return nil, &jsonError{path: path, offset: dec.InputOffset(), reason: "unexpected token"}
}

func syntaxError(dec *json.Decoder, path Path, err error) *jsonError {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &jsonError{path: path, offset: se.Offset, reason: se.Error()}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &jsonError{path: path, offset: dec.InputOffset(), reason: "unexpected end of JSON input"}
	}
	return &jsonError{path: path, offset: dec.InputOffset(), reason: err.Error()}
}

// get returns the member named key of an object node.
func (n *node) get(key string) (*node, bool) {
	for _, m := range n.members {
		if m.key == key {
			return m.val, true
		}
	}
	return nil, false
}

// appendJSONString appends s as a JSON string literal. Invalid UTF-8 is
// written as U+FFFD, and HTML characters are not escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, '\\', '"')
		case r == '\\':
			b = append(b, '\\', '\\')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r < 0x20, r == 0x2028, r == 0x2029:
			b = append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}
