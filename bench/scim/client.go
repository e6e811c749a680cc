package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// client sends SCIM requests as an identity provider does: plain HTTP/1.1
// with keep-alive and a bearer token.
type client struct {
	base  string // http://127.0.0.1:port/scim/v2
	token string
	hc    *http.Client
}

func newClient(serverBase, token string, conns int) *client {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute}
	return &client{base: serverBase + "/scim/v2", token: token, hc: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}
}

// do sends one request and reads the whole answer; a status other than want
// is an error.
func (c *client) do(ctx context.Context, method, path string, body []byte, want int) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/scim+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		if len(raw) > 300 {
			raw = raw[:300]
		}
		return nil, fmt.Errorf("%s %s = %d %s, want %d", method, path, resp.StatusCode, raw, want)
	}
	return raw, nil
}

// filterPath is a listing path with a filter and more query parameters.
func filterPath(resource, filter string, more ...string) string {
	v := url.Values{}
	v.Set("filter", filter)
	for i := 0; i+1 < len(more); i += 2 {
		v.Set(more[i], more[i+1])
	}
	return "/" + resource + "?" + v.Encode()
}

// listResponse is the part of a ListResponse the benchmark checks.
type listResponse struct {
	TotalResults int `json:"totalResults"`
	Resources    []struct {
		ID          string `json:"id"`
		UserName    string `json:"userName"`
		DisplayName string `json:"displayName"`
		Members     []struct {
			Value string `json:"value"`
		} `json:"members"`
	} `json:"Resources"`
	NextCursor string `json:"nextCursor"`
}

func decodeList(raw []byte) (*listResponse, error) {
	var l listResponse
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, fmt.Errorf("decoding a ListResponse: %w", err)
	}
	return &l, nil
}

// phase is the outcome of running n jobs on a number of clients.
type phase struct {
	name      string
	clients   int // concurrent clients, when the report shows them
	jobs      int // units of work (a group's PATCHes are one job)
	requests  int64
	elapsed   time.Duration
	latencies []time.Duration // one per request
	bytes     int64           // response bytes read
	truncated bool            // the time limit ended it before all jobs ran
	err       error           // the first failure, when it ended the phase
}

func (p *phase) rate() float64 { return float64(p.requests) / p.elapsed.Seconds() }

func (p *phase) percentile(q float64) time.Duration {
	if len(p.latencies) == 0 {
		return 0
	}
	i := int(q*float64(len(p.latencies))+0.5) - 1
	i = max(0, min(i, len(p.latencies)-1))
	return p.latencies[i]
}

// timer records the latency of each request of one phase.
type timer struct {
	mu   sync.Mutex
	lat  []time.Duration
	reqs atomic.Int64
	size atomic.Int64
}

// call runs one request and records its latency and response size.
func (t *timer) call(ctx context.Context, c *client, method, path string, body []byte, want int) ([]byte, error) {
	t0 := time.Now()
	raw, err := c.do(ctx, method, path, body, want)
	d := time.Since(t0)
	if err != nil {
		return nil, err
	}
	t.reqs.Add(1)
	t.size.Add(int64(len(raw)))
	t.mu.Lock()
	t.lat = append(t.lat, d)
	t.mu.Unlock()
	return raw, nil
}

// run runs job(0) … job(n-1) on `clients` goroutines, each taking the next
// job index in turn, and stops at the first error or when ctx ends. With a
// limit, it also stops after that long, without error: the phase is then
// truncated, and the requests cut short are not counted.
func run(ctx context.Context, name string, n, clients int, limit time.Duration, job func(ctx context.Context, t *timer, i int) error) (*phase, error) {
	parent := ctx
	if limit > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeout(ctx, limit)
		defer stop()
	}
	limited := ctx
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	t := &timer{lat: make([]time.Duration, 0, n)}
	var next atomic.Int64
	var wg sync.WaitGroup
	t0 := time.Now()
	for range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := job(ctx, t, i); err != nil {
					if limited.Err() != nil && parent.Err() == nil {
						return // the time limit
					}
					cancel(fmt.Errorf("%s: job %d: %w", name, i, err))
					return
				}
			}
		})
	}
	wg.Wait()
	p := &phase{name: name, jobs: n, requests: t.reqs.Load(), elapsed: time.Since(t0), latencies: t.lat, bytes: t.size.Load()}
	slices.Sort(p.latencies)
	if limited.Err() != nil && parent.Err() == nil {
		p.truncated = true
		return p, nil
	}
	if err := context.Cause(ctx); err != nil {
		return p, err
	}
	return p, nil
}
