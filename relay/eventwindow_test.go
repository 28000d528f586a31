package relay

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"postwork/chain/nostr"
	"postwork/chain/wire"
)

// gatedBackend holds each SubmitEvent until release is closed, counting
// how many are inside at once.
type gatedBackend struct {
	fakeBackend
	release chan struct{}

	mu          sync.Mutex
	inside, max int
	entered     chan struct{}
}

func (b *gatedBackend) SubmitEvent(ctx context.Context, from *Client, ev *nostr.Event) error {
	b.mu.Lock()
	b.inside++
	b.max = max(b.max, b.inside)
	b.mu.Unlock()
	b.entered <- struct{}{}
	<-b.release
	b.mu.Lock()
	b.inside--
	b.mu.Unlock()
	return b.fakeBackend.SubmitEvent(ctx, from, ev)
}

// One connection's EVENTs are submitted together, up to the window, and
// the reader waits while the window is full; each is answered OK, and Drain
// returns once all are.
func TestEventWindow(t *testing.T) {
	const window = 4
	b := &gatedBackend{release: make(chan struct{}), entered: make(chan struct{}, 100)}
	r := New(b, Options{EventWindow: window})
	conn := &fakeConn{ip: "192.0.2.1"}
	c, err := r.Connect(conn)
	if err != nil {
		t.Fatal(err)
	}
	evs := make([]*nostr.Event, window+2)
	for i := range evs {
		evs[i] = post(t, 1, fmt.Sprintf("window %d", i))
	}
	handled := make(chan int, len(evs))
	go func() { // hands the events over, as a reader does, until the last returns
		for i, ev := range evs {
			c.Handle(context.Background(), wire.Encode(&wire.MsgEvent{Event: ev}))
			handled <- i
		}
	}()
	for range window {
		select {
		case <-b.entered:
		case <-time.After(10 * time.Second):
			t.Fatal("the window's events were not submitted together")
		}
	}
	// Handle of the fifth waits for a free slot (it returned for the four).
	for range window {
		<-handled
	}
	select {
	case i := <-handled:
		t.Fatalf("Handle of event %d returned while the window was full", i)
	case <-b.entered:
		t.Fatal("more events submitted than the window allows")
	case <-time.After(50 * time.Millisecond):
	}
	close(b.release)
	for range 2 {
		<-handled
	}
	c.Drain()
	oks := map[[32]byte]bool{}
	for _, m := range conn.messages(t) {
		ok, is := m.(*wire.MsgOK)
		if !is || !ok.Accepted {
			t.Fatalf("sent %s, want OK true", wire.Encode(m))
		}
		oks[ok.EventID] = true
	}
	for i, ev := range evs {
		if !oks[ev.ID] {
			t.Errorf("event %d not answered", i)
		}
	}
	if b.max != window {
		t.Errorf("%d submissions at once, want the window, %d", b.max, window)
	}
}

// With a window of 1 the events are handled on the reader, in order.
func TestEventWindowOne(t *testing.T) {
	h := newHarness(t)
	h.r = New(h.b, Options{Now: h.clock.Now, EventWindow: 1})
	c, conn := h.connect("192.0.2.1")
	if c.window != nil {
		t.Fatal("a window of 1 still hands events to goroutines")
	}
	ev := post(t, 1, "in order")
	c.Handle(context.Background(), wire.Encode(&wire.MsgEvent{Event: ev}))
	if ok := only[*wire.MsgOK](t, conn.messages(t)); !ok.Accepted || ok.EventID != ev.ID {
		t.Errorf("OK %+v", ok)
	}
}
