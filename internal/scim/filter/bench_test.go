package filter

import "testing"

// Entra ID looks every user up by userName before provisioning it.
const benchEntra = `userName eq "dale.mohr@romaguera.uk"`

const benchComplex = `userType eq "Employee" and (emails co "example.com" or emails.value co "example.org") and emails[type eq "work"].value ew "@example.com"`

func BenchmarkParse(b *testing.B) {
	for _, bm := range []struct{ name, filter string }{{"entra", benchEntra}, {"complex", benchComplex}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(bm.filter); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMatch(b *testing.B) {
	r := samples(b)["bjensen"]
	for _, bm := range []struct{ name, filter string }{{"entra", benchEntra}, {"complex", benchComplex}} {
		b.Run(bm.name, func(b *testing.B) {
			e, err := Parse(bm.filter)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				Match(e, r, rfcCaseExact)
			}
		})
	}
}
