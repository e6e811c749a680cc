package service

import (
	"encoding/base64"
	"strings"

	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/store"
)

// PageRequest is what a caller asks of a listing.
type PageRequest struct {
	MaxResults int    // 0: the operation's default
	NextToken  string // "" for the first page
}

const tokenPrefix = "v1."

// page decodes a request into a store page that fetches one extra row, so
// that the listing knows whether another page follows.
func (o op) page(p PageRequest, def, max int) (store.Page, int, error) {
	n := p.MaxResults
	if n == 0 {
		n = def
	}
	if n < 1 || n > max {
		return store.Page{}, 0, errs.Errorf(errs.Invalid, o.String(), "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to %d", p.MaxResults, max)
	}
	after := ""
	if p.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(p.NextToken)
		if err != nil || !strings.HasPrefix(string(b), tokenPrefix) {
			return store.Page{}, 0, errs.E(errs.Invalid, o.String(), "The NextToken is not valid.")
		}
		after = strings.TrimPrefix(string(b), tokenPrefix)
	}
	return store.Page{After: after, Limit: n + 1}, n, nil
}

// nextToken returns the token of the page after items (trimmed to n), or "".
func nextToken[T any](items []T, n int, key func(T) string) ([]T, string) {
	if len(items) <= n {
		return items, ""
	}
	items = items[:n]
	return items, base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + key(items[n-1])))
}
