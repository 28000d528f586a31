package ui

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/a-h/templ"
)

// coinUnits is chain.CoinUnits, repeated so that ui needs no chain import.
const coinUnits = 100_000_000

// DateTime is the machine-readable form of t for a <time datetime>: RFC 3339
// in UTC.
func DateTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// HumanTime is t as people read it, always in UTC so every reader of a page
// sees the same time.
func HumanTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// Coins formats reward units as coins with up to eight decimals, trailing
// zeros dropped: 5000000000 is "50", 150000000 is "1.5".
func Coins(units uint64) string {
	whole, frac := units/coinUnits, units%coinUnits
	if frac == 0 {
		return strconv.FormatUint(whole, 10)
	}
	f := strings.TrimRight(fmt.Sprintf("%08d", frac), "0")
	return strconv.FormatUint(whole, 10) + "." + f
}

// si formats v with an SI prefix and unit: 1234567 "H/s" is "1.23 MH/s".
func si(v float64, unit string) string {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return "0 " + unit
	}
	prefixes := []string{"", "k", "M", "G", "T", "P", "E", "Z", "Y"}
	i := 0
	for v >= 1000 && i < len(prefixes)-1 {
		v /= 1000
		i++
	}
	return strconv.FormatFloat(v, 'f', decimals(v), 64) + " " + prefixes[i] + unit
}

// decimals gives three significant digits for v in [0, 1000).
func decimals(v float64) int {
	switch {
	case v >= 100:
		return 0
	case v >= 10:
		return 1
	default:
		return 2
	}
}

// Hashrate formats hashes per second; zero reads "unknown".
func Hashrate(hps float64) string {
	if hps <= 0 || math.IsNaN(hps) || math.IsInf(hps, 0) {
		return "unknown"
	}
	return si(hps, "H/s")
}

// Difficulty formats a difficulty (1 is the easiest the network allows).
func Difficulty(d float64) string {
	if d < 1000 {
		if d <= 0 || math.IsNaN(d) || math.IsInf(d, 0) {
			return "unknown"
		}
		return strconv.FormatFloat(d, 'f', decimals(d), 64)
	}
	return strings.TrimSuffix(si(d, ""), " ")
}

// Seconds formats a block interval in seconds; zero reads "unknown".
func Seconds(s float64) string {
	if s <= 0 || math.IsNaN(s) || math.IsInf(s, 0) {
		return "unknown"
	}
	if s < 120 {
		return strconv.FormatFloat(s, 'f', 1, 64) + " s"
	}
	return Duration(time.Duration(s * float64(time.Second)))
}

// Bytes formats a size in binary units: 1536 is "1.50 KiB". Negative sizes
// (not known) read "unknown".
func Bytes(n int64) string {
	if n < 0 {
		return "unknown"
	}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v := float64(n) / 1024
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return strconv.FormatFloat(v, 'f', decimals(v), 64) + " " + units[i]
}

// Duration formats d in its two largest units: "3d 4h", "5m 2s", "9s".
func Duration(d time.Duration) string {
	if d < time.Second {
		return "0s"
	}
	s := int64(d / time.Second)
	days, s := s/86400, s%86400
	hours, s := s/3600, s%3600
	mins, secs := s/60, s%60
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, mins)
	case mins > 0:
		return fmt.Sprintf("%dm %ds", mins, secs)
	default:
		return fmt.Sprintf("%ds", secs)
	}
}

// Short abbreviates a long id for lists: the first 10 and last 6 characters
// around an ellipsis. Pages show the full id where it is the subject.
func Short(id string) string {
	if utf8.RuneCountInString(id) <= 20 {
		return id
	}
	r := []rune(id)
	return string(r[:10]) + "…" + string(r[len(r)-6:])
}

// Excerpt returns s with runs of white space and control characters
// collapsed to one space, cut to at most n runes, with an ellipsis when cut.
func Excerpt(s string, n int) string {
	var b strings.Builder
	count, space := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			space = count > 0
			continue
		}
		if count >= n || space && count+1 >= n {
			b.WriteString("…")
			return b.String()
		}
		if space {
			b.WriteByte(' ')
			count++
			space = false
		}
		b.WriteRune(r)
		count++
	}
	return b.String()
}

// Plural returns "1 post", "2 posts", "3 hashes".
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	suffix := "s"
	if strings.HasSuffix(word, "s") || strings.HasSuffix(word, "sh") || strings.HasSuffix(word, "ch") || strings.HasSuffix(word, "x") {
		suffix = "es"
	}
	return strconv.Itoa(n) + " " + word + suffix
}

// Links to the pages of this site. Their arguments are ids the handlers
// produced (hex, npub, decimal); escaping them is a second line of defence.

// BlockURL is the page of a block, by hash or height.
func BlockURL(ref string) templ.SafeURL { return templ.URL("/block/" + url.PathEscape(ref)) }

// HeightURL is the page of the best chain's block at height.
func HeightURL(height uint64) templ.SafeURL { return BlockURL(strconv.FormatUint(height, 10)) }

// PostURL is the page of a post.
func PostURL(id string) templ.SafeURL { return templ.URL("/post/" + url.PathEscape(id)) }

// AuthorURL is the page of an author, by npub.
func AuthorURL(npub string) templ.SafeURL { return templ.URL("/author/" + url.PathEscape(npub)) }

// ExternalURL returns u for an href only when it is an absolute http or https
// URL, else "" (the caller then shows the text without a link).
func ExternalURL(u string) templ.SafeURL {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return templ.URL(p.String())
}
