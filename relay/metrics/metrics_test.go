package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type fakeSource struct{}

func (fakeSource) TipHeight() uint64               { return 42 }
func (fakeSource) TipTime() int64                  { return 1_800_000_000 }
func (fakeSource) PeerCount() int                  { return 3 }
func (fakeSource) MempoolSize() (posts, bytes int) { return 7, 1234 }
func (fakeSource) Hashrate() float64               { return 2.5e6 }

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	return string(body)
}

// The scrape shows the node's figures and the post counts by reason; a
// reason without a known prefix is "other", so the label stays bounded.
func TestScrape(t *testing.T) {
	m := New(fakeSource{}, "dev", "0.1.0")
	m.ObservePost(true, "")
	m.ObservePost(true, "")
	m.ObservePost(true, "duplicate: already have this event")
	m.ObservePost(false, "pow: difficulty 3 is less than 8")
	m.ObservePost(false, "invalid: bad signature")
	m.ObservePost(false, "something odd")
	m.ObservePost(false, "made-up: prefix")
	got := scrape(t, m)
	for _, line := range []string{
		"postwork_tip_height 42",
		"postwork_tip_timestamp_seconds 1.8e+09",
		"postwork_peers 3",
		"postwork_mempool_posts 7",
		"postwork_mempool_bytes 1234",
		"postwork_miner_hashes_per_second 2.5e+06",
		"postwork_posts_accepted_total 2",
		`postwork_posts_rejected_total{reason="duplicate"} 1`,
		`postwork_posts_rejected_total{reason="pow"} 1`,
		`postwork_posts_rejected_total{reason="invalid"} 1`,
		`postwork_posts_rejected_total{reason="other"} 2`,
		`postwork_posts_rejected_total{reason="rate-limited"} 0`,
		`postwork_info{network="dev",version="0.1.0"} 1`,
		"go_goroutines ",
	} {
		if !strings.Contains(got, "\n"+line) {
			t.Errorf("scrape lacks %q", line)
		}
	}
	if t.Failed() {
		t.Logf("scrape:\n%s", got)
	}
}

func FuzzReasonLabel(f *testing.F) {
	for _, s := range []string{"", "pow: x", "duplicate:", ":", "error: a: b", "\xff:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, reason string) {
		l := reasonLabel(reason)
		for _, r := range Reasons {
			if l == r {
				return
			}
		}
		t.Fatalf("label %q for %q is not one of Reasons", l, reason)
	})
}
