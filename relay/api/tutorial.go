package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"postwork/chain/nostr"
)

// Bounds of the tutorial endpoints.
const (
	// ChainMaxBlocks and ChainMaxBytes bound GET /chain: it lists the
	// newest blocks, at most ChainMaxBlocks of them and no more than about
	// ChainMaxBytes of JSON (the tip block always), oldest first; "length"
	// is still the whole chain's. /api/blocks pages through the rest.
	ChainMaxBlocks = 100
	ChainMaxBytes  = 4 << 20
	// MaxPendingTx bounds GET /pending_tx (the best pending posts).
	MaxPendingTx = 1000
	// MaxAuthorName bounds the author name of POST /new_transaction.
	MaxAuthorName = 256
	// MaxTutorialBody bounds the JSON bodies of the tutorial endpoints: a
	// post of nostr.MaxContentSize with every character escaped fits.
	MaxTutorialBody = 6*nostr.MaxContentSize + 4<<10
	// MaxRegistered bounds the peers /register_node and /register_with
	// add: each is dialled, and redialled, for as long as the node runs.
	MaxRegistered = 64
	// AuthorTag is the tag that keeps a tutorial post's author name:
	// ["author", name]. The node's key signs the post; the name is what
	// the client said.
	AuthorTag = "author"
	// powTimeout bounds the NIP-13 work for one /new_transaction.
	powTimeout = time.Minute
)

// txView is a post as the tutorial's transactions: author, content and
// timestamp (unix seconds), plus its id and signer.
type txView struct {
	Author    string `json:"author"`
	Content   string `json:"content"`
	Timestamp int64  `json:"timestamp"`
	ID        string `json:"id"`
	Npub      string `json:"npub"`
}

func tx(ev *nostr.Event) txView {
	return txView{Author: authorOf(ev), Content: ev.Content, Timestamp: ev.CreatedAt, ID: hexString(ev.ID), Npub: nostr.EncodeNpub(ev.PubKey)}
}

// authorOf is the post's author tag, or its key as an npub.
func authorOf(ev *nostr.Event) string {
	for _, t := range ev.Tags {
		if len(t) >= 2 && t[0] == AuthorTag {
			return t[1]
		}
	}
	return nostr.EncodeNpub(ev.PubKey)
}

// chainBlockView is a block as the tutorial's: index, transactions,
// timestamp, previous_hash, nonce, hash.
type chainBlockView struct {
	Index        uint64   `json:"index"`
	Transactions []txView `json:"transactions"`
	Timestamp    int64    `json:"timestamp"`
	PreviousHash string   `json:"previous_hash"`
	Nonce        uint64   `json:"nonce"`
	Hash         string   `json:"hash"`
}

type chainView struct {
	Length uint64           `json:"length"`
	Chain  []chainBlockView `json:"chain"`
	Peers  []string         `json:"peers"`
}

