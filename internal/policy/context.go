package policy

import (
	"slices"
	"strings"
)

// Context holds the condition keys of a request
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html#AccessPolicyLanguage_RequestContext).
// Key names are case-insensitive, including the tag-key part of
// aws:PrincipalTag/key: they are lowercased once, when set, so that
// evaluation looks them up without allocating.
//
// A key is absent, present with one or more values, or present with no
// value (an empty set, e.g. aws:TagKeys of a request that passes no tags).
// The zero Context and a nil *Context hold no key.
type Context struct {
	vals map[string][]string
	keys map[string]string // lowercased → as first set, for reports
}

// NewContext returns an empty context.
func NewContext() *Context { return &Context{} }

// Set sets key to values. Set(key) with no values makes key present with
// an empty set. The context keeps values; the caller must not change them
// afterwards.
func (c *Context) Set(key string, values ...string) *Context {
	if c.vals == nil {
		c.vals = make(map[string][]string)
		c.keys = make(map[string]string)
	}
	if values == nil {
		values = []string{}
	}
	lk := strings.ToLower(key)
	c.vals[lk] = values
	if _, ok := c.keys[lk]; !ok {
		c.keys[lk] = key
	}
	return c
}

// Delete makes key absent.
func (c *Context) Delete(key string) {
	if c == nil || c.vals == nil {
		return
	}
	lk := strings.ToLower(key)
	delete(c.vals, lk)
	delete(c.keys, lk)
}

// Get returns the values of key and whether it is present.
func (c *Context) Get(key string) ([]string, bool) {
	return c.lookup(strings.ToLower(key))
}

// Keys returns the keys that are present, as first set, sorted.
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	out := make([]string, 0, len(c.keys))
	for _, k := range c.keys {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// lookup is Get for a key that is already lowercased.
func (c *Context) lookup(lower string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	v, ok := c.vals[lower]
	return v, ok
}
