package lightnode

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"postwork/chain"
	"postwork/chain/chaintest"
	"postwork/chain/nostr"
	"postwork/wasm/headerstore"
	"postwork/wasm/kv"
)

func proofAnswer(t *testing.T, b *chain.Block, i int, status string) []byte {
	t.Helper()
	proof, err := b.ProveEvent(i)
	if err != nil {
		t.Fatal(err)
	}
	hs := make([]string, len(proof))
	for j, p := range proof {
		hs[j] = chain.Hash(p).String()
	}
	raw, _ := json.Marshal(map[string]any{
		"event":  b.Events[i],
		"status": status,
		"block":  map[string]any{"hash": b.Hash().String(), "height": b.Header.Height},
		"proof":  map[string]any{"index": i + 1, "size": len(b.Events) + 1, "hashes": hs},
	})
	return raw
}

func TestVerifyProof(t *testing.T) {
	p := chain.TestNet
	posts := []*nostr.Event{
		chaintest.Post(t, 1, "a", p.GenesisTime), chaintest.Post(t, 2, "b", p.GenesisTime), chaintest.Post(t, 3, "c", p.GenesisTime),
	}
	blocks := chaintest.Branch(t, p, &p.Genesis().Header, 3, "x")
	last := &blocks[2].Header
	b := chaintest.Child(t, p, last, last.Time+1, "posts", posts...)
	s, _ := headerstore.Open(kv.NewMem())
	c, err := chain.New(p, s, chain.Config{HeadersOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, blk := range append(blocks, b) {
		if _, err := c.ProcessHeader(&blk.Header, blk.Header.Time); err != nil {
			t.Fatal(err)
		}
	}
	for i, e := range posts {
		hash, height, err := verifyProof(c, e, proofAnswer(t, b, i, "confirmed"))
		if err != nil || hash != b.Hash() || height != 4 {
			t.Fatalf("post %d: %v %d %v", i, hash, height, err)
		}
	}
	// The proof of one post does not confirm another.
	if _, _, err := verifyProof(c, posts[0], proofAnswer(t, b, 1, "confirmed")); err == nil || errors.Is(err, errNotConfirmed) {
		t.Fatalf("a proof of another post was accepted: %v", err)
	}
	if _, _, err := verifyProof(c, posts[0], proofAnswer(t, b, 0, "pending")); !errors.Is(err, errNotConfirmed) {
		t.Fatalf("pending: %v", err)
	}
	// A block we do not have at that height.
	forged := strings.Replace(string(proofAnswer(t, b, 0, "confirmed")), `"height":4`, `"height":3`, 1)
	if _, _, err := verifyProof(c, posts[0], []byte(forged)); !errors.Is(err, errNotConfirmed) {
		t.Fatalf("wrong height: %v", err)
	}
	for _, bad := range []string{`{`, `{"status":"confirmed"}`, `{"status":"confirmed","block":{"hash":"zz","height":4},"proof":{}}`} {
		if _, _, err := verifyProof(c, posts[0], []byte(bad)); err == nil || errors.Is(err, errNotConfirmed) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestAPIPostURL(t *testing.T) {
	got, err := apiPostURL("wss://node.example:8443/ws?x=1", [32]byte{0xab})
	if err != nil || got != "https://node.example:8443/api/posts/ab"+strings.Repeat("0", 62) {
		t.Fatalf("%s %v", got, err)
	}
}

func FuzzVerifyProof(f *testing.F) {
	p := chain.TestNet
	e := chaintest.Post(f, 1, "a", p.GenesisTime)
	b := chaintest.Child(f, p, &p.Genesis().Header, p.GenesisTime+1, "x", e)
	s, _ := headerstore.Open(kv.NewMem())
	c, _ := chain.New(p, s, chain.Config{HeadersOnly: true})
	c.ProcessHeader(&b.Header, b.Header.Time)
	proof, _ := b.ProveEvent(0)
	raw, _ := json.Marshal(map[string]any{"status": "confirmed", "block": map[string]any{"hash": b.Hash().String(), "height": 1},
		"proof": map[string]any{"index": 1, "size": 2, "hashes": []string{chain.Hash(proof[0]).String()}}})
	f.Add(raw)
	f.Add([]byte(`{"status":"confirmed","block":{"hash":"` + b.Hash().String() + `","height":1},"proof":{"index":-1,"size":99999999999,"hashes":[]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		verifyProof(c, e, body)
	})
}
