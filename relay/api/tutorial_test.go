package api_test

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"postwork/chain/nostr"
	"postwork/relay/node"
)

// The tutorial's chain, as its client reads it.
type tutorialChain struct {
	Length int `json:"length"`
	Chain  []struct {
		Index        int `json:"index"`
		Transactions []struct {
			Author    string  `json:"author"`
			Content   string  `json:"content"`
			Timestamp float64 `json:"timestamp"`
		} `json:"transactions"`
		Timestamp    float64 `json:"timestamp"`
		PreviousHash string  `json:"previous_hash"`
		Nonce        uint64  `json:"nonce"`
		Hash         string  `json:"hash"`
	} `json:"chain"`
	Peers []string `json:"peers"`
}

type tutorialPost struct {
	Author, Content string
	Timestamp       float64
	Index           int
}

// fetchPosts is the tutorial web client's fetch_posts: GET /chain, every
// transaction of every block tagged with its block's index, newest first.
func fetchPosts(e *env) (tutorialChain, []tutorialPost) {
	e.t.Helper()
	r := e.get("/chain")
	if r.status != http.StatusOK {
		e.t.Fatalf("GET /chain: %d %s", r.status, r.body)
	}
	var c tutorialChain
	if err := json.Unmarshal(r.body, &c); err != nil {
		e.t.Fatalf("/chain: %v", err)
	}
	var posts []tutorialPost
	for _, b := range c.Chain {
		for _, tx := range b.Transactions {
			posts = append(posts, tutorialPost{tx.Author, tx.Content, tx.Timestamp, b.Index})
		}
	}
	sort.SliceStable(posts, func(i, j int) bool { return posts[i].Timestamp > posts[j].Timestamp })
	return c, posts
}

// The Python tutorial's flow, with the requests its client makes: post
// {author, content} as JSON, see it pending, mine, read it back from
// /chain with author, content and a timestamp in seconds.
func TestTutorialFlow(t *testing.T) {
	e := start(t, func(c *node.Config) { c.MinPoW = 6 })
	if got := e.get("/mine"); got.status != 200 || string(got.body) != "No transactions to mine" {
		t.Errorf("mine with nothing pending: %d %q", got.status, got.body)
	}
	before := time.Now().Unix()
	r := e.postJSON("/new_transaction", map[string]string{"author": "alice", "content": "Hello, blockchain!"})
	if r.status != http.StatusCreated || string(r.body) != "Success" {
		t.Fatalf("new_transaction: %d %q", r.status, r.body)
	}
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, "/api/posts/") {
		t.Fatalf("Location %q", loc)
	}

	var pending []struct {
		Author, Content string
		Timestamp       int64
	}
	e.getJSON("/pending_tx", &pending)
	if len(pending) != 1 || pending[0].Author != "alice" || pending[0].Content != "Hello, blockchain!" || pending[0].Timestamp < before {
		t.Fatalf("pending_tx: %+v", pending)
	}
	// The node signed it with its key, tagged the author and did the work.
	var p postJSON
	e.getJSON(loc, &p)
	ev := parseEvent(t, p.Event)
	if ev.PubKey != nostr.PublicKey(e.key) || ev.PoW() < 6 || ev.Tags[0][0] != "author" || ev.Tags[0][1] != "alice" {
		t.Errorf("the node's post: %s", p.Event)
	}

	r = e.get("/mine")
	if r.status != 200 || string(r.body) != "Block #1 is mined." {
		t.Fatalf("mine: %d %q", r.status, r.body)
	}
	e.getJSON("/pending_tx", &pending)
	if len(pending) != 0 {
		t.Errorf("still pending after mining: %+v", pending)
	}
	c, posts := fetchPosts(e)
	if c.Length != 2 || len(c.Chain) != 2 || c.Chain[1].Index != 1 || c.Chain[1].PreviousHash != c.Chain[0].Hash {
		t.Fatalf("/chain: length %d, %+v", c.Length, c.Chain)
	}
	if len(posts) != 1 || posts[0].Author != "alice" || posts[0].Content != "Hello, blockchain!" || posts[0].Index != 1 ||
		int64(posts[0].Timestamp) < before || int64(posts[0].Timestamp) > time.Now().Unix() {
		t.Errorf("posts read as the client does: %+v", posts)
	}
	if c.Peers == nil {
		t.Error(`"peers" is null, not a list`)
	}
	if got := e.get("/mine"); string(got.body) != "No transactions to mine" {
		t.Errorf("mine again: %q", got.body)
	}

	// Missing or empty fields: 400 with the reason, nothing pending.
	for _, c := range []struct{ body, reason string }{
		{`{"content": "no author"}`, `missing field "author"`},
		{`{"author": "bob"}`, `missing field "content"`},
		{`{"author": "", "content": "x"}`, `field "author" is empty`},
		{`{"author": "bob", "content": 5}`, `field "content" is not a string`},
		{`["author", "content"]`, "not a JSON object"},
		{`{"author": "bob", "content": "x"`, "not a JSON object"},
		{``, "empty body"},
	} {
		wantError(t, c.body, e.do("POST", "/new_transaction", []byte(c.body), "Content-Type", "application/json"), 400, c.reason)
	}
	wantError(t, "long author", e.postJSON("/new_transaction", map[string]string{"author": strings.Repeat("a", 300), "content": "x"}), 400, "author is 300 bytes")
	wantError(t, "GET new_transaction", e.get("/new_transaction"), 405, "use POST")
	if e.node.Pool().Len() != 0 {
		t.Errorf("refused transactions left %d posts pending", e.node.Pool().Len())
	}
}

