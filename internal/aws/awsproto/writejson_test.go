package awsproto_test

import (
	"encoding/json"
	"math"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/aws/awsproto"
)

// quirky is a response with what encoders tend to disagree on.
type quirky struct {
	Embedded
	HTML      string            `json:"Html"`
	BadUTF8   string            `json:"BadUtf8"`
	LineSep   string            `json:"LineSep"`
	Control   string            `json:"Control"`
	Raw       json.RawMessage   `json:"Raw"`
	NilRaw    json.RawMessage   `json:"NilRaw,omitempty"`
	Time      awsproto.Time     `json:"Time"`
	TimeMs    *awsproto.Time    `json:"TimeMs,omitempty"`
	NoTime    *awsproto.Time    `json:"NoTime,omitempty"`
	Map       map[string]any    `json:"Map"`
	NilSlice  []string          `json:"NilSlice"`
	Empty     []string          `json:"Empty,omitempty"`
	Floats    []float64         `json:"Floats"`
	Number    json.Number       `json:"Number"`
	Bytes     []byte            `json:"Bytes"`
	Ptr       *int              `json:"Ptr"`
	Omitted   string            `json:"Omitted,omitempty"`
	Dash      string            `json:"-"`
	Strings   map[string]string `json:"Strings,omitempty"`
	Interface any               `json:"Interface"`
}

type Embedded struct {
	Inner string `json:"Inner"`
}

func TestWriteJSONMatchesTheStandardEncoder(t *testing.T) {
	// WriteJSON's encoder must write byte for byte what encoding/json
	// writes: clients parse it, and tests compare it.
	seven := 7
	at := time.Date(2026, 11, 29, 4, 5, 6, 0, time.UTC)
	values := []any{
		quirky{
			Embedded:  Embedded{Inner: "in"},
			HTML:      `<script>alert("x&y")</script>`,
			BadUTF8:   "a\xffb\xc3",
			LineSep:   "a\u2028b\u2029c",
			Control:   "tab\tnl\nnul\x00bell\x07",
			Raw:       json.RawMessage(`{ "spaced" : [1, 2] , "h":"<&>" }`),
			Time:      awsproto.Time(at),
			TimeMs:    awsproto.TimePtr(at.Add(1500 * time.Millisecond)),
			Map:       map[string]any{"b": 1, "a": []any{nil, true, 1.5}, "<k>": "v"},
			Floats:    []float64{0, -0.0, 1e21, 1e-7, 123456789.125, math.MaxFloat64, 5e-324},
			Number:    json.Number("12345678901234567890"),
			Bytes:     []byte{0, 1, 2, 250},
			Ptr:       &seven,
			Dash:      "hidden",
			Strings:   map[string]string{"z": "1", "y": "2"},
			Interface: map[string]any{"nested": []string{"x"}},
		},
		map[string]any{},
		[]int{},
		nil,
		struct{}{},
	}
	for i, v := range values {
		rec := httptest.NewRecorder()
		awsproto.WriteJSON(rec, 200, v)
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(value %d) = %v", i, err)
		}
		if v == nil {
			want = []byte("{}")
		}
		if got := rec.Body.String(); got != string(want) {
			t.Errorf("WriteJSON(value %d) =\n%s\nwant (encoding/json)\n%s", i, got, want)
		}
	}
}
