package chain

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"postwork/chain/nostr"
)

func TestHeaderEncoding(t *testing.T) {
	h := Header{Version: 1, Height: 0x0102030405060708, Time: 1795305600, Bits: 0x1e00ffff, Nonce: 0xdeadbeefcafef00d}
	h.Prev[0], h.Merkle[31] = 0xaa, 0xbb
	enc := h.Encode()
	// The nonce is the last 8 bytes, so bytes 0–63 stay fixed while mining.
	if enc[95] != 0xde || enc[88] != 0x0d || enc[12] != 0xaa || enc[75] != 0xbb {
		t.Fatalf("field layout wrong: % x", enc)
	}
	got, err := DecodeHeader(enc[:])
	if err != nil || got != h {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	if _, err := DecodeHeader(enc[:95]); err == nil {
		t.Fatal("short header accepted")
	}
}

func testBlock(t testing.TB, n int) *Block {
	p := TestNet
	g := p.Genesis().Header
	var events []*nostr.Event
	for i := range n {
		e := &nostr.Event{Kind: 1, CreatedAt: g.Time, Content: fmt.Sprintf("post number %d", i),
			Tags: [][]string{{"t", "postwork"}, {"p", "0e2107e525275e014af752b2969affe7af885966ffffaef668f79443ab7342f0"}}}
		if err := e.Sign(testKey(byte(i%5 + 1))); err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	return child(t, p, &g, g.Time+1, events...)
}

func TestBlockRoundTrip(t *testing.T) {
	b := testBlock(t, 5)
	b.Coinbase.Extra = []byte("hi")
	enc := b.Encode()
	got, err := DecodeBlock(enc)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != b.Hash() || got.ComputeMerkle() != b.ComputeMerkle() || len(got.Events) != 5 {
		t.Fatal("decoded block differs")
	}
	for i := range b.Events {
		if got.Events[i].ID != b.Events[i].ID {
			t.Fatalf("event %d id differs", i)
		}
	}
	if !bytes.Equal(got.Encode(), enc) {
		t.Fatal("re-encoding differs")
	}
}

func TestDecodeBlockRejects(t *testing.T) {
	enc := testBlock(t, 2).Encode()
	cases := map[string][]byte{
		"empty":          nil,
		"header only":    enc[:HeaderSize],
		"truncated":      enc[:len(enc)-1],
		"trailing bytes": append(append([]byte(nil), enc...), 0),
		"huge count":     append(append([]byte(nil), enc[:HeaderSize+32+8+1]...), 0xff, 0xff, 0xff, 0xff, 0x0f),
	}
	for name, data := range cases {
		if _, err := DecodeBlock(data); err == nil || !IsRuleError(err) {
			t.Errorf("%s: got %v, want a rule error", name, err)
		}
	}
	big := make([]byte, MaxBlockSize+1)
	if _, err := DecodeBlock(big); !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("oversize block: %v", err)
	}
}

func TestEventInclusionProof(t *testing.T) {
	b := testBlock(t, 7)
	size := len(b.Events) + 1
	for i, e := range b.Events {
		proof, err := b.ProveEvent(i)
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyEventProof(&b.Header, e, i+1, size, proof); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if err := VerifyEventProof(&b.Header, b.Events[(i+1)%len(b.Events)], i+1, size, proof); err == nil {
			t.Fatalf("proof of event %d accepted for another event", i)
		}
	}
}

func FuzzDecodeBlock(f *testing.F) {
	b := testBlock(f, 3)
	f.Add(b.Encode())
	f.Add(b.Encode()[:HeaderSize+10])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		blk, err := DecodeBlock(data)
		if err != nil {
			return
		}
		if !bytes.Equal(blk.Encode(), data) {
			t.Fatal("decode then encode does not give the input back")
		}
	})
}

func FuzzDecodeHeader(f *testing.F) {
	h := TestNet.Genesis().Header
	enc := h.Encode()
	f.Add(enc[:])
	f.Add(enc[:10])
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := DecodeHeader(data)
		if err != nil {
			return
		}
		if enc := h.Encode(); !bytes.Equal(enc[:], data) {
			t.Fatal("header round trip differs")
		}
	})
}
