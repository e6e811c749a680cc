package harness

import (
	"fmt"
	"slices"
	"time"
)

// Row is one line of a results table: a call, the server it went to, the
// number of clients, and what Measure returned.
type Row struct {
	Call, Target string
	Clients      int
	R            Result
}

// PrintRows prints rows as a Markdown table, then the first error of each
// row that had any.
func PrintRows(rows []Row) {
	fmt.Println("| call | clients | server | calls | ops/s | p50 ms | p99 ms | errors |")
	fmt.Println("|---|---:|---|---:|---:|---:|---:|---:|")
	for _, x := range rows {
		note := ""
		if x.R.Cut {
			note = " (time limit)"
		}
		fmt.Printf("| %s | %d | %s | %d%s | %.0f | %.2f | %.2f | %d |\n", x.Call, x.Clients, x.Target, x.R.Ops, note,
			x.R.OpsPerSec(), Millis(x.R.P50), Millis(x.R.P99), x.R.Errs)
	}
	fmt.Println()
	for _, x := range rows {
		if x.R.FirstErr != nil {
			fmt.Printf("first error of %s on %s (%d clients): %v\n", x.Call, x.Target, x.Clients, x.R.FirstErr)
		}
	}
}

// PrintRatios prints, for each row not of the server against, its ops/s
// divided by those of against's row of the same call and clients.
func PrintRatios(rows []Row, against string) {
	fmt.Printf("Atrium ops/s ÷ %s ops/s:\n\n", against)
	fmt.Printf("| call | clients | server | × %s |\n|---|---:|---|---:|\n", against)
	for _, x := range rows {
		if x.Target == against {
			continue
		}
		i := slices.IndexFunc(rows, func(m Row) bool { return m.Target == against && m.Call == x.Call && m.Clients == x.Clients })
		if i < 0 || rows[i].R.OpsPerSec() == 0 {
			continue
		}
		fmt.Printf("| %s | %d | %s | %.1f |\n", x.Call, x.Clients, x.Target, x.R.OpsPerSec()/rows[i].R.OpsPerSec())
	}
	fmt.Println()
}

// Millis is d in milliseconds.
func Millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
