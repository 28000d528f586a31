package nostr

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestLeadingZeroBits(t *testing.T) {
	cases := []struct {
		id   [32]byte
		want int
	}{
		{[32]byte{0x80}, 0},
		{[32]byte{0x7f}, 1},
		{[32]byte{0x01}, 7},
		{[32]byte{0x00, 0xff}, 8},
		{[32]byte{0x00, 0x0f}, 12},
		{[32]byte{0x00, 0x00, 0x00, 0x01}, 31},
		{[32]byte{31: 0x01}, 255},
		{[32]byte{}, 256},
	}
	for _, tc := range cases {
		if got := LeadingZeroBits(tc.id); got != tc.want {
			t.Errorf("LeadingZeroBits(%x) = %d, want %d", tc.id, got, tc.want)
		}
	}
}

func TestCommittedTarget(t *testing.T) {
	cases := []struct {
		tags   [][]string
		target int
		ok     bool
	}{
		{nil, 0, false},
		{[][]string{{"t", "x"}}, 0, false},
		{[][]string{{"nonce", "5"}}, 0, false},
		{[][]string{{"nonce", "5", "20"}}, 20, true},
		{[][]string{{"t"}, {"nonce", "5", "0"}, {"nonce", "1", "30"}}, 0, true}, // the first nonce tag counts
		{[][]string{{"nonce", "5", "256"}}, 256, true},
		{[][]string{{"nonce", "5", "257"}}, 0, false},
		{[][]string{{"nonce", "5", "020"}}, 0, false},
		{[][]string{{"nonce", "5", "-1"}}, 0, false},
		{[][]string{{"nonce", "5", "+3"}}, 0, false},
		{[][]string{{"nonce", "5", ""}}, 0, false},
		{[][]string{{"nonce", "5", "99999999999999999999999"}}, 0, false},
		{[][]string{{"Nonce", "5", "20"}}, 0, false},
	}
	for _, tc := range cases {
		e := Event{Tags: tc.tags}
		target, ok := e.CommittedTarget()
		if target != tc.target || ok != tc.ok {
			t.Errorf("%q: got %d %v, want %d %v", tc.tags, target, ok, tc.target, tc.ok)
		}
	}
}

func unsignedEvent(t testing.TB, tags [][]string) *Event {
	t.Helper()
	return &Event{
		PubKey:    PublicKey(testKey(t)),
		CreatedAt: 1763700000,
		Kind:      1,
		Tags:      tags,
		Content:   "mined \"post\"\twith escapes é",
	}
}

func TestMinePoW(t *testing.T) {
	const bits = 10
	tags := [][]string{{"t", "a"}, {"nonce", "7", "3"}, {"p", "b\n"}}
	e := unsignedEvent(t, tags)
	var reports []uint64
	if err := MinePoW(context.Background(), e, bits, func(n uint64) { reports = append(reports, n) }); err != nil {
		t.Fatal(err)
	}
	if e.ID != e.ComputeID() {
		t.Fatalf("mined id %x is not the event's id %x", e.ID, e.ComputeID())
	}
	if e.PoW() < bits {
		t.Fatalf("id %x has %d bits, want %d", e.ID, e.PoW(), bits)
	}
	if target, ok := e.CommittedTarget(); !ok || target != bits {
		t.Fatalf("committed target %d %v, want %d", target, ok, bits)
	}
	// The nonce tag stays where it was, the others are untouched.
	if len(e.Tags) != 3 || !tagsEqual([][]string{e.Tags[0], e.Tags[2]}, [][]string{{"t", "a"}, {"p", "b\n"}}) ||
		e.Tags[1][0] != "nonce" || e.Tags[1][2] != "10" {
		t.Fatalf("tags after mining: %q", e.Tags)
	}
	n, err := strconv.ParseUint(e.Tags[1][1], 10, 64)
	if err != nil || n < 7 {
		t.Fatalf("nonce %q: want a number from the preset 7 up (%v)", e.Tags[1][1], err)
	}
	// The caller's tag slices are not modified.
	if tags[1][1] != "7" || tags[1][2] != "3" {
		t.Fatalf("caller's nonce tag changed to %q", tags[1])
	}
	for i := 1; i < len(reports); i++ {
		if reports[i] <= reports[i-1] {
			t.Fatalf("progress not increasing: %v", reports)
		}
	}
	// Signing keeps the work.
	if err := e.Sign(testKey(t)); err != nil {
		t.Fatal(err)
	}
	if err := e.Verify(); err != nil {
		t.Fatal(err)
	}
	if e.PoW() < bits {
		t.Fatalf("signing lost the work: %d bits", e.PoW())
	}
}

