package web

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/ui"
)

func TestExplorer(t *testing.T) {
	f := newFixture(t)
	r := get(t, f.h, "/explorer").mustPage(t, "/explorer", http.StatusOK)

	tip := f.node.Tip()
	if got := r.one(t, "tip-height"); got != "2" {
		t.Errorf("tip height %q", got)
	}
	if got := r.one(t, "tip-hash"); got != tip.Hash.String() {
		t.Errorf("tip hash %q, want %s", got, tip.Hash)
	}
	if got := r.one(t, "mempool-count"); !strings.HasPrefix(got, "1 post ") {
		t.Errorf("mempool %q", got)
	}
	// TestNet targets are at the limit: difficulty 1, and each block is
	// worth 2 expected hashes, two blocks over two seconds.
	if got := r.one(t, "difficulty"); got != "1.00" {
		t.Errorf("difficulty %q", got)
	}
	if got := r.one(t, "interval"); got != "1.0 s (target 1 s)" {
		t.Errorf("interval %q", got)
	}
	if got := r.one(t, "hashrate"); got != "2.00 H/s" {
		t.Errorf("hashrate %q", got)
	}
	rows := byTestID(r.doc, "block-row")
	if len(rows) != 3 {
		t.Fatalf("%d block rows, want 3 (blocks 2, 1, genesis)", len(rows))
	}
	if !hasLink(rows[0], "/block/"+f.b2.Hash().String()) || !hasLink(rows[1], "/author/"+nostr.EncodeNpub(pubOf(seedMiner))) {
		t.Errorf("block rows link to %v and %v", links(rows[0]), links(rows[1]))
	}
	posts := byTestID(byTestID(r.doc, "recent-posts")[0], "post-item")
	if len(posts) != 4 {
		t.Fatalf("%d recent posts, want 4 (block 2's, then block 1's)", len(posts))
	}
	if !strings.HasPrefix(text(posts[0]), "carol was here") || !hasLink(posts[0], "/post/"+idHex(f.carol)) {
		t.Errorf("newest post %q", text(posts[0]))
	}
	live := byTestID(r.doc, "explorer-live")[0]
	mp, _ := f.node.Mempool(t.Context(), 0)
	if attr(live, "data-live") != "explorer" || attr(live, "data-version") != liveVersion(tip.Hash, mp) {
		t.Errorf("live part %q version %q", attr(live, "data-live"), attr(live, "data-version"))
	}
	if n := len(byTag(r.doc, "script")); n != 1 {
		t.Errorf("%d scripts, want live.js", n)
	}
}

func TestExplorerGenesisOnly(t *testing.T) {
	n := newTestNode(t)
	r := get(t, New(n, Options{}), "/explorer").mustPage(t, "/explorer", http.StatusOK)
	if got := r.one(t, "tip-height"); got != "0" {
		t.Errorf("tip %q", got)
	}
	if got := r.one(t, "hashrate"); got != "unknown" {
		t.Errorf("hashrate with genesis only %q", got)
	}
	if r.count("block-row") != 1 {
		t.Errorf("%d rows, want genesis only", r.count("block-row"))
	}
}

