package jsonspan

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// cognitoTrustPolicy is the document of the AWS CLI's validate-policy
// example, whose findings Access Analyzer locates at the spans tested below.
const cognitoTrustPolicy = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "",
            "Effect": "Allow",
            "Principal": {
                "Federated": "cognito-identity.amazonaws.com"
            },
            "Action": [
                "sts:AssumeRole",
                "sts:TagSession"
            ],
            "Condition": {
                "StringEquals": {
                    "cognito-identity.amazonaws.com:aud": "us-west-2_EXAMPLE"
                }
            }
        }
    ]
}`

func TestFind(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		path []Elem
		want string // the text of the span; "" when not found
	}{
		{"root", `  {"a": 1}  `, nil, `{"a": 1}`},
		{"key", `{"a": 1, "b": [true, null]}`, []Elem{Key("b")}, `[true, null]`},
		{"index", `{"a": 1, "b": [true, null]}`, []Elem{Key("b"), Index(1)}, `null`},
		{"nested", `{"S":[{"E":"Allow"},{"E":"Deny","A":["x","y"]}]}`, []Elem{Key("S"), Index(1), Key("A"), Index(0)}, `"x"`},
		{"object statement", `{"Statement":{"Effect":"Allow"}}`, []Elem{Key("Statement")}, `{"Effect":"Allow"}`},
		{"string with brackets", `{"a": "}]{[\"", "b": 2}`, []Elem{Key("b")}, `2`},
		{"escaped key", `{"a\u0062": 3}`, []Elem{Key("ab")}, `3`},
		{"first of duplicates", `{"a": 1, "a": 2}`, []Elem{Key("a")}, `1`},
		{"number", `[-1.5e+3, 2]`, []Elem{Index(0)}, `-1.5e+3`},
		{"non-ASCII", `{"ü": "日本", "k": "v"}`, []Elem{Key("k")}, `"v"`},
		{"malformed after the value", `{"a": [1, 2], "b": `, []Elem{Key("a")}, `[1, 2]`},
		{"missing key", `{"a": 1}`, []Elem{Key("b")}, ""},
		{"index out of range", `[1, 2]`, []Elem{Index(2)}, ""},
		{"negative index", `[1, 2]`, []Elem{Index(-1)}, ""},
		{"index into object", `{"a": 1}`, []Elem{Index(0)}, ""},
		{"key into array", `[1]`, []Elem{Key("a")}, ""},
		{"empty object", `{}`, []Elem{Key("a")}, ""},
		{"empty array", `[ ]`, []Elem{Index(0)}, ""},
		{"unterminated string", `{"a": "x`, []Elem{Key("a")}, ""},
		{"mismatched brackets", `{"a": [1}`, []Elem{Key("a")}, ""},
		{"empty document", ``, nil, ""},
		{"bad literal", `{"a": nul}`, []Elem{Key("a")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end, ok := Find([]byte(tt.doc), tt.path)
			got := ""
			if ok {
				got = tt.doc[start:end]
			}
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("Find(%q, %s) = %q, %v, want %q", tt.doc, String(tt.path), got, ok, tt.want)
			}
		})
	}
}

// TestAccessAnalyzerSpans checks Find and PositionOf against the spans AWS
// documents for its validate-policy example.
func TestAccessAnalyzerSpans(t *testing.T) {
	tests := []struct {
		name       string
		path       []Elem
		start, end Position
	}{
		{"Sid", []Elem{Key("Statement"), Index(0), Key("Sid")}, Position{5, 19, 79}, Position{5, 21, 81}},
		{"Action", []Elem{Key("Statement"), Index(0), Key("Action"), Index(0)}, Position{11, 16, 258}, Position{11, 32, 274}},
		{"Principal", []Elem{Key("Statement"), Index(0), Key("Principal"), Key("Federated")}, Position{8, 29, 170}, Position{8, 61, 202}},
	}
	doc := []byte(cognitoTrustPolicy)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, e, ok := Find(doc, tt.path)
			if !ok {
				t.Fatalf("Find(%s) found nothing", String(tt.path))
			}
			if got := PositionOf(doc, s); got != tt.start {
				t.Errorf("start of %s = %+v, want %+v", String(tt.path), got, tt.start)
			}
			if got := PositionOf(doc, e); got != tt.end {
				t.Errorf("end of %s = %+v, want %+v", String(tt.path), got, tt.end)
			}
		})
	}
}

