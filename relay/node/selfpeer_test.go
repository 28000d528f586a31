package node

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// logCapture records every log message, at every level.
type logCapture struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logCapture) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCapture) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logCapture) WithGroup(string) slog.Handler            { return l }
func (l *logCapture) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, b.String())
	return nil
}

// count is how many messages start with prefix.
func (l *logCapture) count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.msgs {
		if strings.HasPrefix(m, prefix) {
			n++
		}
	}
	return n
}

// A node given its own URL as a peer finds out from the nonce in HELLO,
// says so, and stops dialling it, while it peers with a real node as usual.
func TestSelfPeeringDetected(t *testing.T) {
	clk := newClock()
	logs := &logCapture{}
	n := startNode(t, clk, func(c *Config) { c.Logger = slog.New(logs) })
	other := startNode(t, clk)
	if err := n.AddPeer(n.url); err != nil {
		t.Fatal(err)
	}
	if err := n.AddPeer(other.url); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the self-connection to be found", func() bool { return logs.count("not dialling peer again") > 0 })
	waitFor(t, "the other node to be a peer", func() bool { return n.peerCount() == 1 })
	if p := n.Peers(); p[0].URL != other.url {
		t.Errorf("peers %+v, want only %s", p, other.url)
	}
	// Not dialled again: no new connection through a few redial periods
	// (the test nodes redial after 20 to 200 ms).
	connects := logs.count("connect ")
	time.Sleep(500 * time.Millisecond)
	if got := logs.count("connect "); got != connects {
		t.Errorf("%d connections after the self-connection was found, want none", got-connects)
	}
	if got := logs.count("not dialling peer again"); got != 1 {
		t.Errorf("self-connection reported %d times, want once", got)
	}
	if n.peerCount() != 1 {
		t.Errorf("%d peers, want 1", n.peerCount())
	}
}
