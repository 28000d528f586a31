package ui

import (
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
)

// hostile are strings a post, a profile or a peer could carry to inject
// markup or script into a page.
var hostile = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(2)>`,
	`javascript:alert(3)`,
	`"><svg onload=alert(4)>`,
	`'><iframe src="javascript:alert(5)"></iframe>`,
	`</textarea></title><style>body{display:none}</style>`,
}

// assertInert fails if doc holds anything hostile markup could have added:
// a script or other active element, an event handler attribute, a link or
// source with a javascript: URL, a style element.
func assertInert(t *testing.T, doc *html.Node) {
	t.Helper()
	for _, n := range all(doc, func(*html.Node) bool { return true }) {
		switch n.Data {
		case "script":
			if attr(n, "src") != AssetPath("live.js") || rawText(n) != "" {
				t.Errorf("unexpected <script src=%q>%s", attr(n, "src"), rawText(n))
			}
		case "img", "svg", "iframe", "style", "object", "embed", "textarea", "b", "i":
			t.Errorf("injected <%s> element", n.Data)
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("<%s> has event handler %s=%q", n.Data, a.Key, a.Val)
			}
			v := strings.ToLower(strings.TrimSpace(a.Val))
			if (a.Key == "href" || a.Key == "src" || a.Key == "action") && strings.HasPrefix(v, "javascript:") {
				t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
			}
		}
	}
}

func TestHostileStringsRenderInert(t *testing.T) {
	all := strings.Join(hostile, " ")
	page := Page{Title: all, Network: all, Query: all, Section: SectionExplorer}
	tags := []TagView{{Name: all, Values: hostile}, {Name: "r", Values: []string{"javascript:alert(6)"}, Link: "javascript:alert(6)"}}
	summary := PostSummary{ID: all, Author: all, Content: all, Time: t0}
	block := BlockSummary{Hash: all, Miner: all, Time: t0}

	pages := map[string]templ.Component{
		"post": PostPage(page, PostView{ID: all, Author: all, AuthorName: all, Content: all, Tags: tags, Sig: all,
			Block: all, Proof: ProofView{Checked: true, Root: all, Error: all}, Target: -1}),
		"author": AuthorPage(page, AuthorView{Npub: all, Hex: all, Posts: []PostSummary{summary},
			Profile: ProfileView{Found: true, Name: all, DisplayName: all, About: all, Website: "javascript:alert(7)"}}),
		"author-website-quote": AuthorPage(page, AuthorView{Npub: all,
			Profile: ProfileView{Found: true, Name: "x", Website: `https://example.org/"><script>alert(8)</script>`}}),
		"block": BlockPage(page, BlockView{Hash: all, Prev: all, Merkle: all, Child: all, Miner: all, Extra: all,
			HasBody: true, Confirmations: 1, Posts: []PostSummary{summary}}),
		"explorer": ExplorerPage(page, ExplorerView{Tip: block, RecentBlocks: []BlockSummary{block}, RecentPosts: []PostSummary{summary}, Version: all}),
		"mempool":  MempoolPage(page, MempoolView{Posts: []PostSummary{summary}, Count: 1, Version: all}),
		"peers":    PeersPage(page, PeersView{Peers: []PeerView{{Addr: all, Agent: all, Since: t0}}}),
		"status":   StatusPage(page, StatusView{Version: all, Network: all, Genesis: all, TipHash: all}),
		"error":    ErrorPage(page, ErrorView{Status: 404, Title: all, Message: all}),
	}
	for name, c := range pages {
		t.Run(name, func(t *testing.T) {
			doc := render(t, c)
			assertInert(t, doc)
			if !strings.Contains(rawText(doc), hostile[0]) && name != "author-website-quote" {
				t.Error("the hostile text is not shown as text")
			}
		})
	}
}

func TestHostileContentShownVerbatim(t *testing.T) {
	for _, s := range hostile {
		doc := render(t, PostPage(Page{Title: "Post"}, PostView{ID: postID, Author: npubA, Content: s, Target: -1}))
		if got := rawText(one(t, doc, "post-content")); got != s {
			t.Errorf("content %q shown as %q", s, got)
		}
		assertInert(t, doc)
	}
}

func TestUnsafeLinksAreNotLinks(t *testing.T) {
	doc := render(t, AuthorPage(Page{}, AuthorView{Npub: npubA, Profile: ProfileView{Found: true, Website: "javascript:alert(1)"}}))
	w := one(t, doc, "profile-website")
	if l := links(w); len(l) != 0 {
		t.Errorf("javascript: website became a link: %v", l)
	}
	if got := text(w); got != "javascript:alert(1)" {
		t.Errorf("website text %q", got)
	}

	doc = render(t, PostPage(Page{}, PostView{ID: postID, Author: npubA, Target: -1,
		Tags: []TagView{{Name: "r", Values: []string{"x"}, Link: "javascript:alert(1)"}}}))
	for _, l := range links(one(t, doc, "post-tags")) {
		if l != string(templ.FailedSanitizationURL) {
			t.Errorf("tag link %q was not neutralised", l)
		}
	}
}