func TestPositionOf(t *testing.T) {
	doc := []byte("ab\ncü\n\nd")
	tests := []struct {
		name string
		off  int
		want Position
	}{
		{"start", 0, Position{1, 0, 0}},
		{"first line", 1, Position{1, 1, 1}},
		{"at newline", 2, Position{1, 2, 2}},
		{"second line", 3, Position{2, 0, 3}},
		{"after a two-byte character", 6, Position{2, 2, 5}},
		{"inside a two-byte character", 5, Position{2, 1, 4}},
		{"empty line", 7, Position{3, 0, 6}},
		{"end", len(doc), Position{4, 1, 8}},
		{"past the end", 100, Position{4, 1, 8}},
		{"negative", -3, Position{1, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PositionOf(doc, tt.off); got != tt.want {
				t.Errorf("PositionOf(%q, %d) = %+v, want %+v", doc, tt.off, got, tt.want)
			}
		})
	}
}

func TestSyntaxErrorOffset(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want int
	}{
		{"valid", ` {"a": [1]} `, -1},
		{"trailing data", `{"a": 1} x`, 9},
		{"bad token", `{"a": x}`, 6},
		{"truncated", `{"a": `, 6},
		{"empty", ``, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SyntaxErrorOffset([]byte(tt.doc)); got != tt.want {
				t.Errorf("SyntaxErrorOffset(%q) = %d, want %d", tt.doc, got, tt.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	if got, want := String([]Elem{Key("Statement"), Index(0), Key(`a"b`)}), `$["Statement"][0]["a\"b"]`; got != want {
		t.Errorf("String = %s, want %s", got, want)
	}
}

// paths lists the path of every value of v, depth first.
func paths(v any, prefix []Elem, out *[][]Elem) {
	*out = append(*out, append([]Elem(nil), prefix...))
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			paths(c, append(prefix, Key(k)), out)
		}
	case []any:
		for i, c := range x {
			paths(c, append(prefix, Index(i)), out)
		}
	}
}

// lookup follows path in a decoded value.
func lookup(v any, path []Elem) any {
	for _, e := range path {
		if e.IsIndex {
			v = v.([]any)[e.Index]
		} else {
			v = v.(map[string]any)[e.Key]
		}
	}
	return v
}

// FuzzFind checks that Find never panics, stays within the document, and,
// for a valid document without duplicate keys, finds every value at a span
// that decodes to that value.
func FuzzFind(f *testing.F) {
	f.Add([]byte(cognitoTrustPolicy), "Statement", 0)
	f.Add([]byte(`{"a":[1,{"b":"c"}],"d":null}`), "a", 1)
	f.Add([]byte(`[[[[]]]]`), "", 0)
	f.Add([]byte(`{"a":"\u00fc\"}"}`), "a", 0)
	f.Fuzz(func(t *testing.T, doc []byte, key string, idx int) {
		for _, p := range [][]Elem{nil, {Key(key)}, {Index(idx)}, {Key(key), Index(idx)}, {Index(idx), Key(key)}} {
			s, e, ok := Find(doc, p)
			if ok && (s < 0 || e > len(doc) || s >= e) {
				t.Fatalf("Find(%q, %s) = %d, %d outside the document", doc, String(p), s, e)
			}
		}
		_ = PositionOf(doc, idx)
		_ = SyntaxErrorOffset(doc)
		var v any
		dec := json.NewDecoder(bytes.NewReader(doc))
		if !json.Valid(doc) || dec.Decode(&v) != nil || hasDuplicateKeys(doc) {
			return
		}
		if SyntaxErrorOffset(doc) != -1 {
			t.Fatalf("SyntaxErrorOffset(%q) != -1 for a valid document", doc)
		}
		var all [][]Elem
		paths(v, nil, &all)
		for _, p := range all {
			s, e, ok := Find(doc, p)
			if !ok {
				t.Fatalf("Find(%q, %s) found nothing", doc, String(p))
			}
			var got any
			if err := json.Unmarshal(doc[s:e], &got); err != nil {
				t.Fatalf("Find(%q, %s) = %q, not a JSON value: %v", doc, String(p), doc[s:e], err)
			}
			if want := lookup(v, p); !reflect.DeepEqual(got, want) {
				t.Fatalf("Find(%q, %s) = %q, want the value %v", doc, String(p), doc[s:e], want)
			}
		}
	})
}

// hasDuplicateKeys reports whether an object of a valid document repeats a
// key (encoding/json keeps the last, Find the first).
func hasDuplicateKeys(doc []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(doc))
	type frame struct {
		obj  bool
		keys map[string]bool
		key  bool // the next string token is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch x := tok.(type) {
		case json.Delim:
			switch x {
			case '{':
				if top != nil && top.obj {
					top.key = true
				}
				stack = append(stack, &frame{obj: true, keys: map[string]bool{}, key: true})
			case '[':
				if top != nil && top.obj {
					top.key = true
				}
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if top != nil && top.obj && top.key {
				if top.keys[x] {
					return true
				}
				top.keys[x] = true
				top.key = false
				continue
			}
			if top != nil && top.obj {
				top.key = true
			}
		default:
			if top != nil && top.obj {
				top.key = true
			}
		}
	}
}
