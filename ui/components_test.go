package ui

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

var (
	t0      = time.Date(2026, 11, 23, 10, 30, 5, 0, time.UTC)
	hashA   = "00000a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddee"
	hashB   = "00000f0e0d0c0b0a09080706050403020100ffeeddccbbaa9988776655443322"
	hashC   = "0000099988877766655544433322211100aabbccddeeff00112233445566778f"
	npubA   = "npub1sg6plzptd64u62a878hep2kev88swjh3tw00gjsfl8f237lmu63q0uf63m"
	postID  = "0000c0ffee00000000000000000000000000000000000000000000000000beef"
	pageFor = func(title string, s Section) Page { return Page{Title: title, Section: s, Network: "test"} }
)

func TestPostListKinds(t *testing.T) {
	doc := render(t, PostList([]PostSummary{
		{ID: postID, Author: npubA, Kind: 0, Content: `{"name":"x"}`},
		{ID: hashA, Author: npubA, Kind: 7, Content: ""},
		{ID: hashB, Author: npubA, Kind: 1, Content: strings.Repeat("long ", 100)},
	}, "list", "empty"))
	items := byTestID(doc, "post-item")
	if got := text(byTag(items[0], "a")[0]); got != "(profile update)" {
		t.Errorf("kind 0 shows %q", got)
	}
	if got := text(byTag(items[1], "a")[0]); got != "(kind 7, no text)" {
		t.Errorf("empty kind 7 shows %q", got)
	}
	if got := text(byTag(items[2], "a")[0]); len([]rune(got)) > 281 || len([]rune(got)) < 270 || !strings.HasSuffix(got, "…") {
		t.Errorf("long post excerpt of %d runes", len([]rune(got)))
	}
}

func samplePosts() []PostSummary {
	return []PostSummary{
		{ID: postID, Author: npubA, Time: t0, Kind: 1, Bits: 16, Content: "hello\n\nworld", Height: 7},
		{ID: hashC, Author: npubA, Time: t0.Add(time.Minute), Kind: 1, Bits: 9, Content: "waiting", Pending: true},
	}
}

func TestLayout(t *testing.T) {
	doc := render(t, ErrorPage(Page{Title: "Nothing", Section: SectionMempool, Network: "dev", Query: `x"><b>q`}, ErrorView{Status: 404, Title: "Nothing", Message: "none"}))

	if got := attr(byTag(doc, "html")[0], "lang"); got != "en" {
		t.Errorf(`html lang = %q, want "en"`, got)
	}
	if got := text(byTag(doc, "title")[0]); got != "Nothing · postwork" {
		t.Errorf("title = %q", got)
	}
	if n := len(byTag(doc, "main")); n != 1 {
		t.Errorf("%d <main> landmarks, want 1", n)
	}
	if got := attr(byTag(doc, "main")[0], "id"); got != "main" {
		t.Errorf("main id = %q; the skip link targets #main", got)
	}
	if skip := byTag(doc, "a")[0]; attr(skip, "href") != "#main" {
		t.Errorf("first link is %q, want the skip link to #main", attr(skip, "href"))
	}
	nav := one(t, doc, "nav")
	if attr(nav, "aria-label") == "" {
		t.Error("main navigation has no aria-label")
	}
	if got := links(nav); strings.Join(got, " ") != "/ /explorer /mempool /peers /status" {
		t.Errorf("nav links = %v", got)
	}
	var current []string
	for _, a := range byTag(nav, "a") {
		if attr(a, "aria-current") == "page" {
			current = append(current, attr(a, "href"))
		}
	}
	if len(current) != 1 || current[0] != "/mempool" {
		t.Errorf("aria-current on %v, want only /mempool", current)
	}
	if got := text(one(t, doc, "network")); got != "dev" {
		t.Errorf("network badge = %q", got)
	}

	form := one(t, doc, "search")
	if attr(form, "action") != "/search" || attr(form, "method") != "get" || attr(form, "role") != "search" {
		t.Errorf("search form: action %q method %q role %q", attr(form, "action"), attr(form, "method"), attr(form, "role"))
	}
	inputs := byTag(form, "input")
	if len(inputs) != 1 {
		t.Fatalf("%d inputs in search form", len(inputs))
	}
	in := inputs[0]
	if attr(in, "name") != "q" || attr(in, "value") != `x"><b>q` {
		t.Errorf("search input name %q value %q: the query must come back as typed", attr(in, "name"), attr(in, "value"))
	}
	labels := all(form, func(n *html.Node) bool { return n.Data == "label" && attr(n, "for") == attr(in, "id") })
	if attr(in, "id") == "" || len(labels) != 1 {
		t.Error("search input has no label")
	}
	if len(byTag(form, "b")) != 0 {
		t.Error("query markup became an element")
	}

	css := all(doc, func(n *html.Node) bool { return n.Data == "link" && attr(n, "rel") == "stylesheet" })
	if len(css) != 1 || attr(css[0], "href") != "/ui/style.css?v="+AssetVersion("style.css") || AssetVersion("style.css") == "" {
		t.Errorf("stylesheet links: %d, first %q", len(css), attr(css[0], "href"))
	}
	if n := len(byTag(doc, "script")); n != 0 {
		t.Errorf("a page without live parts loads %d scripts", n)
	}
}

