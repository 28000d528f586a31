package hub

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"postwork/chain"
	"postwork/chain/chaintest"
	"postwork/chain/nostr"
	"postwork/chain/wire"
)

// GET /api/posts/{id} as a light node reads it: a post in a block the hub
// holds on its best chain is confirmed with a proof that checks against
// the light node's own header; a post the hub holds otherwise is pending;
// a post only in a block off the best chain, or unknown, is 404; a bad id
// is 400.
func TestPostAPI(t *testing.T) {
	h, clk := testHub(t, nil)
	p := chain.TestNet
	full, err := chain.New(p, chain.NewMemStore(), chain.Config{})
	if err != nil {
		t.Fatal(err)
	}
	genesis := p.Genesis().Header
	blocks := chaintest.Branch(t, p, &genesis, 4, "full")
	posts := []*nostr.Event{
		chaintest.Post(t, 1, "first", genesis.Time+10),
		chaintest.Post(t, 2, "second", genesis.Time+11),
		chaintest.Post(t, 3, "third", genesis.Time+12),
	}
	blocks = append(blocks, chaintest.Child(t, p, &blocks[3].Header, blocks[3].Header.Time+1, "posts", posts...))
	blocks = append(blocks, chaintest.Child(t, p, &blocks[4].Header, blocks[4].Header.Time+1, "after"))
	for _, b := range blocks {
		if _, err := full.ProcessBlock(b, clk.Now().Unix()); err != nil {
			t.Fatal(err)
		}
	}
	tip := blocks[len(blocks)-1]

	node, ns := open(t, h, "node", "10.0.0.1")
	send(node, helloAt(&tip.Header, full))
	gh := ns.take(t)[1].(*wire.MsgGetHeaders)
	send(node, &wire.MsgHeaders{Headers: full.HeadersAfter(gh.Locator, gh.Stop, wire.MaxHeadersPerMsg)})
	for _, m := range ns.take(t) {
		for _, hash := range m.(*wire.MsgGetBlocks).Hashes {
			b, err := full.Block(hash)
			if err != nil {
				t.Fatal(err)
			}
			send(node, &wire.MsgBlock{Block: b})
		}
	}
	// A block off the best chain, with a post of its own.
	stray := chaintest.Post(t, 4, "stray", genesis.Time+13)
	side := chaintest.Child(t, p, &blocks[3].Header, blocks[3].Header.Time+2, "side", stray)
	send(node, &wire.MsgBlock{Block: side})
	// A post given to the hub, in no block.
	pending := chaintest.Post(t, 5, "pending", clk.Now().Unix())
	client, cs := open(t, h, "client", "10.0.0.2")
	send(client, &wire.MsgEvent{Event: pending})
	if ok := okFor(t, cs.take(t), pending.ID); !ok.Accepted {
		t.Fatalf("post refused: %s", ok.Reason)
	}

	var answer struct {
		Event *struct {
			ID string `json:"id"`
		} `json:"event"`
		Status string `json:"status"`
		Block  *struct {
			Hash   string `json:"hash"`
			Height uint64 `json:"height"`
		} `json:"block"`
		Confirmations uint64 `json:"confirmations"`
		Proof         *struct {
			Index  int      `json:"index"`
			Size   int      `json:"size"`
			Hashes []string `json:"hashes"`
		} `json:"proof"`
		Error string `json:"error"`
	}
	get := func(id string, want int) {
		t.Helper()
		status, body := h.PostAPI(id)
		if status != want {
			t.Fatalf("GET /api/posts/%s: %d %s, want %d", id, status, body, want)
		}
		answer.Event, answer.Block, answer.Proof, answer.Status, answer.Error = nil, nil, nil, "", ""
		if err := json.Unmarshal(body, &answer); err != nil {
			t.Fatalf("GET /api/posts/%s: %s: %v", id, body, err)
		}
	}

	for i, ev := range posts {
		get(hexID(ev.ID), 200)
		if answer.Status != "confirmed" || answer.Block == nil || answer.Proof == nil || answer.Event == nil || answer.Event.ID != hexID(ev.ID) {
			t.Fatalf("post %d: %+v, want confirmed with block and proof", i, answer)
		}
		if answer.Block.Height != 5 || answer.Block.Hash != blocks[4].Hash().String() || answer.Confirmations != 2 {
			t.Errorf("post %d: block %+v, %d confirmations; want %s at 5, 2", i, answer.Block, answer.Confirmations, blocks[4].Hash())
		}
		// What the page does: check the proof against its own header.
		proof := make([][32]byte, len(answer.Proof.Hashes))
		for j, s := range answer.Proof.Hashes {
			hh, err := chain.ParseHash(s)
			if err != nil {
				t.Fatal(err)
			}
			proof[j] = hh
		}
		hdr, _ := full.HeaderAt(5)
		if err := chain.VerifyEventProof(&hdr, ev, answer.Proof.Index, answer.Proof.Size, proof); err != nil {
			t.Errorf("post %d: proof does not verify: %v", i, err)
		}
		if answer.Proof.Index != i+1 || answer.Proof.Size != 4 {
			t.Errorf("post %d: proof leaf %d of %d, want %d of 4", i, answer.Proof.Index, answer.Proof.Size, i+1)
		}
	}

	get(hexID(pending.ID), 200)
	if answer.Status != "pending" || answer.Block != nil || answer.Proof != nil || answer.Event == nil || answer.Event.ID != hexID(pending.ID) {
		t.Errorf("a post in no block: %+v, want pending without block or proof", answer)
	}
	get(hexID(stray.ID), 404)
	if !strings.Contains(answer.Error, "no post") {
		t.Errorf("a post only off the best chain: error %q", answer.Error)
	}
	get(strings.Repeat("ab", 32), 404)
	for _, bad := range []string{"", "xyz", strings.Repeat("a", 63), strings.Repeat("g", 64), strings.Repeat("a", 200)} {
		get(bad, 400)
		if !strings.Contains(answer.Error, "post id") {
			t.Errorf("id %q: error %q", bad, answer.Error)
		}
	}
}

func hexID(id [32]byte) string { return hex.EncodeToString(id[:]) }
