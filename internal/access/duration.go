package access

import (
	"errors"
	"math"
	"strconv"
	"time"
)

// Session duration bounds of a permission set.
const (
	MinSessionDuration = time.Hour
	MaxSessionDuration = 12 * time.Hour
)

var errDuration = errors.New("not an ISO-8601 duration")

// ParseDuration parses an ISO-8601 duration of the form sso-admin's
// Duration shape allows: P[nW|nD]T[nH][nM][n[.n]S] ("PT8H", "PT90M",
// "PT1H30M", "P0DT2H"). Years and months have no fixed length and are
// refused, as is a negative duration.
func ParseDuration(s string) (time.Duration, error) {
	if len(s) < 3 || len(s) > 100 || s[0] != 'P' {
		return 0, errDuration
	}
	i := 1
	var total float64
	inTime := false
	last := byte(0) // the unit of the previous component, for ordering
	order := map[byte]int{'W': 1, 'D': 2, 'H': 3, 'm': 4, 'S': 5}
	components := 0
	for i < len(s) {
		if s[i] == 'T' {
			if inTime || i == len(s)-1 {
				return 0, errDuration
			}
			inTime = true
			i++
			continue
		}
		j := i
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
			j++
		}
		if j == i || j == len(s) {
			return 0, errDuration
		}
		num := s[i:j]
		unit := s[j]
		if unit == 'M' && inTime {
			unit = 'm' // minutes
		}
		fractional := false
		for k := 0; k < len(num); k++ {
			if num[k] == '.' {
				fractional = true
			}
		}
		if fractional && unit != 'S' || num[0] == '.' || num[len(num)-1] == '.' {
			return 0, errDuration
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return 0, errDuration
		}
		var d time.Duration
		switch unit {
		case 'W':
			d = 7 * 24 * time.Hour
		case 'D':
			d = 24 * time.Hour
		case 'H':
			d = time.Hour
		case 'm':
			d = time.Minute
		case 'S':
			d = time.Second
		default: // Y, M (months) and anything else
			return 0, errDuration
		}
		if (unit == 'W' || unit == 'D') == inTime {
			return 0, errDuration
		}
		if order[unit] <= order[last] || unit == 'D' && last == 'W' {
			return 0, errDuration
		}
		last = unit
		total += v * float64(d)
		if total > math.MaxInt64/2 {
			return 0, errDuration
		}
		components++
		i = j + 1
	}
	if components == 0 {
		return 0, errDuration
	}
	return time.Duration(total), nil
}

// SessionDuration parses a permission set's session duration and checks
// that it lies between MinSessionDuration and MaxSessionDuration.
func SessionDuration(s string) (time.Duration, error) {
	d, err := ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d < MinSessionDuration || d > MaxSessionDuration {
		return d, errors.New("the session duration must be between 1 hour (PT1H) and 12 hours (PT12H)")
	}
	return d, nil
}
