package ui

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestCoins(t *testing.T) {
	for units, want := range map[uint64]string{
		0:                   "0",
		1:                   "0.00000001",
		50 * coinUnits:      "50",
		150_000_000:         "1.5",
		12_345_678_901:      "123.45678901",
		math.MaxUint64:      "184467440737.09551615",
		coinUnits + 100_000: "1.001",
	} {
		if got := Coins(units); got != want {
			t.Errorf("Coins(%d) = %q, want %q", units, got, want)
		}
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{
		-1:              "unknown",
		0:               "0 B",
		1023:            "1023 B",
		1024:            "1.00 KiB",
		1536:            "1.50 KiB",
		10 << 20:        "10.0 MiB",
		500 << 30:       "500 GiB",
		math.MaxInt64:   "8.00 EiB",
		3*1024*1024 + 1: "3.00 MiB",
	} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRates(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{Hashrate(0), "unknown"},
		{Hashrate(math.NaN()), "unknown"},
		{Hashrate(999), "999 H/s"},
		{Hashrate(1000), "1.00 kH/s"},
		{Hashrate(13.1e6), "13.1 MH/s"},
		{Hashrate(2.5e21), "2.50 ZH/s"},
		{Difficulty(0), "unknown"},
		{Difficulty(1), "1.00"},
		{Difficulty(256), "256"},
		{Difficulty(1.5e6), "1.50 M"},
		{Seconds(0), "unknown"},
		{Seconds(4.96), "5.0 s"},
		{Seconds(3600), "1h 0m"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                             "0s",
		-time.Hour:                    "0s",
		9 * time.Second:               "9s",
		5*time.Minute + 2*time.Second: "5m 2s",
		3*time.Hour + 59*time.Minute:  "3h 59m",
		50 * time.Hour:                "2d 2h",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestTimesAreUTC(t *testing.T) {
	tz := time.FixedZone("X", 5*3600+1800)
	tm := time.Date(2026, 1, 2, 3, 4, 5, 0, tz)
	if got := DateTime(tm); got != "2026-01-01T21:34:05Z" {
		t.Errorf("DateTime = %q", got)
	}
	if got := HumanTime(tm); got != "2026-01-01 21:34:05 UTC" {
		t.Errorf("HumanTime = %q", got)
	}
}

func TestShort(t *testing.T) {
	if got := Short(hashA); got != "00000a1b2c…ccddee" {
		t.Errorf("Short(hash) = %q", got)
	}
	if got := Short("short"); got != "short" {
		t.Errorf("Short(short) = %q", got)
	}
	if got := Short(strings.Repeat("é", 30)); got != strings.Repeat("é", 10)+"…"+strings.Repeat("é", 6) {
		t.Errorf("Short cuts runes: %q", got)
	}
}

func TestExcerpt(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"", 10, ""},
		{"  hello\n\n\tworld  ", 20, "hello world"},
		{"hello world", 5, "hello…"},
		{"hello world", 6, "hello…"},
		{"hello world", 7, "hello w…"},
		{"hello world", 11, "hello world"},
		{"ééééé", 3, "ééé…"},
		{"a\x00b\x1bc", 10, "a b c"},
		{"a\xffb", 10, "a b"},
	} {
		if got := Excerpt(c.in, c.n); got != c.want {
			t.Errorf("Excerpt(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, c := range [][2]string{
		{Plural(0, "post"), "0 posts"},
		{Plural(1, "post"), "1 post"},
		{Plural(2, "hash"), "2 hashes"},
		{Plural(1, "hash"), "1 hash"},
	} {
		if c[0] != c[1] {
			t.Errorf("got %q, want %q", c[0], c[1])
		}
	}
}

func TestURLs(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{string(BlockURL(hashA)), "/block/" + hashA},
		{string(HeightURL(12)), "/block/12"},
		{string(PostURL("a/b?c")), "/post/a%2Fb%3Fc"},
		{string(AuthorURL(npubA)), "/author/" + npubA},
		{string(ExternalURL("https://example.org/x?y=1")), "https://example.org/x?y=1"},
		{string(ExternalURL("http://example.org")), "http://example.org"},
		{string(ExternalURL("javascript:alert(1)")), ""},
		{string(ExternalURL("JAVASCRIPT:alert(1)")), ""},
		{string(ExternalURL("data:text/html,<script>")), ""},
		{string(ExternalURL("//evil.example/")), ""},
		{string(ExternalURL("example.org")), ""},
		{string(ExternalURL("https://")), ""},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
