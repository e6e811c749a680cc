package policy

import (
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// parseNumber parses an integer or decimal number, as Numeric operators
// compare them
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric).
// Exponents, hexadecimal, infinities and NaN are refused.
func parseNumber(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	i := 0
	if s[0] == '-' || s[0] == '+' {
		i++
	}
	digits, dot := 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// instant is a point in time with nanosecond precision.
type instant struct {
	sec  int64
	nsec int64
}

func (a instant) compare(b instant) int {
	switch {
	case a.sec < b.sec:
		return -1
	case a.sec > b.sec:
		return 1
	case a.nsec < b.nsec:
		return -1
	case a.nsec > b.nsec:
		return 1
	}
	return 0
}

// parseDate parses a date as Date operators read it: epoch seconds
// (aws:EpochTime), or the W3C profile of ISO 8601 (YYYY, YYYY-MM,
// YYYY-MM-DD, and YYYY-MM-DDThh:mm[:ss[.s…]] with Z or ±hh:mm; a time
// without a zone is UTC). Either side of a comparison may use either form;
// they are compared as instants.
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date)
func parseDate(s string) (instant, bool) {
	if s == "" {
		return instant{}, false
	}
	if isEpoch(s) {
		whole, frac, _ := strings.Cut(s, ".")
		sec, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return instant{}, false
		}
		var nsec int64
		for i := 0; i < 9; i++ {
			nsec *= 10
			if i < len(frac) {
				nsec += int64(frac[i] - '0')
			}
		}
		if sec < 0 && nsec > 0 {
			sec, nsec = sec-1, 1e9-nsec
		}
		return instant{sec, nsec}, true
	}
	var p dateParser
	p.s = s
	year, ok := p.digits(4)
	if !ok {
		return instant{}, false
	}
	month, day := 1, 1
	var hour, min, sec, nsec, offset int
	if p.eat('-') {
		if month, ok = p.digits(2); !ok {
			return instant{}, false
		}
		if p.eat('-') {
			if day, ok = p.digits(2); !ok {
				return instant{}, false
			}
			if p.eat('T') || p.eat('t') {
				if hour, ok = p.digits(2); !ok || !p.eat(':') {
					return instant{}, false
				}
				if min, ok = p.digits(2); !ok {
					return instant{}, false
				}
				if p.eat(':') {
					if sec, ok = p.digits(2); !ok {
						return instant{}, false
					}
					if p.eat('.') {
						n := 0
						for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
							if n < 9 {
								nsec = nsec*10 + int(p.s[p.i]-'0')
							}
							n++
							p.i++
						}
						if n == 0 {
							return instant{}, false
						}
						for ; n < 9; n++ {
							nsec *= 10
						}
					}
				}
				switch {
				case p.eat('Z') || p.eat('z'):
				case p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-'):
					sign := 1
					if p.s[p.i] == '-' {
						sign = -1
					}
					p.i++
					oh, ok1 := p.digits(2)
					p.eat(':')
					om, ok2 := p.digits(2)
					if !ok1 || !ok2 || oh > 23 || om > 59 {
						return instant{}, false
					}
					offset = sign * (oh*3600 + om*60)
				}
			}
		}
	}
	if p.i != len(p.s) || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60 {
		return instant{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, nsec, time.UTC)
	if t.Day() != day && sec != 60 {
		return instant{}, false // 2023-02-30
	}
	return instant{t.Unix() - int64(offset), int64(nsec)}, true
}

func isEpoch(s string) bool {
	i := 0
	if s[0] == '-' {
		i++
	}
	digits, dot := 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			if !dot {
				digits++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	// A bare four-digit number is a year in ISO 8601.
	return digits > 0 && !(digits == 4 && !dot && s[0] != '-')
}

type dateParser struct {
	s string
	i int
}

func (p *dateParser) digits(n int) (int, bool) {
	if p.i+n > len(p.s) {
		return 0, false
	}
	v := 0
	for j := 0; j < n; j++ {
		c := p.s[p.i+j]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	return v, true
}

func (p *dateParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// parseBool reads "true" or "false", in any case.
func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// parseCIDR reads an IPv4 or IPv6 range for IpAddress. Host bits after the
// mask are ignored (203.0.113.5/24 is 203.0.113.0/24); a bare address is a
// /32 or /128.
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress)
func parseCIDR(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') < 0 {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, false
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), true
}

// parseIP reads a request's address.
func parseIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}

// decodeBase64 reads a BinaryEquals value, padded or not.
func decodeBase64(s string) ([]byte, bool) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, true
	}
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, true
	}
	return nil, false
}
