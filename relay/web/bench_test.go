package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"postwork/chain/nostr"
)

// BenchmarkPages serves each page of a node whose recent blocks hold 200
// posts each, through the handler without a network: the cost of fetching
// from the Source (here in memory), building views and rendering. It
// reports the page size too.
func BenchmarkPages(b *testing.B) {
	n := newTestNode(b)
	var post *nostr.Event
	for blk := 0; blk < 12; blk++ {
		for i := 0; i < 200; i++ {
			post = n.addPost(b, byte(20+i%50), 1, fmt.Sprintf("post %d.%d, of some length, as people write them: a sentence or two about the day.", blk, i))
		}
		n.mine(b, seedMiner)
	}
	for i := 0; i < 100; i++ {
		n.addPost(b, byte(20+i%50), 1, fmt.Sprintf("pending %d", i))
	}
	h := New(n, Options{})
	tip := n.Tip().Hash.String()
	for _, page := range []struct{ name, path string }{
		{"explorer", "/explorer"},
		{"block", "/block/" + tip},
		{"post", "/post/" + idHex(post)},
		{"author", "/author/" + nostr.EncodeNpub(post.PubKey)},
		{"mempool", "/mempool"},
		{"status", "/status"},
	} {
		path := page.path
		b.Run(page.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d", path, rec.Code)
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size), "B/page")
		})
	}
}