// GET /chain
func (h *Handler) chain(w http.ResponseWriter, r *http.Request) {
	if _, f := parseQuery(r.URL.RawQuery); f != nil {
		h.fail(w, r, f)
		return
	}
	v, f := h.chainView()
	if f != nil {
		h.fail(w, r, f)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// chainView reads the newest blocks within the bounds, tip first, then
// turns them oldest first.
func (h *Handler) chainView() (chainView, *failure) {
	tip := h.node.Tip()
	v := chainView{Length: tip.Header.Height + 1, Chain: []chainBlockView{}, Peers: h.peerAddresses()}
	budget := ChainMaxBytes
	for height := tip.Header.Height; len(v.Chain) < ChainMaxBlocks; height-- {
		hd, ok := h.node.HeaderAt(height)
		if !ok {
			break // a reorganisation shortened the chain meanwhile
		}
		b, err := h.node.Block(hd.Hash())
		if err != nil {
			return v, nodeFailure(err, "")
		}
		bv := chainBlockView{Index: height, Transactions: make([]txView, len(b.Events)), Timestamp: b.Header.Time,
			PreviousHash: b.Header.Prev.String(), Nonce: b.Header.Nonce, Hash: hd.Hash().String()}
		cost := 300
		for i, ev := range b.Events {
			bv.Transactions[i] = tx(ev)
			cost += 300 + len(bv.Transactions[i].Author) + len(ev.Content)
		}
		if len(v.Chain) > 0 && cost > budget {
			break
		}
		budget -= cost
		v.Chain = append(v.Chain, bv)
		if height == 0 {
			break
		}
	}
	slices.Reverse(v.Chain)
	return v, nil
}

// peerAddresses are the tutorial's "peers": the addresses registered here
// and the http forms of the nodes this one dials.
func (h *Handler) peerAddresses() []string {
	seen := make(map[string]bool)
	h.mu.Lock()
	for a := range h.registered {
		seen[a] = true
	}
	h.mu.Unlock()
	for _, p := range h.node.Peers() {
		if p.URL != "" {
			if a, _, err := peerAddress(p.URL); err == nil {
				seen[a] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// POST /new_transaction {"author", "content"}: the node signs the post
// with its own key, keeps the author name as a tag, does the NIP-13 work
// the node asks of posts and submits it: 201 "Success".
func (h *Handler) newTransaction(w http.ResponseWriter, r *http.Request) {
	if h.key == nil {
		h.fail(w, r, &failure{status: http.StatusServiceUnavailable, msg: "this node has no key to sign posts with"})
		return
	}
	fields, f := readFields(w, r, "author", "content")
	if f != nil {
		h.fail(w, r, f)
		return
	}
	author, content := fields[0], fields[1]
	if len(author) > MaxAuthorName {
		h.fail(w, r, badRequest("author is %d bytes; the limit is %d", len(author), MaxAuthorName))
		return
	}
	if len(content) > nostr.MaxContentSize {
		h.fail(w, r, badRequest("content is %d bytes; the limit is %d", len(content), nostr.MaxContentSize))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), powTimeout)
	defer cancel()
	select {
	case h.work <- struct{}{}:
	case <-ctx.Done():
		h.fail(w, r, &failure{status: http.StatusServiceUnavailable, msg: "the node is busy with other posts' work; try again", cause: ctx.Err()})
		return
	}
	ev := &nostr.Event{PubKey: nostr.PublicKey(h.key), CreatedAt: h.now().Unix(), Kind: 1, Tags: [][]string{{AuthorTag, author}}, Content: content}
	err := nostr.MinePoW(ctx, ev, h.node.MinPoW(), nil)
	if err == nil {
		err = ev.Sign(h.key)
	}
	<-h.work
	if err != nil {
		h.fail(w, r, &failure{status: http.StatusServiceUnavailable, msg: "could not do the post's proof of work: " + err.Error(), cause: err})
		return
	}
	if _, f := h.publish(r, ev); f != nil {
		h.fail(w, r, f)
		return
	}
	w.Header().Set("Location", "/api/posts/"+hexString(ev.ID))
	writeText(w, http.StatusCreated, "Success")
}

// readFields reads a JSON object body and returns the named fields, each
// a non-empty string; the error names the first that is not.
func readFields(w http.ResponseWriter, r *http.Request, names ...string) ([]string, *failure) {
	body, f := readBody(w, r, MaxTutorialBody)
	if f != nil {
		return nil, f
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return nil, badRequest("the body is not a JSON object with %s", strings.Join(quoteAll(names), " and "))
	}
	out := make([]string, len(names))
	for i, name := range names {
		raw, ok := obj[name]
		if !ok {
			return nil, badRequest("missing field %q", name)
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, badRequest("field %q is not a string", name)
		}
		if strings.TrimSpace(s) == "" {
			return nil, badRequest("field %q is empty", name)
		}
		if !utf8.ValidString(s) {
			return nil, badRequest("field %q is not valid UTF-8", name)
		}
		out[i] = s
	}
	return out, nil
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

// GET /pending_tx: the best pending posts as transactions.
func (h *Handler) pendingTx(w http.ResponseWriter, r *http.Request) {
	if _, f := parseQuery(r.URL.RawQuery); f != nil {
		h.fail(w, r, f)
		return
	}
	m := h.node.Mempool(MaxPendingTx)
	out := make([]txView, len(m.Posts))
	for i, ev := range m.Posts {
		out[i] = tx(ev)
	}
	writeJSON(w, http.StatusOK, out)
}

// GET /mine: mine one block now, with the best pending posts. One at a
// time; the search stops if the client goes away.
func (h *Handler) mine(w http.ResponseWriter, r *http.Request) {
	if _, f := parseQuery(r.URL.RawQuery); f != nil {
		h.fail(w, r, f)
		return
	}
	ctx := r.Context()
	select {
	case h.mining <- struct{}{}:
		defer func() { <-h.mining }()
	case <-ctx.Done():
		return
	}
	if h.node.Mempool(0).Count == 0 {
		writeText(w, http.StatusOK, "No transactions to mine")
		return
	}
	for {
		b, err := h.node.MineOne(ctx)
		if err != nil {
			h.fail(w, r, &failure{status: http.StatusInternalServerError, msg: "mining failed; the cause is in the node's log", cause: err})
			return
		}
		if h.node.Confirmations(b.Hash()) > 0 {
			writeText(w, http.StatusOK, fmt.Sprintf("Block #%d is mined.", b.Header.Height))
			return
		}
		// Another block (the node's own miner, a peer's) took the tip
		// first; if it took the posts too, that is the answer.
		if h.node.Mempool(0).Count == 0 {
			writeText(w, http.StatusOK, fmt.Sprintf("Block #%d is mined.", h.node.Tip().Header.Height))
			return
		}
	}
}

// peerAddress turns a node's address as the tutorial writes it
// (http://host:port/) into that form and the node's WebSocket URL
// (ws://host:port/ws). ws:// and wss:// URLs are taken too.
func peerAddress(s string) (httpAddr, wsURL string, err error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", "", fmt.Errorf("node_address %s is not a URL", quote(s))
	}
	var hs, ws string
	switch strings.ToLower(u.Scheme) {
	case "http", "ws":
		hs, ws = "http", "ws"
	case "https", "wss":
		hs, ws = "https", "wss"
	default:
		return "", "", fmt.Errorf("node_address %s is not an http:// URL", quote(s))
	}
	if u.Host == "" || u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", "", fmt.Errorf("node_address %s should be http://HOST:PORT/", quote(s))
	}
	base := strings.TrimSuffix(strings.TrimSuffix(u.EscapedPath(), "/"), "/ws")
	return hs + "://" + u.Host + base + "/", ws + "://" + u.Host + base + "/ws", nil
}

// readAddress reads {"node_address": URL} and checks it names another
// node.
func readAddress(w http.ResponseWriter, r *http.Request) (httpAddr, wsURL string, f *failure) {
	fields, f := readFields(w, r, "node_address")
	if f != nil {
		return "", "", f
	}
	httpAddr, wsURL, err := peerAddress(fields[0])
	if err != nil {
		return "", "", badRequest("%v", err)
	}
	if u, _ := url.Parse(httpAddr); strings.EqualFold(u.Host, r.Host) {
		return "", "", badRequest("node_address %s is this node's own address", quote(fields[0]))
	}
	return httpAddr, wsURL, nil
}

// addPeer records a tutorial peer and dials it.
func (h *Handler) addPeer(httpAddr, wsURL string) *failure {
	h.mu.Lock()
	if !h.registered[httpAddr] && len(h.registered) >= MaxRegistered {
		h.mu.Unlock()
		return &failure{status: http.StatusServiceUnavailable, msg: fmt.Sprintf("this node already keeps the most registered peers it takes (%d)", MaxRegistered)}
	}
	h.registered[httpAddr] = true
	h.mu.Unlock()
	if err := h.node.AddPeer(wsURL); err != nil {
		return badRequest("%v", err)
	}
	return nil
}

// POST /register_node {"node_address"}: keep a connection to that node
// (dialled at its /ws) and answer with this node's chain, as GET /chain.
func (h *Handler) registerNode(w http.ResponseWriter, r *http.Request) {
	httpAddr, wsURL, f := readAddress(w, r)
	if f == nil {
		f = h.addPeer(httpAddr, wsURL)
	}
	if f != nil {
		h.fail(w, r, f)
		return
	}
	h.log.Info("tutorial peer registered", "node", httpAddr)
	v, f := h.chainView()
	if f != nil {
		h.fail(w, r, f)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// POST /register_with {"node_address"}: ask that node to register this
// one (POST /register_node with this node's address as the client reached
// it), dial it too, and wait until the two are connected and this one has
// at least the work the other announced: the nodes are then peered both
// ways and in sync, whichever had the better chain.
func (h *Handler) registerWith(w http.ResponseWriter, r *http.Request) {
	httpAddr, wsURL, f := readAddress(w, r)
	if f != nil {
		h.fail(w, r, f)
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	self := scheme + "://" + r.Host + "/"
	body, _ := json.Marshal(map[string]string{"node_address": self})
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, httpAddr+"register_node", bytes.NewReader(body))
	if err != nil {
		h.fail(w, r, badRequest("node_address %s: %v", quote(httpAddr), err))
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		if r.Context().Err() != nil {
			return
		}
		h.fail(w, r, &failure{status: http.StatusBadGateway, msg: fmt.Sprintf("could not reach %s: %v", httpAddr, err)})
		return
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	resp.Body.Close() // the chain it answers with is not needed: sync brings it
	if resp.StatusCode != http.StatusOK {
		h.fail(w, r, &failure{status: http.StatusBadGateway, msg: fmt.Sprintf("%s answered %d to register_node: %s", httpAddr, resp.StatusCode, clip(strings.ToValidUTF8(string(msg), "\uFFFD"), 200))})
		return
	}
	if f := h.addPeer(httpAddr, wsURL); f != nil {
		h.fail(w, r, f)
		return
	}
	h.log.Info("registered with a tutorial peer", "node", httpAddr, "as", self)
	connected, synced := h.awaitSync(r.Context(), wsURL)
	switch {
	case synced:
		writeText(w, http.StatusOK, "Registration successful")
	case connected:
		writeText(w, http.StatusOK, "Registration successful; still syncing")
	case r.Context().Err() == nil:
		h.fail(w, r, &failure{status: http.StatusGatewayTimeout, msg: fmt.Sprintf("registered with %s, but could not connect to %s within %s; the node keeps trying", httpAddr, wsURL, h.syncWait)})
	}
}

// awaitSync polls the peer list until the node dialled at wsURL is a peer
// and this node's tip has at least the work it announced, or SyncWait
// passes, or ctx ends.
func (h *Handler) awaitSync(ctx context.Context, wsURL string) (connected, synced bool) {
	deadline := time.NewTimer(h.syncWait)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, p := range h.node.Peers() {
			if p.URL != wsURL {
				continue
			}
			connected = true
			work, ok := new(big.Int).SetString(p.Work, 16)
			if tip := h.node.Tip(); ok && tip.Work != nil && tip.Work.Cmp(work) >= 0 {
				return true, true
			}
		}
		select {
		case <-ctx.Done():
			return connected, false
		case <-deadline.C:
			return connected, false
		case <-tick.C:
		}
	}
}
