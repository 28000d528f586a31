package web

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// sseMsg is one dispatched server-sent event.
type sseMsg struct {
	event, id, data string
	retry           string
}

// sseStream reads a text/event-stream as the HTML standard's parser does:
// lines end with CR, LF or CRLF; a blank line dispatches the event.
type sseStream struct {
	res *http.Response
	r   *bufio.Reader
}

func openStream(t *testing.T, srv *httptest.Server, query string, header http.Header) *sseStream {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/events?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET /events?%s: %d %s", query, res.StatusCode, b)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	return &sseStream{res: res, r: bufio.NewReader(res.Body)}
}

func (s *sseStream) line() (string, error) {
	var b strings.Builder
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return b.String(), err
		}
		switch c {
		case '\n':
			return b.String(), nil
		case '\r':
			if next, err := s.r.Peek(1); err == nil && next[0] == '\n' {
				_, _ = s.r.ReadByte()
			}
			return b.String(), nil
		}
		b.WriteByte(c)
	}
}

// next returns the next event (retry-only blocks included), or the error
// that ended the stream.
func (s *sseStream) next() (sseMsg, error) {
	var m sseMsg
	var data []string
	seen := false
	for {
		line, err := s.line()
		if err != nil {
			return m, err
		}
		if line == "" {
			if !seen {
				continue
			}
			m.data = strings.Join(data, "\n")
			return m, nil
		}
		if strings.HasPrefix(line, ":") {
			continue // comment
		}
		seen = true
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			m.event = value
		case "id":
			m.id = value
		case "data":
			data = append(data, value)
		case "retry":
			m.retry = value
		default:
			m.event = "unexpected field " + field
		}
	}
}

// update returns the next update event, skipping the retry preamble.
func (s *sseStream) update(t *testing.T) sseMsg {
	t.Helper()
	for {
		m, err := s.next()
		if err != nil {
			t.Fatalf("stream ended before an update: %v", err)
		}
		if m.retry != "" && m.event == "" {
			continue
		}
		if m.event != "update" {
			t.Fatalf("event %q, want update", m.event)
		}
		return m
	}
}

func liveServer(t *testing.T, f *fixture, opts Options) (*Handler, *httptest.Server) {
	t.Helper()
	h := New(f.node, opts)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(h.Close) // streams end before the server waits for them
	return h, srv
}

func fragment(t *testing.T, data string) *html.Node {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(data), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatal(err)
	}
	root := &html.Node{Type: html.ElementNode, Data: "div"}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	return root
}

func TestEventsUpdateOnNotify(t *testing.T) {
	f := newFixture(t)
	h, srv := liveServer(t, f, Options{PollInterval: time.Hour})
	page := get(t, h, "/mempool")
	version := attr(byTestID(page.doc, "mempool-live")[0], "data-version")

	s := openStream(t, srv, "topic=mempool&v="+version, nil)
	if m, err := s.next(); err != nil || m.retry != "5000" {
		t.Fatalf("preamble %+v %v", m, err)
	}
	added := f.node.addPost(t, seedCarol, 1, "fresh post")
	h.Notify()

	m := s.update(t)
	doc := fragment(t, m.data)
	if !hasLink(doc, "/post/"+idHex(added)) {
		t.Fatalf("first update lacks the new post (a redundant update came first?):\n%s", m.data)
	}
	if got := text(byTestID(doc, "mempool-summary")[0]); !strings.HasPrefix(got, "2 posts pending") {
		t.Errorf("summary %q", got)
	}
	mp, _ := f.node.Mempool(t.Context(), 0)
	if m.id != liveVersion(f.node.Tip().Hash, mp) || m.id == version {
		t.Errorf("update id %q", m.id)
	}
	// The fragment is the page's own component: the same list the page shows.
	if want := get(t, h, "/mempool"); !strings.Contains(want.body, strings.TrimSpace(m.data)) {
		t.Error("the update differs from what the page renders")
	}
}

func TestEventsStaleVersionUpdatesAtOnce(t *testing.T) {
	f := newFixture(t)
	_, srv := liveServer(t, f, Options{PollInterval: time.Hour})
	s := openStream(t, srv, "topic=explorer&v=stale", nil)
	doc := fragment(t, s.update(t).data)
	if got := text(byTestID(doc, "tip-height")[0]); got != "2" {
		t.Errorf("tip height %q", got)
	}

}

func TestEventsExplorerFollowsTheTip(t *testing.T) {
	f := newFixture(t)
	h, srv := liveServer(t, f, Options{PollInterval: time.Hour})
	mp, _ := f.node.Mempool(t.Context(), 0)
	s := openStream(t, srv, "topic=explorer", http.Header{"Last-Event-Id": {liveVersion(f.node.Tip().Hash, mp)}})
	if _, err := s.next(); err != nil { // retry preamble
		t.Fatal(err)
	}
	b := f.node.mine(t, seedMiner)
	h.Notify()
	doc := fragment(t, s.update(t).data)
	if got := text(byTestID(doc, "tip-height")[0]); got != "3" {
		t.Errorf("tip height %q after mining block 3", got)
	}
	if !hasLink(byTestID(doc, "block-row")[0], "/block/"+b.Hash().String()) {
		t.Error("the new block is not first")
	}
}

