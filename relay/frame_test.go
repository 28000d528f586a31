package relay

import (
	"sync"
	"sync/atomic"
	"testing"
)

// A frame is shared once it went to two connections, and its transport
// encoding is made once however many ask at the same time.
func TestFrameSharedEncodedOnce(t *testing.T) {
	h := newHarness(t)
	c1, _ := h.connect("192.0.2.1")
	c2, _ := h.connect("192.0.2.2")
	f := NewFrame([]byte(`["NOTICE","x"]`))
	c1.sendShared(f)
	if f.Shared() {
		t.Error("a frame sent to one connection counts as shared")
	}
	c2.sendShared(f)
	if !f.Shared() {
		t.Error("a frame sent to two connections does not count as shared")
	}
	var made atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got := f.Encoded(func(data []byte) any { made.Add(1); return string(data) + "!" })
			if got != `["NOTICE","x"]!` {
				t.Errorf("Encoded = %v", got)
			}
		})
	}
	wg.Wait()
	if made.Load() != 1 {
		t.Errorf("encoded %d times, want once", made.Load())
	}
}
