package storetest

import (
	"bytes"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
)

var (
	timeType  = reflect.TypeFor[time.Time]()
	bytesKind = reflect.TypeFor[[]byte]().Elem().Kind()
)

// diff describes how got differs from want, field by field, or returns ""
// when they are equal. Times are equal when they are the same instant in the
// same location; a nil slice or map equals an empty one.
func diff(got, want any) string {
	var out []string
	walk("", reflect.ValueOf(got), reflect.ValueOf(want), &out)
	if len(out) > 8 {
		out = append(out[:8], "…")
	}
	return strings.Join(out, "\n")
}

func show(v reflect.Value) string {
	if !v.IsValid() {
		return "<nil>"
	}
	switch {
	case v.Type() == timeType:
		return v.Interface().(time.Time).Format(time.RFC3339Nano)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == bytesKind:
		return fmt.Sprintf("%q", v.Bytes())
	case v.Kind() == reflect.Pointer && !v.IsNil():
		return "&" + show(v.Elem())
	}
	return fmt.Sprintf("%#v", v.Interface())
}

func walk(path string, got, want reflect.Value, out *[]string) {
	mismatch := func() { *out = append(*out, fmt.Sprintf("%s: got %s, want %s", orRoot(path), show(got), show(want))) }
	if !got.IsValid() || !want.IsValid() {
		if got.IsValid() != want.IsValid() {
			mismatch()
		}
		return
	}
	if got.Type() != want.Type() {
		mismatch()
		return
	}
	if got.Type() == timeType {
		g, w := got.Interface().(time.Time), want.Interface().(time.Time)
		if !g.Equal(w) || g.Location().String() != w.Location().String() {
			mismatch()
		}
		return
	}
	switch got.Kind() {
	case reflect.Pointer, reflect.Interface:
		if got.IsNil() || want.IsNil() {
			if got.IsNil() != want.IsNil() {
				mismatch()
			}
			return
		}
		walk(path, got.Elem(), want.Elem(), out)
	case reflect.Struct:
		for i := range got.NumField() {
			if !got.Type().Field(i).IsExported() {
				continue
			}
			walk(path+"."+got.Type().Field(i).Name, got.Field(i), want.Field(i), out)
		}
	case reflect.Slice, reflect.Array:
		if got.Kind() == reflect.Slice && got.Type().Elem().Kind() == bytesKind {
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				mismatch()
			}
			return
		}
		if got.Len() != want.Len() {
			mismatch()
			return
		}
		for i := range got.Len() {
			walk(fmt.Sprintf("%s[%d]", path, i), got.Index(i), want.Index(i), out)
		}
	case reflect.Map:
		keys := map[string]reflect.Value{}
		for _, k := range append(got.MapKeys(), want.MapKeys()...) {
			keys[fmt.Sprint(k.Interface())] = k
		}
		names := make([]string, 0, len(keys))
		for n := range keys {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			walk(fmt.Sprintf("%s[%s]", path, n), got.MapIndex(keys[n]), want.MapIndex(keys[n]), out)
		}
	default:
		if !reflect.DeepEqual(got.Interface(), want.Interface()) {
			mismatch()
		}
	}
}

func orRoot(path string) string {
	if path == "" {
		return "value"
	}
	return strings.TrimPrefix(path, ".")
}
