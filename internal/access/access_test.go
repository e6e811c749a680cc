package access

import (
	"strings"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/errs"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Duration
		ok   bool
	}{
		{name: "hours", in: "PT8H", want: 8 * time.Hour, ok: true},
		{name: "one hour", in: "PT1H", want: time.Hour, ok: true},
		{name: "minutes", in: "PT90M", want: 90 * time.Minute, ok: true},
		{name: "hours and minutes", in: "PT1H30M", want: 90 * time.Minute, ok: true},
		{name: "seconds", in: "PT3600S", want: time.Hour, ok: true},
		{name: "fractional seconds", in: "PT1.5S", want: 1500 * time.Millisecond, ok: true},
		{name: "all time parts", in: "PT1H2M3S", want: time.Hour + 2*time.Minute + 3*time.Second, ok: true},
		{name: "zero days and hours", in: "P0DT2H", want: 2 * time.Hour, ok: true},
		{name: "a day", in: "P1D", want: 24 * time.Hour, ok: true},
		{name: "a week", in: "P1W", want: 7 * 24 * time.Hour, ok: true},
		{name: "years", in: "P1Y"},
		{name: "months", in: "P1M"},
		{name: "minutes without T", in: "P30M"},
		{name: "hours without T", in: "P8H"},
		{name: "empty", in: ""},
		{name: "only P", in: "P"},
		{name: "only PT", in: "PT"},
		{name: "T without parts", in: "P1DT"},
		{name: "lowercase", in: "pt1h"},
		{name: "negative", in: "-PT1H"},
		{name: "units out of order", in: "PT30M1H"},
		{name: "a unit twice", in: "PT1H1H"},
		{name: "days in the time part", in: "PT1D"},
		{name: "weeks and days", in: "P1W1D"},
		{name: "fractional hours", in: "PT1.5H"},
		{name: "missing number", in: "PTH"},
		{name: "trailing number", in: "PT1"},
		{name: "a dot alone", in: "PT.S"},
		{name: "space", in: "PT1H "},
		{name: "words", in: "8 hours"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDuration(tc.in)
			if tc.ok && (err != nil || got != tc.want) {
				t.Errorf("ParseDuration(%q) = %v, %v, want %v", tc.in, got, err, tc.want)
			}
			if !tc.ok && err == nil {
				t.Errorf("ParseDuration(%q) = %v, want an error", tc.in, got)
			}
		})
	}
}

func TestSessionDuration(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{name: "minimum", in: "PT1H", ok: true},
		{name: "maximum", in: "PT12H", ok: true},
		{name: "minutes at the maximum", in: "PT720M", ok: true},
		{name: "below", in: "PT59M"},
		{name: "above", in: "PT12H1S"},
		{name: "a day", in: "P1D"},
		{name: "not a duration", in: "1h"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SessionDuration(tc.in)
			if (err == nil) != tc.ok {
				t.Errorf("SessionDuration(%q) = %v, want ok %v", tc.in, err, tc.ok)
			}
			verr := ValidateSessionDuration("op", tc.in)
			if (verr == nil) != tc.ok || verr != nil && errs.KindOf(verr) != errs.Invalid {
				t.Errorf("ValidateSessionDuration(%q) = %v, want ok %v or invalid", tc.in, verr, tc.ok)
			}
		})
	}
	if err := ValidateSessionDuration("op", ""); err != nil {
		t.Errorf("ValidateSessionDuration(\"\") = %v, want nil (the default)", err)
	}
}

func TestOperationStateMachine(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name       string
		steps      func(o *Operation) error
		wantStatus Status
		wantErr    bool
	}{
		{name: "succeed", steps: func(o *Operation) error { return o.Succeed(now) }, wantStatus: Succeeded},
		{name: "fail", steps: func(o *Operation) error { return o.Fail("no such user", now) }, wantStatus: Failed},
		{name: "fail without a reason", steps: func(o *Operation) error { return o.Fail("", now) }, wantStatus: InProgress, wantErr: true},
		{name: "succeed twice", steps: func(o *Operation) error {
			if err := o.Succeed(now); err != nil {
				return err
			}
			return o.Succeed(now)
		}, wantStatus: Succeeded, wantErr: true},
		{name: "fail after success", steps: func(o *Operation) error {
			if err := o.Succeed(now); err != nil {
				return err
			}
			return o.Fail("late", now)
		}, wantStatus: Succeeded, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := NewOperation(CreateAssignment, "ssoins-1", "r-1", now.Add(-time.Second))
			if o.Status != InProgress || !o.CompletedAt.IsZero() {
				t.Fatalf("NewOperation = %+v, want IN_PROGRESS and not completed", o)
			}
			err := tc.steps(o)
			if (err != nil) != tc.wantErr || o.Status != tc.wantStatus {
				t.Errorf("after %s: status %s, error %v; want %s, error %v", tc.name, o.Status, err, tc.wantStatus, tc.wantErr)
			}
			if o.Status != InProgress && !o.CompletedAt.Equal(now) {
				t.Errorf("CompletedAt = %v, want %v", o.CompletedAt, now)
			}
		})
	}
}

