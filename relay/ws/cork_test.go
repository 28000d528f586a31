package ws

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// countConn counts the writes that reach the socket.
type countConn struct {
	net.Conn
	writes int
}

func (c *countConn) Write(p []byte) (int, error) {
	c.writes++
	return c.Conn.Write(p)
}

// Corked writes go out in order and together: small ones in one write, a
// large one after what was held before it, nothing held after uncork, and
// writes while not corked at once.
func TestCorkConn(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	got := make(chan []byte, 1)
	go func() { // reads everything until a is closed
		data, _ := io.ReadAll(b)
		got <- data
	}()
	cc := &countConn{Conn: a}
	c := &corkConn{Conn: cc}
	big := strings.Repeat("B", corkDirect+1)
	var want bytes.Buffer
	write := func(s string) {
		t.Helper()
		if n, err := c.Write([]byte(s)); err != nil || n != len(s) {
			t.Fatalf("write of %d bytes: %d, %v", len(s), n, err)
		}
		want.WriteString(s)
	}
	c.cork()
	write("one")
	write("two")
	if cc.writes != 0 {
		t.Fatalf("%d writes while corked, want them held", cc.writes)
	}
	write(big) // flushes "onetwo" first, then goes straight through
	if cc.writes != 2 {
		t.Fatalf("%d writes after a large frame, want 2 (what was held, then it)", cc.writes)
	}
	write("three")
	// Held bytes never pass corkMax: a write that would is preceded by a
	// flush.
	for range corkMax/1000 + 1 {
		write(strings.Repeat("s", 1000))
	}
	if cc.writes != 3 {
		t.Fatalf("%d writes after filling the cork, want 3", cc.writes)
	}
	if err := c.uncork(); err != nil {
		t.Fatal(err)
	}
	if cc.writes != 4 || c.buf != nil {
		t.Fatalf("%d writes after uncork (want 4), buffer still held: %v", cc.writes, c.buf != nil)
	}
	write("four") // not corked: at once
	if cc.writes != 5 {
		t.Fatalf("%d writes, want 5", cc.writes)
	}
	// An unchanged deadline is not set again; a new one is.
	d := time.Now().Add(time.Minute)
	if err := c.SetWriteDeadline(d); err != nil || !c.deadline.Equal(d) {
		t.Fatalf("deadline %v, %v", c.deadline, err)
	}
	a.Close()
	if data := <-got; !bytes.Equal(data, want.Bytes()) {
		t.Errorf("the other end read %d bytes, not the %d written in order", len(data), want.Len())
	}
}
