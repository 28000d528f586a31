package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
)

// render renders c and parses the result as an HTML document, as a browser
// would.
func render(t *testing.T, c templ.Component) *html.Node {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	doc, err := html.Parse(&buf)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

// all returns the element nodes under n (n included) for which match is true,
// in document order.
func all(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

// byTestID returns the elements with data-testid id.
func byTestID(n *html.Node, id string) []*html.Node {
	return all(n, func(n *html.Node) bool { return attr(n, "data-testid") == id })
}

// one returns the single element with data-testid id, failing otherwise.
func one(t *testing.T, n *html.Node, id string) *html.Node {
	t.Helper()
	got := byTestID(n, id)
	if len(got) != 1 {
		t.Fatalf("data-testid=%q: found %d elements, want 1", id, len(got))
	}
	return got[0]
}

// none fails if an element with data-testid id exists.
func none(t *testing.T, n *html.Node, id string) {
	t.Helper()
	if got := byTestID(n, id); len(got) != 0 {
		t.Fatalf("data-testid=%q: found %d elements, want none", id, len(got))
	}
}

// byTag returns the elements named tag.
func byTag(n *html.Node, tag string) []*html.Node {
	return all(n, func(n *html.Node) bool { return n.Data == tag })
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// text is the text content of n with runs of white space collapsed, as a
// reader sees it.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// rawText is the text content of n exactly as parsed.
func rawText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// links returns the href of every <a> under n.
func links(n *html.Node) []string {
	var out []string
	for _, a := range byTag(n, "a") {
		out = append(out, attr(a, "href"))
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
