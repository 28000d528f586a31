package api_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"testing"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/relay/node"
)

type tipJSON struct {
	Height uint64 `json:"height"`
	Hash   string `json:"hash"`
	Work   string `json:"work"`
	Time   int64  `json:"time"`
	Bits   string `json:"bits"`
}

type headerJSON struct {
	Height        uint64 `json:"height"`
	Hash          string `json:"hash"`
	Prev          string `json:"prev"`
	Merkle        string `json:"merkle"`
	Time          int64  `json:"time"`
	Bits          string `json:"bits"`
	Nonce         string `json:"nonce"`
	Confirmations uint64 `json:"confirmations"`
}

type blockJSON struct {
	headerJSON
	BestChain bool `json:"best_chain"`
	HasBody   bool `json:"has_body"`
	Coinbase  *struct {
		PubKey string `json:"pubkey"`
		Npub   string `json:"npub"`
		Reward uint64 `json:"reward"`
	} `json:"coinbase"`
	Posts []json.RawMessage `json:"posts"`
}

type postJSON struct {
	Event  json.RawMessage `json:"event"`
	Status string          `json:"status"`
	Block  *struct {
		Hash   string `json:"hash"`
		Height uint64 `json:"height"`
	} `json:"block"`
	Confirmations uint64 `json:"confirmations"`
	Proof         *struct {
		Index  int      `json:"index"`
		Size   int      `json:"size"`
		Hashes []string `json:"hashes"`
		Root   string   `json:"root"`
	} `json:"proof"`
}

func parseEvent(t *testing.T, raw json.RawMessage) *nostr.Event {
	t.Helper()
	ev, err := nostr.Parse(raw)
	if err != nil {
		t.Fatalf("event in the answer does not parse: %v\n%s", err, raw)
	}
	if err := ev.Verify(); err != nil {
		t.Fatalf("event in the answer does not verify: %v", err)
	}
	return ev
}

func TestTip(t *testing.T) {
	e := start(t)
	e.mine()
	b := e.mine()
	var tip tipJSON
	e.getJSON("/api/tip", &tip)
	want := e.node.Chain().Tip()
	if tip.Height != 2 || tip.Hash != b.Hash().String() || tip.Time != b.Header.Time || tip.Bits != fmt.Sprintf("%08x", b.Header.Bits) {
		t.Errorf("tip %+v, want height 2, block %s", tip, b.Hash())
	}
	if w, ok := new(big.Int).SetString(tip.Work, 16); !ok || w.Cmp(want.Work) != 0 {
		t.Errorf("work %q, want %x", tip.Work, want.Work)
	}
	wantError(t, "tip with a parameter", e.get("/api/tip?x=1"), 400, `unknown parameter "x"`)
}

func TestBlocksList(t *testing.T) {
	e := start(t)
	for range 5 {
		e.mine()
	}
	var list struct {
		Tip    uint64       `json:"tip"`
		Blocks []headerJSON `json:"blocks"`
	}
	e.getJSON("/api/blocks?from=1&limit=3", &list)
	if list.Tip != 5 || len(list.Blocks) != 3 || list.Blocks[0].Height != 1 || list.Blocks[2].Height != 3 {
		t.Fatalf("from=1&limit=3 gave tip %d, %+v", list.Tip, list.Blocks)
	}
	for i, b := range list.Blocks {
		hd, _ := e.node.Chain().HeaderAt(b.Height)
		if b.Hash != hd.Hash().String() || b.Prev != hd.Prev.String() || b.Nonce != fmt.Sprint(hd.Nonce) || b.Confirmations != 5-b.Height+1 {
			t.Errorf("block %d: %+v, want header %+v", i, b, hd)
		}
	}
	e.getJSON("/api/blocks?limit=2", &list)
	if len(list.Blocks) != 2 || list.Blocks[1].Height != 5 {
		t.Errorf("without from: %+v, want heights 4 and 5", list.Blocks)
	}
	e.getJSON("/api/blocks?from=99", &list)
	if list.Blocks == nil || len(list.Blocks) != 0 {
		t.Errorf("from beyond the tip: %+v, want an empty list", list.Blocks)
	}
	wantError(t, "limit 0", e.get("/api/blocks?limit=0"), 400, "limit=0 is out of range")
	wantError(t, "limit too big", e.get("/api/blocks?limit=501"), 400, "out of range")
	wantError(t, "from not a number", e.get("/api/blocks?from=-1"), 400, `from="-1" is not`)
	wantError(t, "from twice", e.get("/api/blocks?from=1&from=2"), 400, "given 2 times")
	wantError(t, "long value", e.get("/api/blocks?from="+strings.Repeat("1", 200)), 400, "longer than")
}

