package store

import (
	"bytes"
	"errors"
	"testing"

	"postwork/chain"
	"postwork/chain/nostr"
)

// FuzzDecodeStoredRows feeds arbitrary bytes to the decoders of stored
// rows, as a damaged file would: they never panic, fail only with
// ErrCorrupt, and what they accept is the row it claims to be.
func FuzzDecodeStoredRows(f *testing.F) {
	e := &nostr.Event{Kind: 1, CreatedAt: 1000, Content: "seed", Tags: [][]string{{"t", "x"}}}
	if err := e.Sign(testKey(2)); err != nil {
		f.Fatal(err)
	}
	g := chain.TestNet.Genesis()
	b := &chain.Block{Header: g.Header, Coinbase: chain.Coinbase{Extra: []byte("x")}, Events: []*nostr.Event{e}}
	hdr := g.Header.Encode()
	f.Add(e.ID[:], e.AppendBinary(nil), hdr[:], b.EncodeBody())
	f.Add(e.ID[:], e.AppendBinary(nil)[:50], hdr[:10], b.EncodeBody()[:40])
	f.Add([]byte{}, []byte{}, []byte{}, []byte{})
	f.Add(make([]byte, 32), make([]byte, 200), make([]byte, 96), []byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, id, event, header, body []byte) {
		ev, err := decodePost(id, event)
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("decodePost: %v is not ErrCorrupt", err)
		}
		if err == nil {
			if !bytes.Equal(ev.ID[:], id) {
				t.Fatalf("accepted a post hashing to %x as %x", ev.ID, id)
			}
			again, err := decodePost(id, ev.AppendBinary(nil))
			if err != nil || again.ID != ev.ID || again.Sig != ev.Sig {
				t.Fatalf("re-encoded post does not decode to itself: %v", err)
			}
		}
		var hash chain.Hash
		if h, err := chain.DecodeHeader(header); err == nil {
			hash = h.Hash()
		}
		blk, err := decodeBlock(hash, header, body)
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("decodeBlock: %v is not ErrCorrupt", err)
		}
		if err == nil && blk.Hash() != hash {
			t.Fatalf("accepted block %s as %s", blk.Hash(), hash)
		}
	})
}