func TestOperationKeyOrder(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	keys := []string{
		OperationKey(t0, "b"),
		OperationKey(t0, "c"),
		OperationKey(t0.Add(time.Microsecond), "a"),
		OperationKey(t0.Add(time.Hour*24*365*30), "a"),
	}
	for i := 1; i < len(keys); i++ {
		if keys[i-1] >= keys[i] {
			t.Errorf("OperationKey order: %q >= %q", keys[i-1], keys[i])
		}
	}
}

func TestProvisioningStatus(t *testing.T) {
	tests := []struct {
		name            string
		version, latest int64
		want            string
	}{
		{name: "latest", version: 3, latest: 3, want: Provisioned},
		{name: "older", version: 2, latest: 3, want: NotProvisioned},
		{name: "newer than known", version: 4, latest: 3, want: Provisioned},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ProvisioningStatus(tc.version, tc.latest); got != tc.want {
				t.Errorf("ProvisioningStatus(%d, %d) = %s, want %s", tc.version, tc.latest, got, tc.want)
			}
		})
	}
	if v, ok := EffectiveVersion(nil); ok || v != 0 {
		t.Errorf("EffectiveVersion(nil) = %d, %v, want 0, false", v, ok)
	}
	if v, ok := EffectiveVersion([]Provision{{Version: 2}, {Version: 5}, {Version: 1}}); !ok || v != 5 {
		t.Errorf("EffectiveVersion = %d, %v, want 5, true (the newest of the account and its OUs)", v, ok)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		err  error
		ok   bool
	}{
		{name: "name", err: ValidateName("op", "Admin.Team-1@x=y,z+w_v"), ok: true},
		{name: "name too long", err: ValidateName("op", strings.Repeat("a", 33))},
		{name: "name empty", err: ValidateName("op", "")},
		{name: "name with a slash", err: ValidateName("op", "a/b")},
		{name: "description", err: ValidateDescription("op", "Ünïcode in Latin-1 is fine"), ok: true},
		{name: "description beyond Latin-1", err: ValidateDescription("op", "✓")},
		{name: "description too long", err: ValidateDescription("op", strings.Repeat("d", 701))},
		{name: "relay state", err: ValidateRelayState("op", "https://console.aws.amazon.com/s3/home?region=us-east-1#"), ok: true},
		{name: "relay state too long", err: ValidateRelayState("op", strings.Repeat("r", 241))},
		{name: "principal", err: ValidatePrincipal("op", PrincipalUser, "906722b2be-2e5b9e5f-1f4e-4a2e-9b8c-0123456789ab"), ok: true},
		{name: "principal without prefix", err: ValidatePrincipal("op", PrincipalGroup, "2e5b9e5f-1f4e-4a2e-9b8c-0123456789ab"), ok: true},
		{name: "principal type", err: ValidatePrincipal("op", "ROLE", "2e5b9e5f-1f4e-4a2e-9b8c-0123456789ab")},
		{name: "principal id", err: ValidatePrincipal("op", PrincipalUser, "alice")},
		{name: "account target", err: ValidateTarget("op", TargetAccount, "111122223333"), ok: true},
		{name: "short account", err: ValidateTarget("op", TargetAccount, "11112222333")},
		{name: "OU target", err: ValidateTarget("op", TargetOrganizationalUnit, "ou-ab12-cdef5678"), ok: true},
		{name: "root target", err: ValidateTarget("op", TargetOrganizationalUnit, "r-ab12"), ok: true},
		{name: "account as OU", err: ValidateTarget("op", TargetOrganizationalUnit, "111122223333")},
		{name: "unknown target type", err: ValidateTarget("op", "REGION", "us-east-1")},
		{name: "tags", err: ValidateTags("op", []Tag{{Key: "team", Value: ""}, {Key: "cost center", Value: "a/b:c=d+e-f@g"}}), ok: true},
		{name: "duplicate tag", err: ValidateTags("op", []Tag{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}})},
		{name: "reserved tag", err: ValidateTags("op", []Tag{{Key: "AWS:x", Value: "1"}})},
		{name: "tag key too long", err: ValidateTags("op", []Tag{{Key: strings.Repeat("k", 129), Value: "1"}})},
		{name: "tag value character", err: ValidateTags("op", []Tag{{Key: "k", Value: "a;b"}})},
		{name: "no tag keys", err: ValidateTagKeys("op", nil)},
		{name: "request id", err: ValidateRequestID("op", "id", "6fd1a0a8-3e1c-4c5c-9f0e-2b8d3c9a7e10"), ok: true},
		{name: "uppercase request id", err: ValidateRequestID("op", "id", "6FD1A0A8-3E1C-4C5C-9F0E-2B8D3C9A7E10")},
		{name: "instance name", err: ValidateInstanceName("op", "My-Instance"), ok: true},
		{name: "instance name with a space", err: ValidateInstanceName("op", "My Instance")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if (tc.err == nil) != tc.ok {
				t.Errorf("%s: %v, want ok %v", tc.name, tc.err, tc.ok)
			}
			if tc.err != nil && errs.KindOf(tc.err) != errs.Invalid {
				t.Errorf("%s: kind %v, want invalid", tc.name, errs.KindOf(tc.err))
			}
		})
	}
}

