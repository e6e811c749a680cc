package main

import (
	"encoding/json"
	"fmt"
)

// Schema URNs, as identity providers send them.
const (
	userSchema  = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
	patchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// directory is the synthetic directory an identity provider provisions:
// users, groups and the members of each group, all derived from indexes so
// that any client can rebuild any request.
type directory struct {
	prefix string // distinguishes two directories in one store
	users  int
	groups int
	sizes  []int // members of each group
	stride int   // step through the users; coprime with users
}

// newDirectory spreads memberships over groups as real directories do: the
// largest 1% of the groups (at least one) hold a fifth of the memberships
// (all-staff and department groups), the rest share the others evenly.
func newDirectory(prefix string, users, groups, memberships int) (*directory, error) {
	if users < 1 || groups < 1 || memberships < 0 {
		return nil, fmt.Errorf("need at least one user and one group")
	}
	if memberships > users*groups {
		return nil, fmt.Errorf("%d memberships do not fit in %d users × %d groups", memberships, users, groups)
	}
	d := &directory{prefix: prefix, users: users, groups: groups, sizes: make([]int, groups)}
	large := max(1, groups/100)
	if large == groups {
		large = 0
	}
	rest := memberships
	if large > 0 {
		each := min(users, memberships/5/large)
		for g := range large {
			d.sizes[g] = each
			rest -= each
		}
	}
	small := groups - large
	for g := large; g < groups; g++ {
		n := rest / small
		if g-large < rest%small {
			n++
		}
		if n > users {
			return nil, fmt.Errorf("%d memberships over %d groups give some group more members than the %d users", memberships, groups, users)
		}
		d.sizes[g] = n
	}
	d.stride = 7919
	for gcd(d.stride, users) != 1 {
		d.stride++
	}
	return d, nil
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// member returns the user index of the j-th member of group g: distinct
// for distinct j < users, since stride and users are coprime.
func (d *directory) member(g, j int) int {
	return (g*104729 + j*d.stride) % d.users
}

func (d *directory) userName(i int) string { return fmt.Sprintf("%suser%07d@example.com", d.prefix, i) }
func (d *directory) externalID(i int) string {
	return fmt.Sprintf("%s%08x-5c1d-4e2a-9b7f-%012x", d.prefix, i, i*2654435761)
}
func (d *directory) groupName(g int) string { return fmt.Sprintf("%sgroup-%06d", d.prefix, g) }

// userBody is POST /Users as Okta and Entra ID send it.
func (d *directory) userBody(i int) []byte {
	given, family := fmt.Sprintf("Given%d", i), fmt.Sprintf("Family%d", i)
	b, _ := json.Marshal(map[string]any{
		"schemas":     []string{userSchema},
		"userName":    d.userName(i),
		"externalId":  d.externalID(i),
		"active":      true,
		"displayName": given + " " + family,
		"name":        map[string]any{"givenName": given, "familyName": family, "formatted": given + " " + family},
		"emails":      []any{map[string]any{"primary": true, "type": "work", "value": d.userName(i)}},
	})
	return b
}

// groupBody is POST /Groups: a name and no members, which come by PATCH.
func (d *directory) groupBody(g int) []byte {
	b, _ := json.Marshal(map[string]any{"schemas": []string{groupSchema}, "displayName": d.groupName(g), "members": []any{}})
	return b
}

// addMembers is a PATCH that adds the given user ids.
func addMembers(ids []string) []byte {
	value := make([]any, len(ids))
	for i, id := range ids {
		value[i] = map[string]string{"value": id}
	}
	b, _ := json.Marshal(map[string]any{
		"schemas":    []string{patchSchema},
		"Operations": []any{map[string]any{"op": "add", "path": "members", "value": value}},
	})
	return b
}

// memberships counts the memberships of the directory.
func (d *directory) memberships() int {
	n := 0
	for _, s := range d.sizes {
		n += s
	}
	return n
}

// patches counts the PATCH requests that add every member in batches.
func (d *directory) patches(batch int) int {
	n := 0
	for _, s := range d.sizes {
		n += (s + batch - 1) / batch
	}
	return n
}