func TestMinePoWAppendsNonceTag(t *testing.T) {
	e := unsignedEvent(t, [][]string{{"t", "a"}})
	if err := MinePoW(context.Background(), e, 8, nil); err != nil {
		t.Fatal(err)
	}
	if len(e.Tags) != 2 || e.Tags[1][0] != "nonce" || e.Tags[1][2] != "8" || e.PoW() < 8 {
		t.Fatalf("tags %q, %d bits", e.Tags, e.PoW())
	}
	if e.ID != e.ComputeID() {
		t.Fatal("id does not match the mined event")
	}
}

func TestMinePoWZeroBits(t *testing.T) {
	e := unsignedEvent(t, [][]string{{"nonce", "42", "9"}})
	if err := MinePoW(context.Background(), e, 0, nil); err != nil {
		t.Fatal(err)
	}
	if e.Tags[0][1] != "42" || e.Tags[0][2] != "0" {
		t.Fatalf("zero difficulty should take the first nonce tried: %q", e.Tags[0])
	}
}

// TestMinerHashMatchesSerialize: the prefix/suffix split reproduces the full
// serialization for nonces of every length.
func TestMinerHashMatchesSerialize(t *testing.T) {
	for _, tags := range [][][]string{
		nil,
		{{"nonce"}},
		{{"a", "\x01"}, {"nonce", "x", "y", "extra"}, {"b"}, {}},
	} {
		e := unsignedEvent(t, tags)
		m, _, err := newPowMiner(e, 21)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []uint64{0, 9, 10, 12345, math.MaxUint64} {
			f := *e
			f.Tags = m.tags
			m.tags[m.at][1] = strconv.FormatUint(n, 10)
			if got, want := m.hash(n), f.ComputeID(); got != want {
				t.Errorf("tags %q nonce %d: miner hash %x, id %x", tags, n, got, want)
			}
		}
	}
}

func TestMinePoWCancel(t *testing.T) {
	e := unsignedEvent(t, nil)
	before := string(e.AppendJSON(nil))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := MinePoW(ctx, e, 256, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("pre-cancelled: got %v, want context.Canceled", err)
	}

	// Cancelling from progress is how a wasm caller stops the search.
	ctx, cancel = context.WithCancel(context.Background())
	calls := 0
	err = MinePoW(ctx, e, 256, func(uint64) {
		calls++
		if calls == 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || calls != 3 {
		t.Fatalf("got %v after %d reports, want context.Canceled after 3", err, calls)
	}
	if string(e.AppendJSON(nil)) != before {
		t.Fatal("a cancelled search changed the event")
	}
}

func TestMinePoWRejects(t *testing.T) {
	ctx := context.Background()
	if err := MinePoW(ctx, unsignedEvent(t, nil), 257, nil); err == nil {
		t.Error("difficulty 257 accepted")
	}
	if err := MinePoW(ctx, unsignedEvent(t, nil), -1, nil); err == nil {
		t.Error("difficulty -1 accepted")
	}
	e := unsignedEvent(t, nil)
	e.PubKey = [32]byte{}
	if err := MinePoW(ctx, e, 1, nil); err == nil || !strings.Contains(err.Error(), "pubkey") {
		t.Errorf("no pubkey: got %v", err)
	}
	full := make([][]string, MaxTags)
	for i := range full {
		full[i] = []string{"t"}
	}
	if err := MinePoW(ctx, unsignedEvent(t, full), 1, nil); !errors.Is(err, ErrTooLarge) {
		t.Errorf("no room for a nonce tag: got %v, want ErrTooLarge", err)
	}
	last := unsignedEvent(t, [][]string{{"nonce", "18446744073709551615"}})
	if err := MinePoW(ctx, last, 256, nil); !errors.Is(err, ErrNonceExhausted) {
		t.Errorf("last nonce: got %v, want ErrNonceExhausted", err)
	}
}
