package web

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"postwork/chain/nostr"
	"postwork/ui"
)

const seedMallory = 66

// Hostile strings a post or profile carries to inject markup or script.
const (
	evilContent = `<script>alert(1)</script><img src=x onerror=alert(2)>` +
		`<a href="javascript:alert(3)">click</a> javascript:alert(3)`
	evilTag     = `"><script>alert(4)</script>`
	evilTagName = `"><img src=x onerror=alert(5)>`
)

// assertInert fails if the page holds anything injected markup could add.
func assertInert(t *testing.T, path string, doc *html.Node) {
	t.Helper()
	for _, n := range all(doc, func(*html.Node) bool { return true }) {
		switch n.Data {
		case "script":
			if attr(n, "src") != ui.AssetPath("live.js") || rawText(n) != "" {
				t.Errorf("GET %s: unexpected <script src=%q>%s", path, attr(n, "src"), rawText(n))
			}
		case "img", "svg", "iframe", "object", "embed", "style":
			t.Errorf("GET %s: injected <%s>", path, n.Data)
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("GET %s: <%s %s=%q>", path, n.Data, a.Key, a.Val)
			}
			if (a.Key == "href" || a.Key == "src" || a.Key == "action") &&
				strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
				t.Errorf("GET %s: <%s %s=%q>", path, n.Data, a.Key, a.Val)
			}
		}
		if n.Data == "a" && attr(n, "href") != "" && !strings.HasPrefix(attr(n, "href"), "/") && !strings.HasPrefix(attr(n, "href"), "#") &&
			!strings.HasPrefix(attr(n, "href"), "https://alice.example/") {
			t.Errorf("GET %s: link to %q", path, attr(n, "href"))
		}
	}
}

func TestHostilePostsRenderInert(t *testing.T) {
	f := newFixture(t)
	n := f.node
	tags := [][]string{{"t", evilTag}, {evilTagName, "v"}, {"e", `"><`}, {"p", "javascript:alert(6)"}, {"r", "javascript:alert(6)"}}
	mined := n.addPost(t, seedMallory, 1, evilContent, tags...)
	profile := n.addPost(t, seedMallory, 0,
		`{"name":"<img src=x onerror=alert(7)>","display_name":"\"><svg onload=alert(10)>",`+
			`"about":"<script>alert(8)</script>","website":"javascript:alert(9)"}`)
	_ = profile
	b := n.mine(t, seedMallory)
	pending := n.addPost(t, seedMallory, 1, evilContent+"\r\nevent: x\rdata: <script>alert(11)</script>", tags...)

	mallory := nostr.EncodeNpub(pubOf(seedMallory))
	pages := []string{
		"/post/" + idHex(mined),
		"/post/" + idHex(pending),
		"/author/" + mallory,
		"/block/" + b.Hash().String(),
		"/explorer",
		"/mempool",
	}
	for _, path := range pages {
		r := get(t, f.h, path).mustPage(t, path, http.StatusOK)
		assertInert(t, path, r.doc)
		if !strings.Contains(rawText(r.doc), "<script>alert(") {
			t.Errorf("GET %s: the hostile text is not shown as text", path)
		}
	}

	r := get(t, f.h, "/post/"+idHex(mined))
	if got := rawText(byTestID(r.doc, "post-content")[0]); got != evilContent {
		t.Errorf("content shown as %q", got)
	}
	var tagText []string
	for _, tg := range byTestID(r.doc, "post-tag") {
		tagText = append(tagText, text(tg))
	}
	joined := strings.Join(tagText, "\n")
	for _, want := range []string{"t " + evilTag, evilTagName + " v", `e "><`, "p javascript:alert(6)"} {
		if !strings.Contains(joined, want) {
			t.Errorf("tags shown as %q, want %q among them", joined, want)
		}
	}
	if got := text(byTag(r.doc, "h1")[0]); got != `Post by "><svg onload=alert(10)>` {
		t.Errorf("h1 %q", got)
	}

	a := get(t, f.h, "/author/"+mallory)
	if got := a.one(t, "profile-name"); got != "<img src=x onerror=alert(7)>" {
		t.Errorf("profile name %q", got)
	}
	if got := a.one(t, "profile-website"); got != "javascript:alert(9)" || len(links(byTestID(a.doc, "profile-website")[0])) != 0 {
		t.Errorf("javascript: website %q is a link", got)
	}
	if !strings.Contains(a.body, "&lt;script&gt;alert(8)&lt;/script&gt;") {
		t.Error("about is not escaped in the HTML source")
	}
}

func TestParseProfile(t *testing.T) {
	ev := func(content string) *nostr.Event { return &nostr.Event{Kind: 0, CreatedAt: 100, Content: content} }
	for _, c := range []struct {
		content string
		want    ui.ProfileView
	}{
		{`{"name":"a","about":"b","website":"https://x.example"}`, ui.ProfileView{Name: "a", About: "b", Website: "https://x.example"}},
		{`{"displayName":"Old","name":"n"}`, ui.ProfileView{Name: "n", DisplayName: "Old"}},
		{`{"display_name":"New","displayName":"Old"}`, ui.ProfileView{DisplayName: "New"}},
		{`{"name":42,"about":["x"]}`, ui.ProfileView{}},
		{`not json`, ui.ProfileView{}},
		{`["array"]`, ui.ProfileView{}},
		{`{"name":"  spaced  "}`, ui.ProfileView{Name: "spaced"}},
		{`{"name":"` + strings.Repeat("é", 150) + `"}`, ui.ProfileView{Name: strings.Repeat("é", 100) + "…"}},
	} {
		got := parseProfile(ev(c.content))
		c.want.Found, c.want.Updated = true, unix(100)
		if got != c.want {
			t.Errorf("parseProfile(%s) = %+v, want %+v", c.content, got, c.want)
		}
	}
}
