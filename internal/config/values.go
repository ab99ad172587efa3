package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The flag.Value types below parse one setting each; their errors say what
// a valid value looks like, and Load prefixes the setting's name.

type stringValue struct{ p *string }

func stringVar(p *string) stringValue    { return stringValue{p} }
func (v stringValue) Set(s string) error { *v.p = s; return nil }
func (v stringValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

type enumValue struct {
	p       *string
	allowed []string
}

func enumVar(p *string, allowed ...string) enumValue { return enumValue{p, allowed} }

func (v enumValue) Set(s string) error {
	if !slices.Contains(v.allowed, s) {
		return fmt.Errorf("%q is not one of %s", s, strings.Join(v.allowed, ", "))
	}
	*v.p = s
	return nil
}

func (v enumValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

type urlValue struct {
	p       *string
	schemes []string
}

func urlVar(p *string, schemes ...string) urlValue { return urlValue{p, schemes} }

func (v urlValue) Set(s string) error {
	if s == "" {
		*v.p = ""
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("not a URL: %w", redactURLError(err))
	}
	if !slices.Contains(v.schemes, u.Scheme) {
		return fmt.Errorf("URL scheme %q is not one of %s", u.Scheme, strings.Join(v.schemes, ", "))
	}
	if u.Host == "" && u.Scheme != "unix" {
		return fmt.Errorf("URL has no host")
	}
	*v.p = s
	return nil
}

// redactURLError drops the URL, which may hold a password, from a parse error.
func redactURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

func (v urlValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

type boolValue struct{ p *bool }

func boolVar(p *bool) boolValue { return boolValue{p} }

func (v boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("%q is not a boolean (true or false)", s)
	}
	*v.p = b
	return nil
}

func (v boolValue) String() string   { return strconv.FormatBool(v.p != nil && *v.p) }
func (v boolValue) IsBoolFlag() bool { return true }

type intValue struct {
	p        *int
	min, max int
}

func intVar(p *int, min, max int) intValue { return intValue{p, min, max} }

func (v intValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	if n < v.min || n > v.max {
		return fmt.Errorf("%d is outside %d..%d", n, v.min, v.max)
	}
	*v.p = n
	return nil
}

func (v intValue) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.Itoa(*v.p)
}

type durationValue struct{ p *time.Duration }

func durationVar(p *time.Duration) durationValue { return durationValue{p} }

func (v durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 500ms or 2s", s)
	}
	if d < 0 {
		return fmt.Errorf("%s must not be negative", s)
	}
	*v.p = d
	return nil
}

func (v durationValue) String() string {
	if v.p == nil {
		return "0s"
	}
	return v.p.String()
}

type bytesValue struct{ p *int64 }

func bytesVar(p *int64) bytesValue { return bytesValue{p} }

// Set accepts a byte count with an optional KiB, MiB, GiB (or K, M, G)
// suffix.
func (v bytesValue) Set(s string) error {
	n, err := ParseBytes(s)
	if err != nil {
		return err
	}
	*v.p = n
	return nil
}

func (v bytesValue) String() string {
	if v.p == nil {
		return "0"
	}
	return FormatBytes(*v.p)
}

// ParseBytes parses a size such as "256MiB", "64k" or "1048576".
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{
		{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
		{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10},
		{"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1},
	}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(strings.ToUpper(t), strings.ToUpper(u.suffix)) {
			t, mult = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size such as 512KiB or 256MiB", s)
	}
	return n * mult, nil
}

// FormatBytes writes n in the largest binary unit that divides it.
func FormatBytes(n int64) string {
	switch {
	case n != 0 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "GiB"
	case n != 0 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	case n != 0 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "KiB"
	}
	return strconv.FormatInt(n, 10)
}

type levelValue struct{ p *slog.Level }

func levelVar(p *slog.Level) levelValue { return levelValue{p} }

func (v levelValue) Set(s string) error {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return fmt.Errorf("%q is not one of debug, info, warn, error", s)
	}
	*v.p = l
	return nil
}

func (v levelValue) String() string {
	if v.p == nil {
		return "INFO"
	}
	return v.p.String()
}