func TestBlockByRef(t *testing.T) {
	e := start(t)
	ev := signed(t, "in block 1", 0)
	if r := e.do("POST", "/api/posts", eventJSON(ev)); r.status != http.StatusAccepted {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	b := e.mine()
	e.mine()
	for _, ref := range []string{"1", b.Hash().String(), strings.ToUpper(b.Hash().String())} {
		var got blockJSON
		e.getJSON("/api/blocks/"+ref, &got)
		if got.Hash != b.Hash().String() || got.Height != 1 || !got.BestChain || !got.HasBody || got.Confirmations != 2 {
			t.Errorf("%s: %+v", ref, got.headerJSON)
		}
		miner := nostr.PublicKey(e.key)
		if got.Coinbase == nil || got.Coinbase.PubKey != hex.EncodeToString(miner[:]) ||
			got.Coinbase.Npub != nostr.EncodeNpub(miner) || got.Coinbase.Reward != chain.TestNet.Reward(1) {
			t.Errorf("%s: coinbase %+v", ref, got.Coinbase)
		}
		if len(got.Posts) != 1 || parseEvent(t, got.Posts[0]).ID != ev.ID {
			t.Errorf("%s: posts %s", ref, got.Posts)
		}
	}
	var genesis blockJSON
	e.getJSON("/api/blocks/0", &genesis)
	if genesis.Hash != chain.TestNet.GenesisHash().String() || genesis.Posts == nil || len(genesis.Posts) != 0 {
		t.Errorf("genesis: %+v posts %v", genesis.headerJSON, genesis.Posts)
	}
	wantError(t, "height beyond the tip", e.get("/api/blocks/3"), 404, "no block at height 3", "tip is at 2")
	wantError(t, "unknown hash", e.get("/api/blocks/"+strings.Repeat("ab", 32)), 404, "no block with hash")
	wantError(t, "garbage", e.get("/api/blocks/tip"), 400, `"tip" is neither a height nor`)
	wantError(t, "negative", e.get("/api/blocks/-1"), 400, "neither a height")
	wantError(t, "leading zero", e.get("/api/blocks/01"), 400, "neither a height")
}

func TestPostLifecycleAndProof(t *testing.T) {
	e := start(t)
	ev := signed(t, "follow me from pending to confirmed", 0)
	r := e.do("POST", "/api/posts", eventJSON(ev))
	var sub struct{ ID, Status string }
	r.json(t, &sub)
	if r.status != http.StatusAccepted || sub.ID != hex.EncodeToString(ev.ID[:]) || sub.Status != "pending" {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	// Known and pending: 200, not 202.
	r = e.do("POST", "/api/posts", eventJSON(ev))
	r.json(t, &sub)
	if r.status != http.StatusOK || sub.Status != "pending" {
		t.Errorf("resubmitted pending post: %d %s", r.status, r.body)
	}

	path := "/api/posts/" + hex.EncodeToString(ev.ID[:])
	var p postJSON
	e.getJSON(path, &p)
	if p.Status != "pending" || p.Block != nil || p.Proof != nil || p.Confirmations != 0 || parseEvent(t, p.Event).ID != ev.ID {
		t.Errorf("pending post: %s", e.get(path).body)
	}

	// Other posts in the block make the proof more than one hash.
	for i := range 4 {
		if r := e.do("POST", "/api/posts", eventJSON(signed(t, fmt.Sprint("filler ", i), 0))); r.status != http.StatusAccepted {
			t.Fatalf("filler: %d %s", r.status, r.body)
		}
	}
	b := e.mine()
	e.mine()
	e.getJSON(path, &p)
	if p.Status != "confirmed" || p.Block == nil || p.Block.Hash != b.Hash().String() || p.Block.Height != b.Header.Height || p.Confirmations != 2 {
		t.Fatalf("confirmed post: %s", e.get(path).body)
	}
	if p.Proof == nil || p.Proof.Size != len(b.Events)+1 || p.Proof.Root != b.Header.Merkle.String() {
		t.Fatalf("proof %+v for a block of %d posts", p.Proof, len(b.Events))
	}
	// The proof checks against the header the API gives, as a light
	// client would check it.
	var hdr headerJSON
	e.getJSON("/api/blocks/"+p.Block.Hash, &hdr)
	var h chain.Header
	h.Version, h.Height, h.Time = 1, hdr.Height, hdr.Time
	h.Prev, _ = chain.ParseHash(hdr.Prev)
	h.Merkle, _ = chain.ParseHash(hdr.Merkle)
	fmt.Sscanf(hdr.Bits, "%x", &h.Bits)
	fmt.Sscan(hdr.Nonce, &h.Nonce)
	if h.Hash().String() != hdr.Hash {
		t.Fatalf("header fields from the API do not hash to its hash")
	}
	proof := make([][32]byte, len(p.Proof.Hashes))
	for i, s := range p.Proof.Hashes {
		hex.Decode(proof[i][:], []byte(s))
	}
	got := parseEvent(t, p.Event)
	if err := chain.VerifyEventProof(&h, got, p.Proof.Index, p.Proof.Size, proof); err != nil {
		t.Errorf("the proof does not verify: %v", err)
	}
	proof[0][0] ^= 1
	if chain.VerifyEventProof(&h, got, p.Proof.Index, p.Proof.Size, proof) == nil {
		t.Error("a tampered proof verifies")
	}

	// Known and confirmed: 200 with the status.
	r = e.do("POST", "/api/posts", eventJSON(ev))
	r.json(t, &sub)
	if r.status != http.StatusOK || sub.Status != "confirmed" {
		t.Errorf("resubmitted confirmed post: %d %s", r.status, r.body)
	}

	wantError(t, "unknown id", e.get("/api/posts/"+strings.Repeat("0", 64)), 404, "no post with id")
	wantError(t, "short id", e.get("/api/posts/abc"), 400, `"abc" is not 64 hexadecimal`)
}

func TestSubmitRefusals(t *testing.T) {
	e := start(t, func(c *node.Config) { c.MinPoW = 8 })
	weak := signed(t, "too little work", 0)
	for weak.PoW() >= 8 {
		weak = signed(t, weak.Content+".", 0)
	}
	wantError(t, "weak post", e.do("POST", "/api/posts", eventJSON(weak)), 422, "pow: difficulty")

	bad := *signed(t, "bad signature", 8)
	bad.Sig[5] ^= 1
	wantError(t, "bad signature", e.do("POST", "/api/posts", eventJSON(&bad)), 400, "invalid: ", "signature")

	tampered := *signed(t, "tampered", 8)
	tampered.Content = "changed"
	wantError(t, "tampered", e.do("POST", "/api/posts", eventJSON(&tampered)), 400, "invalid: ")

	wantError(t, "not JSON", e.do("POST", "/api/posts", []byte("hello")), 400, "invalid: ")
	wantError(t, "extra key", e.do("POST", "/api/posts", []byte(strings.Replace(string(eventJSON(signed(t, "x", 8))), `{`, `{"extra":1,`, 1))), 400, "invalid: ")
	wantError(t, "empty body", e.do("POST", "/api/posts", nil), 400, "empty body")
	wantError(t, "huge body", e.do("POST", "/api/posts", make([]byte, 200<<10)), 413, "larger than the limit")

	future := &nostr.Event{PubKey: nostr.PublicKey(authorKey), CreatedAt: nostr.MaxCreatedAt, Kind: 1, Tags: [][]string{}, Content: "from the future"}
	nostr.MinePoW(t.Context(), future, 8, nil)
	future.Sign(authorKey)
	wantError(t, "future post", e.do("POST", "/api/posts", eventJSON(future)), 400, "invalid: created_at")

	if n := e.node.Pool().Len(); n != 0 {
		t.Errorf("%d posts pending after refusals", n)
	}
	ok := signed(t, "enough work", 8)
	if r := e.do("POST", "/api/posts", eventJSON(ok)); r.status != http.StatusAccepted {
		t.Errorf("a good post after refusals: %d %s", r.status, r.body)
	}
}