// /chain is bounded: the newest ChainMaxBlocks blocks, oldest first, and
// the whole chain's length.
func TestTutorialChainBounded(t *testing.T) {
	e := start(t)
	for range 105 {
		e.mine()
	}
	c, _ := fetchPosts(e)
	if c.Length != 106 || len(c.Chain) != 100 || c.Chain[0].Index != 6 || c.Chain[99].Index != 105 {
		t.Errorf("length %d, %d blocks from %d", c.Length, len(c.Chain), c.Chain[0].Index)
	}
}

// register_with peers two nodes both ways and syncs them: the one with
// less work takes the other's chain.
func TestTutorialRegisterWith(t *testing.T) {
	a, b := start(t), start(t)
	for range 2 {
		a.mine()
	}
	b.postJSON("/new_transaction", map[string]string{"author": "bob", "content": "on b's chain"})
	for range 4 {
		b.mine()
	}
	r := a.postJSON("/register_with", map[string]string{"node_address": b.url + "/"})
	if r.status != http.StatusOK || string(r.body) != "Registration successful" {
		t.Fatalf("register_with: %d %q", r.status, r.body)
	}
	// Synced when the answer came: a has b's chain and bob's post.
	if a.node.Chain().Tip().Hash != b.node.Chain().Tip().Hash {
		t.Errorf("a at %d, b at %d after register_with", a.node.Chain().Tip().Header.Height, b.node.Chain().Tip().Header.Height)
	}
	_, posts := fetchPosts(a)
	if len(posts) != 1 || posts[0].Author != "bob" {
		t.Errorf("a's /chain posts: %+v", posts)
	}
	// Both ways: b dialled a (register_node) as a dialled b.
	outbound := func(e *env, to *env) bool {
		for _, p := range e.node.Peers() {
			if p.Outbound && p.URL == "ws"+strings.TrimPrefix(to.url, "http")+"/ws" {
				return true
			}
		}
		return false
	}
	waitFor(t, "b to dial a", func() bool { return outbound(b, a) })
	if !outbound(a, b) {
		t.Error("a does not keep a connection to b")
	}
	ca, _ := fetchPosts(a)
	cb, _ := fetchPosts(b)
	if len(ca.Peers) != 1 || ca.Peers[0] != b.url+"/" || len(cb.Peers) != 1 || cb.Peers[0] != a.url+"/" {
		t.Errorf("peers: a lists %v, b lists %v", ca.Peers, cb.Peers)
	}
	// A block mined at a now reaches b.
	a.mine()
	waitFor(t, "b to follow a's block", func() bool { return b.node.Chain().Tip().Hash == a.node.Chain().Tip().Hash })

	wantError(t, "itself", a.postJSON("/register_with", map[string]string{"node_address": a.url}), 400, "this node's own address")
	wantError(t, "not http", a.postJSON("/register_node", map[string]string{"node_address": "ftp://x"}), 400, "not an http:// URL")
	wantError(t, "no host", a.postJSON("/register_node", map[string]string{"node_address": "http:///x"}), 400, "should be http://HOST:PORT/")
	wantError(t, "missing", a.postJSON("/register_with", map[string]string{}), 400, `missing field "node_address"`)
	// A node that is not there: the failure is the other node's, a 502.
	wantError(t, "nobody there", a.postJSON("/register_with", map[string]string{"node_address": "http://127.0.0.1:1/"}), 502, "could not reach http://127.0.0.1:1/")
}