func TestLayoutLiveLoadsScript(t *testing.T) {
	doc := render(t, ExplorerPage(Page{Title: "Explorer", Section: SectionExplorer, Live: true}, ExplorerView{}))
	scripts := byTag(doc, "script")
	if len(scripts) != 1 || attr(scripts[0], "src") != AssetPath("live.js") || !hasAttr(scripts[0], "defer") {
		t.Fatalf("live page scripts: %d", len(scripts))
	}
	if rawText(scripts[0]) != "" {
		t.Error("inline script on a live page; the script must come from /ui/live.js")
	}
}

func TestExplorerPage(t *testing.T) {
	v := ExplorerView{
		Tip:           BlockSummary{Height: 1234, Hash: hashA, Time: t0},
		Difficulty:    16.5,
		Hashrate:      2_500_000,
		Interval:      61.25,
		Window:        60,
		TargetSpacing: 60,
		MempoolCount:  3,
		MempoolBytes:  2048,
		RecentBlocks: []BlockSummary{
			{Height: 1234, Hash: hashA, Time: t0, Posts: 2, Miner: npubA},
			{Height: 1233, Hash: hashB, Time: t0.Add(-time.Minute), Posts: 0},
		},
		RecentPosts: samplePosts()[:1],
		Version:     "abc",
	}
	doc := render(t, ExplorerPage(pageFor("Explorer", SectionExplorer), v))

	checks := map[string]string{
		"tip-height":    "1234",
		"difficulty":    "16.5",
		"hashrate":      "2.50 MH/s",
		"interval":      "61.2 s (target 60 s)",
		"mempool-count": "3 posts 2.00 KiB",
		"tip-time":      "2026-11-23 10:30:05 UTC",
		"tip-hash":      hashA,
	}
	for id, want := range checks {
		if got := text(one(t, doc, id)); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if got := attr(byTag(one(t, doc, "tip-height"), "a")[0], "href"); got != "/block/"+hashA {
		t.Errorf("tip link = %q", got)
	}
	live := one(t, doc, "explorer-live")
	if attr(live, "data-live") != "explorer" || attr(live, "data-version") != "abc" {
		t.Errorf("live part: data-live %q data-version %q", attr(live, "data-live"), attr(live, "data-version"))
	}
	rows := byTestID(one(t, doc, "recent-blocks"), "block-row")
	if len(rows) != 2 {
		t.Fatalf("%d recent block rows, want 2", len(rows))
	}
	if l := links(rows[0]); !contains(l, "/block/1234") || !contains(l, "/block/"+hashA) || !contains(l, "/author/"+npubA) {
		t.Errorf("first block row links %v", l)
	}
	for _, th := range byTag(one(t, doc, "block-table"), "th") {
		if text(th) == "Hash" && attr(th, "class") != "opt" {
			t.Error("the hash column is not optional on phones; the height links to the block already")
		}
	}
	if !strings.Contains(text(rows[1]), "nobody") {
		t.Errorf("block without a miner: %q", text(rows[1]))
	}
	times := byTag(rows[0], "time")
	if len(times) != 1 || attr(times[0], "datetime") != "2026-11-23T10:30:05Z" {
		t.Errorf("block row time element: %d, datetime %q", len(times), attr(times[0], "datetime"))
	}
	posts := byTestID(one(t, doc, "recent-posts"), "post-item")
	if len(posts) != 1 || !strings.HasPrefix(text(posts[0]), "hello world") {
		t.Errorf("recent posts: %d, first %q", len(posts), text(posts[0]))
	}
}

func TestExplorerPageUnknownEstimates(t *testing.T) {
	doc := render(t, ExplorerPage(pageFor("Explorer", SectionExplorer), ExplorerView{TargetSpacing: 5}))
	for _, id := range []string{"hashrate", "interval"} {
		if got := text(one(t, doc, id)); !strings.HasPrefix(got, "unknown") {
			t.Errorf("%s with one block = %q, want unknown", id, got)
		}
	}
	if !strings.Contains(text(doc), "No posts in the recent blocks.") {
		t.Error("empty post list says nothing")
	}
}

func TestBlockPage(t *testing.T) {
	v := BlockView{
		Hash: hashB, Height: 7, Version: 1, Prev: hashA, Merkle: hashC, Time: t0,
		Bits: 0x1e0fffff, Nonce: 42, Difficulty: 1,
		HasBody: true, Miner: npubA, Reward: 25 * coinUnits, MaxReward: 50 * coinUnits,
		Extra: "mined by <b>me</b>", Size: 1500,
		Confirmations: 3, Child: hashC,
		Posts: samplePosts()[:1],
	}
	doc := render(t, BlockPage(pageFor("Block 7", SectionExplorer), v))
	checks := map[string]string{
		"block-hash":   hashB,
		"block-height": "7",
		"block-time":   "2026-11-23 10:30:05 UTC",
		"block-bits":   "0x1e0fffff (difficulty 1.00)",
		"block-nonce":  "42",
		"block-miner":  npubA,
		"block-reward": "25 coins (of 50 allowed)",
		"block-extra":  "mined by <b>me</b>",
		"block-status": "3 confirmations",
		"block-merkle": hashC,
		"block-size":   "1.46 KiB",
	}
	for id, want := range checks {
		if got := text(one(t, doc, id)); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if got := attr(one(t, doc, "block-prev"), "href"); got != "/block/"+hashA {
		t.Errorf("parent link %q", got)
	}
	if got := attr(one(t, doc, "block-child"), "href"); got != "/block/"+hashC {
		t.Errorf("child link %q", got)
	}
	if got := attr(byTag(one(t, doc, "block-miner"), "a")[0], "href"); got != "/author/"+npubA {
		t.Errorf("miner link %q", got)
	}
	if n := len(byTestID(one(t, doc, "block-posts"), "post-item")); n != 1 {
		t.Errorf("%d posts listed, want 1", n)
	}
}

func TestBlockPageGenesisTipAndSideBranch(t *testing.T) {
	genesis := BlockView{Hash: hashA, HasBody: true, Confirmations: 1, Reward: 0, Time: t0}
	doc := render(t, BlockPage(pageFor("Block 0", SectionExplorer), genesis))
	if got := text(one(t, doc, "block-prev")); !strings.Contains(got, "no parent") || hasAttr(one(t, doc, "block-prev"), "href") {
		t.Errorf("genesis parent: %q", got)
	}
	if got := text(one(t, doc, "block-child")); !strings.Contains(got, "No child") {
		t.Errorf("tip child: %q", got)
	}
	if got := text(one(t, doc, "block-miner")); !strings.Contains(got, "nobody") {
		t.Errorf("genesis miner: %q", got)
	}
	if got := text(one(t, doc, "block-status")); got != "1 confirmation" {
		t.Errorf("tip status %q", got)
	}

	side := BlockView{Hash: hashB, Height: 3, Prev: hashA, Time: t0}
	doc = render(t, BlockPage(pageFor("Block 3", SectionExplorer), side))
	if got := text(one(t, doc, "block-status")); got != "not on the best chain body not downloaded yet" {
		t.Errorf("side branch header-only status %q", got)
	}
	none(t, doc, "block-miner")
	none(t, doc, "block-posts")
}

func TestPostPage(t *testing.T) {
	v := PostView{
		ID: postID, Author: npubA, AuthorHex: strings.Repeat("ab", 32), AuthorName: "alice",
		Time: t0, Kind: 1, Content: "line one\n  line two", Sig: strings.Repeat("cd", 64), SigValid: true,
		Bits: 17, Target: 16,
		Tags: []TagView{
			{Name: "nonce", Values: []string{"123", "16"}},
			{Name: "e", Values: []string{hashC}, Link: "/post/" + hashC},
		},
		Block: hashB, Height: 9, Confirmations: 2,
		Proof: ProofView{Checked: true, Valid: true, Index: 3, Leaves: 5, Hashes: 3, Root: hashA},
	}
	doc := render(t, PostPage(pageFor("Post", SectionExplorer), v))
	if got := rawText(one(t, doc, "post-content")); got != v.Content {
		t.Errorf("content %q, want it exactly, line breaks and all", got)
	}
	checks := map[string]string{
		"post-status":        "confirmed 2 confirmations",
		"post-confirmations": "2 confirmations",
		"post-block":         "block 9 " + Short(hashB),
		"post-author":        npubA,
		"post-time":          "2026-11-23 10:30:05 UTC",
		"post-bits":          "17 bits (committed target 16)",
		"post-kind":          "1",
		"post-id":            postID,
		"post-proof":         "valid leaf 3 of 5, 3 hashes up to root " + Short(hashA),
	}
	for id, want := range checks {
		if got := text(one(t, doc, id)); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if got := text(byTag(doc, "h1")[0]); got != "Post by alice" {
		t.Errorf("h1 %q", got)
	}
	if got := attr(byTag(one(t, doc, "post-time"), "time")[0], "datetime"); got != "2026-11-23T10:30:05Z" {
		t.Errorf("datetime %q", got)
	}
	tags := byTestID(doc, "post-tag")
	if len(tags) != 2 || text(tags[0]) != "nonce 123 · 16" {
		t.Fatalf("tags: %d, first %q", len(tags), text(tags[0]))
	}
	if l := links(tags[1]); len(l) != 1 || l[0] != "/post/"+hashC {
		t.Errorf("e tag links %v", l)
	}
	if l := links(one(t, doc, "post-block")); len(l) != 1 || l[0] != "/block/"+hashB {
		t.Errorf("block link %v", l)
	}
}

func TestPostPageStates(t *testing.T) {
	pending := PostView{ID: postID, Author: npubA, Time: t0, Pending: true, Target: -1, SigValid: true}
	doc := render(t, PostPage(pageFor("Post", SectionExplorer), pending))
	if got := text(one(t, doc, "post-status")); !strings.HasPrefix(got, "pending") {
		t.Errorf("pending status %q", got)
	}
	none(t, doc, "post-block")
	none(t, doc, "post-proof")
	if got := text(one(t, doc, "post-bits")); got != "0 bits (no committed target)" {
		t.Errorf("bits %q", got)
	}
	if got := text(byTag(doc, "h1")[0]); got != "Post by "+Short(npubA) {
		t.Errorf("h1 without a profile name %q", got)
	}

	off := PostView{ID: postID, Author: npubA, Time: t0, Block: hashB, Height: 4, Target: -1,
		Proof: ProofView{Checked: true, Error: "root mismatch"}}
	doc = render(t, PostPage(pageFor("Post", SectionExplorer), off))
	if got := text(one(t, doc, "post-status")); got != "in a block off the best chain" {
		t.Errorf("off-chain status %q", got)
	}
	if got := text(one(t, doc, "post-proof")); got != "invalid root mismatch" {
		t.Errorf("bad proof %q", got)
	}
	if got := text(one(t, doc, "post-sig")); !strings.HasPrefix(got, "invalid") {
		t.Errorf("bad signature %q", got)
	}
}

func TestAuthorPage(t *testing.T) {
	v := AuthorView{
		Npub: npubA, Hex: strings.Repeat("ab", 32),
		Profile: ProfileView{Found: true, Name: "alice", DisplayName: "Alice A.", About: "I post.\nSometimes.",
			Website: "https://example.org/alice", Updated: t0},
		Posts:        samplePosts(),
		MorePosts:    true,
		RewardBlocks: 3, RewardTotal: 150 * coinUnits,
	}
	doc := render(t, AuthorPage(pageFor("Alice", SectionExplorer), v))
	checks := map[string]string{
		"author-title":  "Alice A.",
		"author-npub":   npubA,
		"profile-name":  "alice",
		"profile-about": "I post. Sometimes.",
		"rewards-total": "150 coins from 3 blocks",
	}
	for id, want := range checks {
		if got := text(one(t, doc, id)); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if l := links(one(t, doc, "profile-website")); len(l) != 1 || l[0] != "https://example.org/alice" {
		t.Errorf("website links %v", l)
	}
	items := byTestID(one(t, doc, "author-posts"), "post-item")
	if len(items) != 2 {
		t.Fatalf("%d posts", len(items))
	}
	if !strings.Contains(text(items[1]), "pending") || !strings.Contains(text(items[0]), "block 7") {
		t.Errorf("post states: %q / %q", text(items[0]), text(items[1]))
	}

	bare := render(t, AuthorPage(pageFor("Author", SectionExplorer), AuthorView{Npub: npubA}))
	one(t, bare, "profile-none")
	if got := text(one(t, bare, "author-posts")); got != "No posts by this key yet." {
		t.Errorf("empty posts %q", got)
	}
	if got := text(one(t, bare, "rewards-total")); got != "0 coins from 0 blocks" {
		t.Errorf("no rewards %q", got)
	}
}

func TestMempoolPage(t *testing.T) {
	v := MempoolView{Count: 5, Bytes: 900, MinBits: 8, Posts: samplePosts(), Version: "v1"}
	doc := render(t, MempoolPage(pageFor("Mempool", SectionMempool), v))
	if got := text(one(t, doc, "mempool-summary")); got != "5 posts pending, 900 B. Showing the best 2." {
		t.Errorf("summary %q", got)
	}
	if n := len(byTestID(one(t, doc, "mempool-posts"), "post-item")); n != 2 {
		t.Errorf("%d posts", n)
	}
	if live := one(t, doc, "mempool-live"); attr(live, "data-live") != "mempool" || attr(live, "data-version") != "v1" {
		t.Error("mempool list is not marked live")
	}
	empty := render(t, MempoolLive(MempoolView{}))
	if got := text(one(t, empty, "mempool-posts")); got != "The mempool is empty." {
		t.Errorf("empty mempool %q", got)
	}
}

func TestPeersPage(t *testing.T) {
	v := PeersView{Peers: []PeerView{
		{Addr: "127.0.0.1:9000", Agent: "postwork/0.1", Inbound: true, Height: 10, Since: t0},
		{Addr: "ws://b.example:8080/ws", Agent: "<i>evil</i>", Height: 12, Since: t0},
	}}
	doc := render(t, PeersPage(pageFor("Peers", SectionPeers), v))
	rows := byTestID(doc, "peer-row")
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	if got := cells(rows[0]); got != "127.0.0.1:9000|inbound|10|postwork/0.1|2026-11-23 10:30:05 UTC" {
		t.Errorf("row 0 %q", got)
	}
	if got := text(rows[1]); !strings.Contains(got, "outbound") || !strings.Contains(got, "<i>evil</i>") || len(byTag(rows[1], "i")) != 0 {
		t.Errorf("row 1 %q", got)
	}
	doc = render(t, PeersPage(pageFor("Peers", SectionPeers), PeersView{}))
	one(t, doc, "peers-none")
}

func TestStatusPage(t *testing.T) {
	v := StatusView{
		Version: "postwork 0.1.0", Network: "dev", Genesis: hashA,
		Started: t0, Uptime: 26*time.Hour + 5*time.Minute, StorageBytes: 3 << 20,
		TipHeight: 90, TipHash: hashB, TipTime: t0, HeaderHeight: 120,
		Peers: 2, MempoolCount: 1, Mining: true, Hashrate: 1500,
	}
	doc := render(t, StatusPage(pageFor("Status", SectionStatus), v))
	checks := map[string]string{
		"status-sync":    "syncing blocks 90 of 120",
		"status-tip":     "block 90 at 2026-11-23 10:30:05 UTC",
		"status-network": "dev",
		"status-version": "postwork 0.1.0",
		"status-uptime":  "1d 2h (since 2026-11-23 10:30:05 UTC)",
		"status-storage": "3.00 MiB",
		"status-peers":   "2",
		"status-mempool": "1 post",
		"status-mining":  "on 1.50 kH/s",
		"status-genesis": hashA,
	}
	for id, want := range checks {
		if got := text(one(t, doc, id)); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	v.HeaderHeight, v.Mining, v.StorageBytes = 90, false, -1
	doc = render(t, StatusPage(pageFor("Status", SectionStatus), v))
	if got := text(one(t, doc, "status-sync")); got != "in sync" {
		t.Errorf("synced %q", got)
	}
	if got := text(one(t, doc, "status-mining")); got != "off" {
		t.Errorf("not mining %q", got)
	}
	if got := text(one(t, doc, "status-storage")); got != "unknown" {
		t.Errorf("unknown storage %q", got)
	}
	v.Peers = 0
	doc = render(t, StatusPage(pageFor("Status", SectionStatus), v))
	if got := text(one(t, doc, "status-sync")); !strings.HasPrefix(got, "no peers") {
		t.Errorf("alone %q", got)
	}
}

func TestErrorPage(t *testing.T) {
	doc := render(t, ErrorPage(pageFor("Not found", SectionNone), ErrorView{Status: 404, Title: "Block not found", Message: "No block has hash 00ff."}))
	if got := text(one(t, doc, "error-status")); got != "Error 404" {
		t.Errorf("status %q", got)
	}
	if got := text(one(t, doc, "error-title")); got != "Block not found" {
		t.Errorf("title %q", got)
	}
	if got := text(one(t, doc, "error-message")); got != "No block has hash 00ff." {
		t.Errorf("message %q", got)
	}
	if n := len(byTag(doc, "h1")); n != 1 {
		t.Errorf("%d h1", n)
	}
}

// cells joins the text of a table row's cells with "|".
func cells(tr *html.Node) string {
	var out []string
	for _, td := range byTag(tr, "td") {
		out = append(out, text(td))
	}
	return strings.Join(out, "|")
}