// Without Notify the stream still notices changes, at its poll interval.
func TestEventsPoll(t *testing.T) {
	f := newFixture(t)
	_, srv := liveServer(t, f, Options{PollInterval: 10 * time.Millisecond})
	mp, _ := f.node.Mempool(t.Context(), 0)
	s := openStream(t, srv, "topic=mempool&v="+liveVersion(f.node.Tip().Hash, mp), nil)
	added := f.node.addPost(t, seedCarol, 1, "polled post")
	if !hasLink(fragment(t, s.update(t).data), "/post/"+idHex(added)) {
		t.Error("update lacks the new post")
	}
}

// A post's text cannot break the event framing or inject markup into the
// live fragment.
func TestEventsFramingAndEscaping(t *testing.T) {
	f := newFixture(t)
	h, srv := liveServer(t, f, Options{PollInterval: time.Hour})
	s := openStream(t, srv, "topic=mempool&v=stale", nil)
	s.update(t)
	evil := "x\r\nevent: hijack\rid: 1\n\ndata: <script>alert(1)</script>\r\r<img src=x onerror=alert(2)>"
	f.node.addPost(t, seedMallory, 1, evil, []string{"t", "\r\nevent: hijack"})
	h.Notify()
	m := s.update(t)
	doc := fragment(t, m.data)
	assertInert(t, "/events", doc)
	if !strings.Contains(rawText(doc), "<script>alert(1)</script>") {
		t.Errorf("the post's text is missing from the update:\n%s", m.data)
	}

	// The framing itself, with data that holds every kind of line break.
	raw := sseEvent("update", "v1", []byte("a\r\nevent: x\rb\n\nc"))
	st := &sseStream{r: bufio.NewReader(strings.NewReader(raw))}
	got, err := st.next()
	if err != nil || got.event != "update" || got.id != "v1" || got.data != "a\nevent: x\nb\n\nc" {
		t.Errorf("framed event parsed as %+v, %v", got, err)
	}
	if _, err := st.next(); !errors.Is(err, io.EOF) {
		t.Errorf("more than one event: %v", err)
	}
}

func TestEventsLifetimeAndClose(t *testing.T) {
	f := newFixture(t)
	_, srv := liveServer(t, f, Options{StreamLifetime: 20 * time.Millisecond})
	s := openStream(t, srv, "topic=mempool&v=x", nil)
	for {
		if _, err := s.next(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("stream ended with %v, want a clean end", err)
			}
			break
		}
	}

	h, srv := liveServer(t, f, Options{})
	s = openStream(t, srv, "topic=mempool&v=x", nil)
	s.update(t)
	h.Close()
	for {
		if _, err := s.next(); err != nil {
			break // ended by Close
		}
	}
	res, err := srv.Client().Get(srv.URL + "/events?topic=mempool")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a stream after Close: %d, want 503", res.StatusCode)
	}
	// The pages themselves still work.
	if r := get(t, h, "/mempool"); r.status != http.StatusOK {
		t.Errorf("/mempool after Close: %d", r.status)
	}
}

func TestEventsLimits(t *testing.T) {
	f := newFixture(t)
	_, srv := liveServer(t, f, Options{MaxStreams: 1})
	s := openStream(t, srv, "topic=mempool&v=x", nil)
	s.update(t) // the first stream holds the only slot
	res, err := srv.Client().Get(srv.URL + "/events?topic=explorer")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Errorf("stream beyond the limit: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	for _, q := range []string{"", "topic=blocks", "topic=mempool&v=" + strings.Repeat("a", 65)} {
		res, err := srv.Client().Get(srv.URL + "/events?" + q)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("/events?%s: %d, want 400", q, res.StatusCode)
		}
	}
}

// A server with a WriteTimeout (as a node should have) does not cut live
// streams: each write sets its own deadline.
func TestEventsOutliveWriteTimeout(t *testing.T) {
	f := newFixture(t)
	h := New(f.node, Options{PollInterval: time.Hour})
	srv := httptest.NewUnstartedServer(h)
	srv.Config.WriteTimeout = 50 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(h.Close)

	s := openStream(t, srv, "topic=mempool&v=x", nil)
	s.update(t)
	start := time.Now()
	for i := 0; time.Since(start) < 4*srv.Config.WriteTimeout; i++ {
		added := f.node.addPost(t, seedCarol, 1, "post "+itoa(i))
		h.Notify()
		if !hasLink(fragment(t, s.update(t).data), "/post/"+idHex(added)) {
			t.Fatalf("update %d lacks its post", i)
		}
	}
}
