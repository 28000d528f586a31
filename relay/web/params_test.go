package web

import (
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"postwork/chain"
	"postwork/chain/nostr"
)

func TestParseHeight(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "7": true, "18446744073709551615": true,
		"": false, "00": false, "07": false, "-1": false, "+1": false, " 1": false, "1 ": false,
		"18446744073709551616": false, "1e3": false, "0x10": false, "１": false,
	} {
		h, ok := parseHeight(s)
		if ok != want {
			t.Errorf("parseHeight(%q) ok = %v, want %v", s, ok, want)
		}
		if ok && strconv.FormatUint(h, 10) != s {
			t.Errorf("parseHeight(%q) = %d", s, h)
		}
	}
}

func TestParseQuery(t *testing.T) {
	pub := pubOf(1)
	npub := nostr.EncodeNpub(pub)
	hx := hex.EncodeToString(pub[:])
	for _, c := range []struct {
		q    string
		kind queryKind
		err  error
	}{
		{"12", queryHeight, nil},
		{"  12\t", queryHeight, nil},
		{hx, queryHex, nil},
		{strings.ToUpper(hx), queryHex, nil},
		{npub, queryNpub, nil},
		{"nostr:" + npub, queryNpub, nil},
		{strings.ToUpper(npub), queryNpub, nil},
		{"", 0, errEmpty},
		{"   ", 0, errEmpty},
		{"npub1abc", 0, errBadNpub},
		{npub[:len(npub)-1] + "x", 0, errBadNpub},
		{"Npub" + npub[4:], 0, errBadNpub}, // mixed case is not bech32
		{"hello", 0, errNotQuery},
		{"nsec1abc", 0, errNotQuery},
		{strings.Repeat("1", 201), 0, errTooLong},
	} {
		got, err := parseQuery(c.q)
		if !errors.Is(err, c.err) || (err == nil && got.kind != c.kind) {
			t.Errorf("parseQuery(%q) = %+v, %v; want kind %d, %v", c.q, got, err, c.kind, c.err)
		}
		if c.kind == queryNpub && got.hex != pub {
			t.Errorf("parseQuery(%q) decoded %x", c.q, got.hex)
		}
	}
}

func TestSentence(t *testing.T) {
	_, err := parseID("zz")
	if got := sentence(err); got != `"zz" is not 64 hexadecimal characters.` {
		t.Errorf("sentence = %q", got)
	}
	if got := sentence(errEmpty); got != "The value is empty." {
		t.Errorf("sentence = %q", got)
	}
	long := strings.Repeat("é", 100) + "\x00"
	if got := quote(long); utf8.RuneCountInString(got) > 84 || strings.Contains(got, "\x00") {
		t.Errorf("quote clips to 80 runes and escapes controls: %q", got)
	}
}

// estimate on a chain whose blocks took 3 seconds each and carried targets
// worth 2 hashes (TestNet's limit): 3 s interval, 2/3 H/s.
func TestEstimate(t *testing.T) {
	p := chain.TestNet
	headers := []chain.Header{{Height: 0, Time: 1000, Bits: p.PowLimitBits}}
	for i := 1; i <= 5; i++ {
		headers = append(headers, chain.Header{Height: uint64(i), Time: 1000 + 3*int64(i), Bits: p.PowLimitBits})
	}
	c := headerChain(headers)
	interval, rate, n := estimate(c, headers[5], 60)
	if n != 5 || interval != 3 || rate < 0.666 || rate > 0.667 {
		t.Errorf("estimate over 5 blocks = %v s, %v H/s, n %d", interval, rate, n)
	}
	_, _, n = estimate(c, headers[5], 2)
	if n != 2 {
		t.Errorf("window 2: n %d", n)
	}
	if i, r, _ := estimate(c, headers[0], 60); i != 0 || r != 0 {
		t.Errorf("genesis only: %v %v", i, r)
	}
	same := headerChain([]chain.Header{{Time: 5}, {Height: 1, Time: 5, Bits: p.PowLimitBits}})
	if i, r, _ := estimate(same, chain.Header{Height: 1, Time: 5, Bits: p.PowLimitBits}, 60); i != 0 || r != 0 {
		t.Errorf("blocks that took no time: %v %v", i, r)
	}
	if d := difficulty(p, p.PowLimitBits); d != 1 {
		t.Errorf("difficulty at the limit %v", d)
	}
	if d := difficulty(p, 0x1f7fffff); d < 255.9 || d > 256.1 {
		t.Errorf("difficulty of a target 256 times smaller %v", d)
	}
	if d := difficulty(p, 0); d != 0 {
		t.Errorf("difficulty of a zero target %v", d)
	}
}

// headerChain is a Chain of headers alone, for estimate.
type headerChain []chain.Header

func (c headerChain) Params() *chain.Params { return chain.TestNet }
func (c headerChain) Tip() chain.Tip        { return chain.Tip{Header: c[len(c)-1]} }
func (c headerChain) HeaderAt(h uint64) (chain.Header, bool) {
	if h >= uint64(len(c)) {
		return chain.Header{}, false
	}
	return c[h], true
}
func (c headerChain) HeaderByHash(chain.Hash) (chain.Header, bool) { return chain.Header{}, false }
func (c headerChain) Block(chain.Hash) (*chain.Block, error)       { return nil, chain.ErrNotFound }
func (c headerChain) Confirmations(chain.Hash) uint64              { return 0 }

func TestCoinbaseExtraAndTags(t *testing.T) {
	for in, want := range map[string]string{"": "", "hello": "hello", "a\x00b": "610062", "\xff": "ff", "tab\t": "74616209"} {
		got, isHex := coinbaseExtra([]byte(in))
		if got != want || isHex != (in != "" && want != in) {
			t.Errorf("coinbaseExtra(%q) = %q, %v", in, got, isHex)
		}
	}
	id := strings.Repeat("0a", 32)
	tags := tagViews([][]string{{}, {"e"}, {"e", id}, {"E", id}, {"p", strings.ToUpper(id)}, {"e", "../../x"}})
	wantLinks := []string{"", "", "/post/" + id, "", "/author/" + nostr.EncodeNpub([32]byte{10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10}), ""}
	for i, tg := range tags {
		if tg.Link != wantLinks[i] {
			t.Errorf("tag %d links to %q, want %q", i, tg.Link, wantLinks[i])
		}
	}
}