func TestBlockPage(t *testing.T) {
	f := newFixture(t)
	b1 := f.b1.Hash().String()
	for _, path := range []string{"/block/1", "/block/" + b1, "/block/" + strings.ToUpper(b1)} {
		r := get(t, f.h, path).mustPage(t, path, http.StatusOK)
		checks := map[string]string{
			"block-hash":   b1,
			"block-height": "1",
			"block-miner":  nostr.EncodeNpub(pubOf(seedMiner)),
			"block-reward": "50 coins",
			"block-status": "2 confirmations",
			"block-merkle": f.b1.Header.Merkle.String(),
		}
		for id, want := range checks {
			if got := r.one(t, id); got != want {
				t.Errorf("%s: %s = %q, want %q", path, id, got, want)
			}
		}
		if got := attr(byTestID(r.doc, "block-prev")[0], "href"); got != "/block/"+chain.TestNet.GenesisHash().String() {
			t.Errorf("%s: parent link %q", path, got)
		}
		if got := attr(byTestID(r.doc, "block-child")[0], "href"); got != "/block/"+f.b2.Hash().String() {
			t.Errorf("%s: child link %q", path, got)
		}
		items := byTestID(r.doc, "post-item")
		if len(items) != 3 {
			t.Fatalf("%s: %d posts, want 3", path, len(items))
		}
		for i, ev := range f.b1.Events {
			if !hasLink(items[i], "/post/"+idHex(ev)) {
				t.Errorf("%s: post %d does not link to %x", path, i, ev.ID)
			}
		}
	}

	genesis := get(t, f.h, "/block/0").mustPage(t, "/block/0", http.StatusOK)
	if got := genesis.one(t, "block-miner"); !strings.Contains(got, "nobody") {
		t.Errorf("genesis miner %q", got)
	}
	if got := genesis.one(t, "block-prev"); !strings.Contains(got, "no parent") {
		t.Errorf("genesis parent %q", got)
	}
	tip := get(t, f.h, "/block/2").mustPage(t, "/block/2", http.StatusOK)
	if got := tip.one(t, "block-child"); !strings.Contains(got, "No child") {
		t.Errorf("tip child %q", got)
	}
	if got := tip.one(t, "block-status"); got != "1 confirmation" {
		t.Errorf("tip status %q", got)
	}
}

func TestBlockPageSideBranchAndHeaderOnly(t *testing.T) {
	f := newFixture(t)
	// A sibling of block 2 with less work than the best chain's tip once
	// block 3 is on top of block 2: it stays off the best chain.
	n := f.node
	b3 := n.mine(t, seedMiner)
	_ = b3
	parent := f.b1.Header
	side := &chain.Block{
		Header:   chain.Header{Version: chain.HeaderVersion, Height: 2, Prev: parent.Hash(), Time: f.b2.Header.Time, Bits: f.b2.Header.Bits},
		Coinbase: chain.Coinbase{PubKey: pubOf(seedCarol), Reward: 1, Extra: []byte{0xff, 0x00, 0x01}},
	}
	side.Header.Merkle = side.ComputeMerkle()
	for {
		if ok, _ := minerScan(&side.Header); ok {
			break
		}
	}
	if _, err := n.ProcessBlock(side, n.clock); err != nil {
		t.Fatal(err)
	}
	path := "/block/" + side.Hash().String()
	r := get(t, f.h, path).mustPage(t, path, http.StatusOK)
	if got := r.one(t, "block-status"); got != "not on the best chain" {
		t.Errorf("side block status %q", got)
	}
	if got := r.one(t, "block-child"); !strings.Contains(got, "No child") {
		t.Errorf("side block child %q", got)
	}
	if got := r.one(t, "block-extra"); got != "ff0001" {
		t.Errorf("binary coinbase extra shown as %q, want hex", got)
	}
	if got := r.one(t, "block-reward"); got != "0.00000001 coins (of 50 allowed)" {
		t.Errorf("reward %q", got)
	}

	// A header whose body has not arrived.
	hdr := chain.Header{Version: chain.HeaderVersion, Height: 4, Prev: b3.Hash(), Time: b3.Header.Time + 1, Bits: b3.Header.Bits}
	for {
		if ok, _ := minerScan(&hdr); ok {
			break
		}
	}
	if _, err := n.ProcessHeader(&hdr, n.clock+10); err != nil {
		t.Fatal(err)
	}
	path = "/block/" + hdr.Hash().String()
	r = get(t, f.h, path).mustPage(t, path, http.StatusOK)
	if got := r.one(t, "block-status"); !strings.Contains(got, "body not downloaded yet") {
		t.Errorf("header-only status %q", got)
	}
	if r.count("block-miner") != 0 {
		t.Error("header-only block shows a miner")
	}
}

