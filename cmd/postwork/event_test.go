package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// vectors are the events in chain/nostr/testdata, made with nostr-tools.
type vectors struct {
	Valid []struct {
		Event json.RawMessage `json:"event"`
	} `json:"valid"`
	Pow []struct {
		Event json.RawMessage `json:"event"`
	} `json:"pow"`
	Invalid []struct {
		Why   string          `json:"why"`
		Event json.RawMessage `json:"event"`
	} `json:"invalid"`
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	data, err := os.ReadFile("../../chain/nostr/testdata/nostr-events.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Valid) == 0 || len(v.Invalid) == 0 {
		t.Fatal("no vectors loaded")
	}
	return v
}

// oneLine returns an event as a single line of JSON, bytes kept as written.
func oneLine(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var hexID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// idOf returns the id an event claims, or "-" if it is not a well-formed id.
func idOf(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var e struct {
		ID string `json:"id"`
	}
	json.Unmarshal(raw, &e)
	if !hexID.MatchString(e.ID) {
		return "-"
	}
	return e.ID
}

func outputLines(stdout string) []string {
	return strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
}

func TestEventVerifyVectors(t *testing.T) {
	v := loadVectors(t)
	var in strings.Builder
	var want []string // "ok <id>", or "invalid <id> line <n>" (the reason follows)
	var why []string  // what each line is, for messages
	n := 0
	add := func(raw json.RawMessage, valid bool, desc string) {
		n++
		fmt.Fprintln(&in, oneLine(t, raw))
		if valid {
			want = append(want, "ok "+idOf(t, raw))
		} else {
			want = append(want, fmt.Sprintf("invalid %s line %d: ", idOf(t, raw), n))
		}
		why = append(why, desc)
	}
	for i, c := range v.Valid {
		add(c.Event, true, fmt.Sprintf("valid[%d]", i))
	}
	for i, c := range v.Pow {
		add(c.Event, true, fmt.Sprintf("pow[%d]", i))
	}
	for _, c := range v.Invalid {
		add(c.Event, false, c.Why)
	}

	code, stdout, stderr := runCmd(t, in.String(), "event", "verify")
	if code != 1 {
		t.Errorf("exit code %d with invalid events in the input, want 1 (stderr %q)", code, stderr)
	}
	got := outputLines(stdout)
	if len(got) != len(want) {
		t.Fatalf("%d output lines for %d events:\n%s", len(got), len(want), stdout)
	}
	for i := range want {
		if strings.HasPrefix(want[i], "ok ") {
			if got[i] != want[i] {
				t.Errorf("%s: got %q, want %q", why[i], got[i], want[i])
			}
			continue
		}
		reason, ok := strings.CutPrefix(got[i], want[i])
		if !ok || strings.TrimSpace(reason) == "" {
			t.Errorf("%s: got %q, want %q followed by a reason", why[i], got[i], want[i])
		}
	}
}

func TestEventVerifyAllValid(t *testing.T) {
	v := loadVectors(t)
	var in strings.Builder
	for _, c := range v.Valid {
		fmt.Fprintln(&in, oneLine(t, c.Event))
	}
	code, stdout, stderr := runCmd(t, in.String(), "event", "verify")
	if code != 0 || stderr != "" {
		t.Errorf("exit code %d, stderr %q; want 0 and nothing", code, stderr)
	}
	if got := len(outputLines(stdout)); got != len(v.Valid) {
		t.Errorf("%d lines of output for %d events", got, len(v.Valid))
	}
}

func TestEventVerifyGarbageAndEmptyLines(t *testing.T) {
	v := loadVectors(t)
	ev := oneLine(t, v.Valid[0].Event)
	id := idOf(t, v.Valid[0].Event)
	in := "\n   \n" + // lines 1, 2: ignored
		"  " + ev + " \r\n" + // 3: surrounding whitespace and a CRLF are fine
		"\r\n" + // 4: ignored
		"not json at all\n" + // 5
		"{}\n" + // 6
		`{"id":"` + id + `","kind":"one"}` + "\n" + // 7: names an id, but is no event
		`[` + ev + `]` + "\n" + // 8: an array, not an object
		ev // 9: last line without a newline

	code, stdout, stderr := runCmd(t, in, "event", "verify")
	if code != 1 {
		t.Errorf("exit code %d, want 1 (stderr %q)", code, stderr)
	}
	want := []string{
		"ok " + id,
		"invalid - line 5: ",
		"invalid - line 6: ",
		"invalid " + id + " line 7: ",
		"invalid - line 8: ",
		"ok " + id,
	}
	got := outputLines(stdout)
	if len(got) != len(want) {
		t.Fatalf("output:\n%s\nwant %d lines", stdout, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) || (strings.HasPrefix(want[i], "ok") && got[i] != want[i]) {
			t.Errorf("line %d of output = %q, want %q...", i+1, got[i], want[i])
		}
	}
}

// endlessLine yields n bytes of 'x', then the rest.
type endlessLine struct {
	n    int
	rest io.Reader
}

func (r *endlessLine) Read(p []byte) (int, error) {
	if r.n == 0 {
		return r.rest.Read(p)
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	r.n -= k
	return k, nil
}

func TestEventVerifyOverlongLineIsNotBuffered(t *testing.T) {
	v := loadVectors(t)
	ev := oneLine(t, v.Valid[0].Event)
	const long = 64 << 20
	in := &endlessLine{n: long, rest: strings.NewReader("\n" + ev + "\n")}
	var stdout, stderr bytes.Buffer

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	code := run([]string{"event", "verify"}, in, &stdout, &stderr)
	runtime.ReadMemStats(&after)

	if code != 1 {
		t.Errorf("exit code %d, want 1 (stderr %q)", code, stderr.String())
	}
	got := outputLines(stdout.String())
	wantFirst := fmt.Sprintf("invalid - line 1: %d bytes long", long)
	if len(got) != 2 || !strings.HasPrefix(got[0], wantFirst) || got[1] != "ok "+idOf(t, v.Valid[0].Event) {
		t.Fatalf("output:\n%s\nwant %q... then the next event ok", stdout.String(), wantFirst)
	}
	// Reading the line into memory would allocate at least its 64 MiB.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("verifying allocated %d MiB for a %d MiB line; it must not hold the line", alloc>>20, long>>20)
	}
}

func TestReadLineLimit(t *testing.T) {
	const max = 10
	in := "0123456789\n" + "0123456789a\n" + "\n" + "0123456789abcdefghij\n" + "tail"
	r := bufio.NewReaderSize(strings.NewReader(in), 16)
	want := []struct {
		line   string
		long   bool
		length int
	}{
		{"0123456789", false, 10},
		{"", true, 11},
		{"", false, 0},
		{"", true, 20}, // longer than the reader's buffer
		{"tail", false, 4},
	}
	for i, w := range want {
		line, length, err := readLine(r, max)
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if (line == nil) != w.long || string(line) != w.line || length != w.length {
			t.Errorf("line %d: got %q (nil %v), length %d; want %q (too long %v), length %d",
				i+1, line, line == nil, length, w.line, w.long, w.length)
		}
	}
	if _, _, err := readLine(r, max); err != io.EOF {
		t.Errorf("after the last line: err %v, want io.EOF", err)
	}
}
