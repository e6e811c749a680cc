package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// unescape shows a query string as a person reads it.
func unescape(q string) string {
	if s, err := url.QueryUnescape(q); err == nil {
		return s
	}
	return q
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
}

func mib(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func (r *result) print(w io.Writer, o *options) {
	name := map[string]string{"sqlite": "SQLite", "postgres": "PostgreSQL"}[r.engine]
	fmt.Fprintf(w, "### %s\n\n", name)
	if r.analyzed {
		fmt.Fprintf(w, "The server runs with autovacuum off; this run ANALYZEd its database every %s, as autovacuum would.\n\n", o.analyzeEvery)
	}
	if len(r.provision) > 0 {
		fmt.Fprintf(w, "| provisioning phase | requests | time | requests/s | p50 | p99 |\n|---|---:|---:|---:|---:|---:|\n")
		var total time.Duration
		var reqs int64
		for _, p := range r.provision {
			total += p.elapsed
			reqs += p.requests
			fmt.Fprintf(w, "| %s | %d | %s | %.0f | %s | %s |\n", p.name, p.requests, ms(p.elapsed), p.rate(), ms(p.percentile(0.50)), ms(p.percentile(0.99)))
		}
		fmt.Fprintf(w, "| **total** | %d | **%s** | %.0f | | |\n\n", reqs, ms(total), float64(reqs)/total.Seconds())
		if o.users == 100000 && o.groups == 10000 && o.memberships == 500000 && r.engine == "sqlite" {
			fmt.Fprintf(w, "Target ≤ 120 s on SQLite: %s.\n\n", verdict(total <= 120*time.Second))
		}
	}
	if len(r.lookups) > 0 {
		fmt.Fprintf(w, "| lookup at that size | clients | requests | requests/s | p50 | p99 | max |\n|---|---:|---:|---:|---:|---:|---:|\n")
		for _, p := range r.lookups {
			done := strconv.FormatInt(p.requests, 10)
			switch {
			case p.err != nil:
				done = fmt.Sprintf("%d of %d, then failed: %v", p.requests, p.jobs, p.err)
			case p.truncated:
				done = fmt.Sprintf("%d of %d (time limit %s)", p.requests, p.jobs, o.lookupLimit)
			}
			if len(p.latencies) == 0 {
				fmt.Fprintf(w, "| `%s` | %d | %s | | | | |\n", p.name, p.clients, done)
				continue
			}
			p99 := ms(p.percentile(0.99))
			if strings.HasPrefix(p.name, "GET /Users?filter=userName") {
				p99 = fmt.Sprintf("%s (target ≤ 5 ms: %s)", p99, verdict(p.percentile(0.99) <= 5*time.Millisecond))
			}
			fmt.Fprintf(w, "| `%s` | %d | %s | %.0f | %s | %s | %s |\n", p.name, p.clients, done, p.rate(), ms(p.percentile(0.50)), p99, ms(p.latencies[len(p.latencies)-1]))
		}
		fmt.Fprintln(w)
	}
	if r.diffSetup != nil {
		fmt.Fprintf(w, "Membership diff directory (%d users, each in all %d groups, beside the load above), provisioned the same way: %d requests in %s.\n\n",
			o.diff, o.diff, r.diffSetup.requests, ms(r.diffSetup.elapsed))
	}
	if len(r.diff) > 0 {
		fmt.Fprintf(w, "| full membership diff (one client, %d runs) | requests per diff | response bytes | median | max |\n|---|---:|---:|---:|---:|\n", o.repeat)
		for _, d := range r.diff {
			p := d.phase
			if len(p.latencies) == 0 {
				continue
			}
			fmt.Fprintf(w, "| %s | %d | %d | %s | %s |\n", d.label, p.requests/int64(len(p.latencies)), p.bytes/int64(len(p.latencies)),
				ms(p.percentile(0.5)), ms(p.latencies[len(p.latencies)-1]))
		}
		fmt.Fprintln(w)
		for _, d := range r.diff {
			fmt.Fprintf(w, "- %s: %s\n", d.label, d.summary)
			for _, q := range d.requests {
				fmt.Fprintf(w, "  - `%s`\n", q)
			}
		}
		fmt.Fprintln(w)
	}
	if r.coldStart > 0 {
		fmt.Fprintf(w, "| server | value |\n|---|---:|\n")
		fmt.Fprintf(w, "| first start, empty store, to /healthz 200 | %s |\n", ms(r.firstStart))
		fmt.Fprintf(w, "| VmRSS / VmHWM after provisioning | %s / %s |\n", mib(r.afterLoad.rss), mib(r.afterLoad.hwm))
		fmt.Fprintf(w, "| VmRSS / VmHWM after the lookups and diffs | %s / %s |\n", mib(r.afterQueries.rss), mib(r.afterQueries.hwm))
		fmt.Fprintf(w, "| SIGTERM to exit | %s |\n", ms(r.stopTime))
		fmt.Fprintf(w, "| store size on disk | %s |\n", mib(r.storeBytes))
		fmt.Fprintf(w, "| cold start on the loaded store, to /healthz 200 | %s |\n", ms(r.coldStart))
		fmt.Fprintf(w, "| first `userName eq` lookup after it | %s |\n", ms(r.firstLookup))
		fmt.Fprintf(w, "| VmRSS / VmHWM after cold start and that lookup | %s / %s |\n\n", mib(r.afterRestart.rss), mib(r.afterRestart.hwm))
	}
}