func TestPostPage(t *testing.T) {
	f := newFixture(t)
	path := "/post/" + idHex(f.reply)
	r := get(t, f.h, path).mustPage(t, path, http.StatusOK)
	checks := map[string]string{
		"post-content":       "hi alice",
		"post-status":        "confirmed 2 confirmations",
		"post-confirmations": "2 confirmations",
		"post-author":        nostr.EncodeNpub(pubOf(seedBob)),
		"post-kind":          "1",
		"post-id":            idHex(f.reply),
		"post-proof":         "valid leaf " + itoa(indexIn(f.b1, f.reply)+1) + " of 4, 2 hashes up to root " + ui.Short(f.b1.Header.Merkle.String()),
		"post-bits":          "",
	}
	checks["post-bits"] = strings.TrimSpace(
		itoa(nostr.LeadingZeroBits(f.reply.ID)) + " bits (committed target 4)")
	for id, want := range checks {
		if got := r.one(t, id); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if got := r.one(t, "post-sig"); !strings.HasPrefix(got, "valid") {
		t.Errorf("signature %q", got)
	}
	if got := r.one(t, "post-block"); !strings.HasPrefix(got, "block 1") {
		t.Errorf("block %q", got)
	}
	tm := byTag(byTestID(r.doc, "post-time")[0], "time")[0]
	if want := unix(f.reply.CreatedAt).Format("2006-01-02T15:04:05Z"); attr(tm, "datetime") != want {
		t.Errorf("datetime %q, want %q", attr(tm, "datetime"), want)
	}
	tags := byTestID(r.doc, "post-tag")
	if len(tags) != 3 { // e, p, nonce
		t.Fatalf("%d tags", len(tags))
	}
	if !hasLink(tags[0], "/post/"+idHex(f.alice)) || !hasLink(tags[1], "/author/"+nostr.EncodeNpub(pubOf(seedAlice))) {
		t.Errorf("e and p tags link to %v, %v", links(tags[0]), links(tags[1]))
	}
	if len(links(tags[2])) != 0 || !strings.HasPrefix(text(tags[2]), "nonce ") {
		t.Errorf("nonce tag %q links to %v", text(tags[2]), links(tags[2]))
	}

	// The author's profile name titles a post of hers; line breaks survive.
	path = "/post/" + idHex(f.alice)
	r = get(t, f.h, path).mustPage(t, path, http.StatusOK)
	if got := text(byTag(r.doc, "h1")[0]); got != "Post by Alice" {
		t.Errorf("h1 %q", got)
	}
	if got := rawText(byTestID(r.doc, "post-content")[0]); got != f.alice.Content {
		t.Errorf("content %q", got)
	}

	path = "/post/" + idHex(f.pending)
	r = get(t, f.h, path).mustPage(t, path, http.StatusOK)
	if got := r.one(t, "post-status"); !strings.HasPrefix(got, "pending") {
		t.Errorf("pending status %q", got)
	}
	if r.count("post-proof") != 0 || r.count("post-block") != 0 {
		t.Error("a pending post shows a block or proof")
	}
}

func TestProveInclusionRejectsWrongBlock(t *testing.T) {
	f := newFixture(t)
	pv := proveInclusion(f.b2, f.alice, 0)
	if pv.Valid || pv.Error == "" {
		t.Errorf("proof of a post in a block without it: %+v", pv)
	}
	// A store that records the wrong index still gets a valid proof.
	i := indexIn(f.b1, f.reply)
	if pv := proveInclusion(f.b1, f.reply, (i+1)%3); !pv.Valid || pv.Index != i+1 {
		t.Errorf("proof with a wrong index hint: %+v", pv)
	}
	// A tampered header root fails verification.
	b := *f.b1
	b.Header.Merkle[0] ^= 1
	if pv := proveInclusion(&b, f.reply, i); pv.Valid || !pv.Checked {
		t.Errorf("proof against a tampered root: %+v", pv)
	}
}

func TestAuthorPage(t *testing.T) {
	f := newFixture(t)
	npub := nostr.EncodeNpub(pubOf(seedAlice))
	path := "/author/" + npub
	r := get(t, f.h, path).mustPage(t, path, http.StatusOK)
	checks := map[string]string{
		"author-title":  "Alice",
		"profile-name":  "alice",
		"profile-about": "I write posts.",
		"author-npub":   npub,
		"rewards-total": "0 coins from 0 blocks",
	}
	for id, want := range checks {
		if got := r.one(t, id); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if !hasLink(byTestID(r.doc, "profile-website")[0], "https://alice.example/") {
		t.Error("website is not a link")
	}
	items := byTestID(r.doc, "post-item")
	if len(items) != 1 || !hasLink(items[0], "/post/"+idHex(f.alice)) {
		t.Errorf("alice's posts: %d (the profile is not a post)", len(items))
	}

	miner := nostr.EncodeNpub(pubOf(seedMiner))
	r = get(t, f.h, "/author/"+miner).mustPage(t, "/author/miner", http.StatusOK)
	if got := r.one(t, "rewards-total"); got != "50 coins from 1 block" {
		t.Errorf("miner rewards %q", got)
	}
	if r.count("profile-none") != 1 || r.one(t, "author-posts") != "No posts by this key yet." {
		t.Error("a key with no profile and no posts")
	}

	bob := get(t, f.h, "/author/"+nostr.EncodeNpub(pubOf(seedBob))).mustPage(t, "/author/bob", http.StatusOK)
	items = byTestID(bob.doc, "post-item")
	if len(items) != 2 || !strings.Contains(text(items[0]), "pending") && !strings.Contains(text(items[1]), "pending") {
		t.Errorf("bob's posts: %d, pending one marked?", len(items))
	}
}

func TestAuthorCanonicalRedirect(t *testing.T) {
	f := newFixture(t)
	pub := pubOf(seedAlice)
	npub := nostr.EncodeNpub(pub)
	for _, path := range []string{
		"/author/" + hex.EncodeToString(pub[:]),
		"/author/" + strings.ToUpper(hex.EncodeToString(pub[:])),
		"/author/" + strings.ToUpper(npub),
		"/author/nostr:" + npub,
	} {
		r := get(t, f.h, path)
		if r.status != http.StatusMovedPermanently || r.header.Get("Location") != "/author/"+npub {
			t.Errorf("GET %s: %d to %q, want 301 to the npub", path, r.status, r.header.Get("Location"))
		}
	}
}

func TestMempoolPage(t *testing.T) {
	f := newFixture(t)
	r := get(t, f.h, "/mempool").mustPage(t, "/mempool", http.StatusOK)
	if got := r.one(t, "mempool-summary"); !strings.HasPrefix(got, "1 post pending") {
		t.Errorf("summary %q", got)
	}
	items := byTestID(r.doc, "post-item")
	if len(items) != 1 || !hasLink(items[0], "/post/"+idHex(f.pending)) {
		t.Fatalf("mempool lists %d posts", len(items))
	}
	if live := byTestID(r.doc, "mempool-live")[0]; attr(live, "data-live") != "mempool" || attr(live, "data-version") == "" {
		t.Error("mempool list is not live")
	}
}

func TestPeersPage(t *testing.T) {
	f := newFixture(t)
	r := get(t, f.h, "/peers").mustPage(t, "/peers", http.StatusOK)
	rows := byTestID(r.doc, "peer-row")
	if len(rows) != 2 || !strings.Contains(text(rows[0]), "127.0.0.1:50000") || !strings.Contains(text(rows[1]), "outbound") {
		t.Fatalf("peer rows: %d", len(rows))
	}
	f.node.peers = nil
	r = get(t, f.h, "/peers").mustPage(t, "/peers", http.StatusOK)
	if r.count("peers-none") != 1 {
		t.Error("no peers: no message")
	}
}

func TestStatusPage(t *testing.T) {
	f := newFixture(t)
	r := get(t, f.h, "/status").mustPage(t, "/status", http.StatusOK)
	checks := map[string]string{
		"status-sync":    "in sync",
		"status-network": "test",
		"status-genesis": chain.TestNet.GenesisHash().String(),
		"status-version": "postwork test",
		"status-uptime":  "1h 30m (since " + ui.HumanTime(unix(chain.TestNet.GenesisTime)) + ")",
		"status-storage": "12.1 KiB",
		"status-peers":   "2",
		"status-mempool": "1 post",
		"status-mining":  "on 2.00 MH/s",
	}
	for id, want := range checks {
		if got := r.one(t, id); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	f.node.status.HeaderHeight = 9
	r = get(t, f.h, "/status").mustPage(t, "/status", http.StatusOK)
	if got := r.one(t, "status-sync"); got != "syncing blocks 2 of 9" {
		t.Errorf("syncing %q", got)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// indexIn is the position of ev among b's events, or -1.
func indexIn(b *chain.Block, ev *nostr.Event) int {
	for i, e := range b.Events {
		if e.ID == ev.ID {
			return i
		}
	}
	return -1
}