func TestManagedPolicyARN(t *testing.T) {
	tests := []struct {
		in, name string
		ok       bool
	}{
		{in: "arn:aws:iam::aws:policy/ReadOnlyAccess", name: "ReadOnlyAccess", ok: true},
		{in: "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", name: "ViewOnlyAccess", ok: true},
		{in: "arn:aws-us-gov:iam::aws:policy/AdministratorAccess", name: "AdministratorAccess", ok: true},
		{in: "arn:aws:iam::111122223333:policy/Mine"},
		{in: "arn:aws:iam::aws:policy/"},
		{in: "ReadOnlyAccess"},
	}
	for _, tc := range tests {
		name, err := ParseManagedPolicyARN("op", "managedPolicyArn", tc.in)
		if (err == nil) != tc.ok || name != tc.name {
			t.Errorf("ParseManagedPolicyARN(%q) = %q, %v, want %q ok %v", tc.in, name, err, tc.name, tc.ok)
		}
	}
}

func TestBoundaryAndReferences(t *testing.T) {
	r, err := NormalizeCustomerPolicyRef("op", "ref", CustomerPolicyRef{Name: "P"})
	if err != nil || r.Path != "/" {
		t.Errorf("NormalizeCustomerPolicyRef without a path = %+v, %v, want path /", r, err)
	}
	for _, bad := range []CustomerPolicyRef{{Name: ""}, {Name: "P", Path: "team"}, {Name: "P", Path: "/team"}, {Name: "a b"}} {
		if _, err := NormalizeCustomerPolicyRef("op", "ref", bad); err == nil {
			t.Errorf("NormalizeCustomerPolicyRef(%+v) = nil, want an error", bad)
		}
	}
	tests := []struct {
		name string
		b    Boundary
		ok   bool
	}{
		{name: "managed", b: Boundary{ManagedPolicyARN: "arn:aws:iam::aws:policy/PowerUserAccess"}, ok: true},
		{name: "customer managed", b: Boundary{CustomerPolicy: &CustomerPolicyRef{Name: "B"}}, ok: true},
		{name: "both", b: Boundary{ManagedPolicyARN: "arn:aws:iam::aws:policy/PowerUserAccess", CustomerPolicy: &CustomerPolicyRef{Name: "B"}}},
		{name: "neither", b: Boundary{}},
		{name: "bad managed", b: Boundary{ManagedPolicyARN: "arn:aws:iam::1:policy/x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeBoundary("op", tc.b)
			if (err == nil) != tc.ok {
				t.Errorf("NormalizeBoundary(%+v) = %v, want ok %v", tc.b, err, tc.ok)
			}
			if err == nil && got.CustomerPolicy != nil && got.CustomerPolicy.Path != "/" {
				t.Errorf("NormalizeBoundary kept an empty path: %+v", got.CustomerPolicy)
			}
		})
	}
}

func TestInlinePolicy(t *testing.T) {
	ok := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	if err := ValidateInlinePolicy("op", ok); err != nil {
		t.Errorf("ValidateInlinePolicy(valid) = %v", err)
	}
	for _, bad := range []string{
		"",
		"{",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Perhaps","Action":"s3:*","Resource":"*"}]}`,
		strings.Repeat(" ", MaxInlinePolicyChars) + ok,
		"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"✓\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
	} {
		err := ValidateInlinePolicy("op", bad)
		if errs.KindOf(err) != errs.Invalid || errs.Public(err) == "" {
			t.Errorf("ValidateInlinePolicy(%.40q) = %v, want a validation error naming the problem", bad, err)
		}
	}
}

func TestMergeTags(t *testing.T) {
	got := MergeTags([]Tag{{"a", "1"}, {"b", "2"}}, []Tag{{"b", "two"}, {"c", "3"}})
	want := []Tag{{"a", "1"}, {"b", "two"}, {"c", "3"}}
	if len(got) != len(want) {
		t.Fatalf("MergeTags = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("MergeTags = %v, want %v", got, want)
		}
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"PT1H", "PT90M", "P0DT2H", "PT1.5S", "P1W", "-PT1H", "PT", "P1Y2M"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Errorf("ParseDuration(%q) = %v, negative", s, d)
		}
		if !strings.HasPrefix(s, "P") {
			t.Errorf("ParseDuration(%q) accepted a duration without P", s)
		}
	})
}
