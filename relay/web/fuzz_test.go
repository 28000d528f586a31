package web

import (
	"bufio"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"postwork/chain/nostr"
)

// Parsers of user input: never panic, accept only what they say, and give
// back exactly what they accepted.
func FuzzParseQuery(f *testing.F) {
	pub := pubOf(1)
	for _, s := range []string{"", "0", "12", "007", "-1", "18446744073709551616", hex.EncodeToString(pub[:]),
		nostr.EncodeNpub(pub), "nostr:" + nostr.EncodeNpub(pub), "npub1", "NPUB1", "hello", "\xff\xfe", strings.Repeat("9", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := parseQuery(s)
		if err != nil {
			if q != (searchQuery{}) {
				t.Fatalf("error %v with a result %+v", err, q)
			}
			if msg := sentence(err); !utf8.ValidString(msg) || utf8.RuneCountInString(msg) > 200 {
				t.Fatalf("message %q", msg)
			}
			return
		}
		trimmed := strings.TrimSpace(s)
		switch q.kind {
		case queryHeight:
			if strconv.FormatUint(q.height, 10) != trimmed {
				t.Fatalf("height %d from %q", q.height, s)
			}
		case queryHex:
			if hex.EncodeToString(q.hex[:]) != strings.ToLower(trimmed) {
				t.Fatalf("hex %x from %q", q.hex, s)
			}
		case queryNpub:
			if !strings.EqualFold(strings.TrimPrefix(trimmed, "nostr:"), nostr.EncodeNpub(q.hex)) {
				t.Fatalf("npub %x from %q", q.hex, s)
			}
		default:
			t.Fatalf("kind %d", q.kind)
		}
	})
}

func FuzzParseBlockRef(f *testing.F) {
	for _, s := range []string{"0", "1", "01", strings.Repeat("ab", 32), strings.Repeat("AB", 32), "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := parseBlockRef(s)
		if err != nil {
			return
		}
		if ref.isHash {
			if ref.hash.String() != strings.ToLower(s) {
				t.Fatalf("hash %s from %q", ref.hash, s)
			}
		} else if strconv.FormatUint(ref.height, 10) != s {
			t.Fatalf("height %d from %q", ref.height, s)
		}
	})
}

func FuzzParseProfile(f *testing.F) {
	for _, s := range []string{`{"name":"a"}`, `{"name":1}`, `[]`, `null`, `{"about":"` + strings.Repeat("x", 3000) + `"}`, `{"name":"\ud800"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		p := parseProfile(&nostr.Event{Content: content})
		if !p.Found {
			t.Fatal("a kind-0 event is a profile")
		}
		for _, c := range []struct {
			s   string
			max int
		}{{p.Name, maxProfileName}, {p.DisplayName, maxProfileName}, {p.About, maxProfileAbout}, {p.Website, maxProfileURL}} {
			if utf8.RuneCountInString(c.s) > c.max+1 {
				t.Fatalf("field of %d runes, bound %d", utf8.RuneCountInString(c.s), c.max)
			}
		}
	})
}

// sseEvent frames any data as exactly one event whose data reads back the
// same, line breaks normalised to LF.
func FuzzSSEEvent(f *testing.F) {
	for _, s := range []string{"", "a", "a\nb", "a\r\nb", "\r", "\n\n", "event: x\ndata: y", ": comment"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		raw := sseEvent("update", "0123abcd", []byte(data))
		s := &sseStream{r: bufio.NewReader(strings.NewReader(raw))}
		m, err := s.next()
		if err != nil {
			t.Fatalf("no event: %v", err)
		}
		want := strings.ReplaceAll(strings.ReplaceAll(data, "\r\n", "\n"), "\r", "\n")
		if m.event != "update" || m.id != "0123abcd" || m.data != want {
			t.Fatalf("read back %+v, want data %q", m, want)
		}
		if m, err := s.next(); err == nil {
			t.Fatalf("a second event %+v", m)
		}
	})
}
