// Package worker tests the relay as a Cloudflare Worker the way it runs:
// build/worker (from `make worker`) served by a real `wrangler dev` (workerd,
// the Workers runtime, with a local Durable Object and its SQLite storage),
// and real Nostr clients (nostr-tools under node) over WebSockets.
package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// repoRoot is the module root, where node_modules and build/ are.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, need := range []struct{ path, fix string }{
		{"build/worker/app.wasm", "run `make worker` first"},
		{"build/worker/shim.mjs", "run `make worker` first"},
		{"node_modules/wrangler/bin/wrangler.js", "run `make deps` (npm ci) first"},
		{"node_modules/nostr-tools/package.json", "run `make deps` (npm ci) first"},
	} {
		if _, err := os.Stat(filepath.Join(root, need.path)); err != nil {
			t.Fatalf("%s is missing: %s", need.path, need.fix)
		}
	}
	return root
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// wrangler is one `wrangler dev` process group.
type wrangler struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string // ws://127.0.0.1:PORT/ws
	http string // http://127.0.0.1:PORT
	out  *syncBuffer
	done chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startWrangler runs wrangler dev on free loopback ports with the Durable
// Object's state in persist, and waits until the relay answers NIP-11. It
// is stopped (the whole process group) when the test ends, if not before.
// A port picked free can be taken by another process before workerd binds
// it: then wrangler exits saying so, and it is started again on other
// ports, up to three times.
func startWrangler(t *testing.T, root, persist string) *wrangler {
	t.Helper()
	for attempt := 1; ; attempt++ {
		w, err := tryWrangler(t, root, persist)
		if err == nil {
			return w
		}
		if !errors.Is(err, errPortTaken) || attempt == 3 {
			t.Fatal(err)
		}
		t.Logf("wrangler dev, attempt %d: %v; again on other ports", attempt, err)
	}
}

var errPortTaken = errors.New("a port picked for wrangler dev was taken meanwhile")

func tryWrangler(t *testing.T, root, persist string) (*wrangler, error) {
	t.Helper()
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node (Node.js) is not on PATH; `make deps` says how to install it")
	}
	port, inspector := freePort(t), freePort(t)
	cmd := exec.Command(nodeBin, filepath.Join(root, "node_modules/wrangler/bin/wrangler.js"), "dev",
		"--config", filepath.Join(root, "relay/worker/wrangler.toml"),
		"--local", "--ip", "127.0.0.1", "--port", strconv.Itoa(port), "--inspector-port", strconv.Itoa(inspector),
		"--persist-to", persist, "--show-interactive-dev-session=false")
	cmd.Dir = root
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "WRANGLER_SEND_METRICS=false", "CI=true", "CLOUDFLARE_CF_FETCH_ENABLED=false",
		"XDG_CONFIG_HOME="+home, "WRANGLER_LOG_PATH="+home)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := new(syncBuffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &wrangler{t: t, cmd: cmd, out: out, done: make(chan struct{}),
		url: fmt.Sprintf("ws://127.0.0.1:%d/ws", port), http: fmt.Sprintf("http://127.0.0.1:%d", port)}
	// Wait exits when wrangler does; stop waits for it.
	go func() { cmd.Wait(); close(w.done) }()
	t.Cleanup(w.stop)

	deadline := time.Now().Add(90 * time.Second)
	for {
		if _, err := w.info(); err == nil {
			return w, nil
		}
		select {
		case <-w.done:
			w.stop()
			if strings.Contains(out.String(), "Address already in use") {
				return nil, fmt.Errorf("%w:\n%s", errPortTaken, out)
			}
			return nil, fmt.Errorf("wrangler dev exited before it was ready:\n%s", out)
		default:
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("wrangler dev not ready after 90s:\n%s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// info fetches the NIP-11 document.
func (w *wrangler) info() (map[string]any, error) {
	req, _ := http.NewRequest("GET", w.http+"/ws", nil)
	req.Header.Set("Accept", "application/nostr+json")
	c := http.Client{Timeout: 5 * time.Second}
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode != 200 {
		return nil, fmt.Errorf("status %s: %s", res.Status, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/nostr+json" {
		return nil, fmt.Errorf("content type %q", ct)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// stop ends the process group (SIGTERM, then SIGKILL after 10 s) and
// checks that none of its processes is left running.
func (w *wrangler) stop() {
	t := w.t
	pgid := w.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-w.done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-w.done
	}
	// workerd may outlive wrangler for a moment: kill what is left of the
	// group and wait until nothing in it runs.
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := groupMembers(pgid)
		if len(left) == 0 {
			return
		}
		syscall.Kill(-pgid, syscall.SIGKILL)
		if time.Now().After(deadline) {
			t.Errorf("processes of wrangler's group %d still running: %v", pgid, left)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// groupMembers lists the live (not zombie) processes in process group pgid.
func groupMembers(pgid int) []string {
	entries, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces, so read
		// after the last ')'.
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) < 3 || fields[0] == "Z" || fields[0] == "X" {
			continue
		}
		if g, _ := strconv.Atoi(fields[2]); g == pgid {
			out = append(out, fmt.Sprintf("%d %s", pid, s[:strings.LastIndexByte(s, ')')+1]))
		}
	}
	return out
}

// runNode runs a node script with the relay's URL and decodes its one JSON
// line of output.
func runNode(t *testing.T, root, script, url string, into any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(root, script), url)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s%s", script, err, out, stderr.String())
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), into); err != nil {
		t.Fatalf("%s printed %q: %v", script, out, err)
	}
}

func TestWorkerRelay(t *testing.T) {
	root := repoRoot(t)
	persist := t.TempDir()
	w := startWrangler(t, root, persist)

	info, err := w.info()
	if err != nil {
		t.Fatal(err)
	}
	lim, _ := info["limitation"].(map[string]any)
	pw, _ := info["postwork"].(map[string]any)
	if info["software"] != "postwork-worker" || lim["min_pow_difficulty"] != 8.0 || lim["max_message_length"] != 131072.0 || pw["network"] != "dev" {
		t.Errorf("NIP-11 document: %v", info)
	}

	var res struct {
		OK     bool   `json:"ok"`
		ID     string `json:"id"`
		Pow    int    `json:"pow"`
		MinPow int    `json:"min_pow"`
		Forged string `json:"forged"`
		Notice string `json:"notice"`
	}
	runNode(t, root, "tests/worker/client.mjs", w.url, &res)
	if !res.OK || res.Pow < 8 || res.MinPow != 8 {
		t.Errorf("client: %+v", res)
	}
	if !strings.HasPrefix(res.Forged, "invalid: ") || !strings.Contains(res.Forged, "signature") {
		t.Errorf("forged post answered %q, want invalid: …signature…", res.Forged)
	}
	if !strings.HasPrefix(res.Notice, "invalid: ") {
		t.Errorf("malformed frame answered NOTICE %q, want invalid: …", res.Notice)
	}

	// The reference client's whole flow: NIP-11, a post at the relay's
	// work, a weak one refused with pow:, its post read back.
	var ref struct {
		OK      bool   `json:"ok"`
		Refused string `json:"refused"`
	}
	runNode(t, root, "scripts/nostr-client.mjs", w.url, &ref)
	if !ref.OK || !strings.HasPrefix(ref.Refused, "pow: ") {
		t.Errorf("nostr-client.mjs: %+v", ref)
	}

	// A new wrangler on the same Durable Object storage still has the post:
	// it was in SQLite before the OK went out.
	w.stop()
	w2 := startWrangler(t, root, persist)
	conn, _, err := websocket.DefaultDialer.Dial(w2.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.WriteMessage(websocket.TextMessage, []byte(`["REQ","again",{"ids":["`+res.ID+`"]}]`)); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	var got []string
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("reading the REQ's answer: %v (got %v)", err, got)
		}
		var frame []json.RawMessage
		if err := json.Unmarshal(msg, &frame); err != nil || len(frame) < 2 {
			t.Fatalf("frame %s: %v", msg, err)
		}
		verb := strings.Trim(string(frame[0]), `"`)
		if verb == "EOSE" {
			break
		}
		if verb == "EVENT" && len(frame) == 3 {
			var ev struct{ ID string }
			json.Unmarshal(frame[2], &ev)
			got = append(got, ev.ID)
		}
	}
	if len(got) != 1 || got[0] != res.ID {
		t.Errorf("after a restart REQ by id returned %v, want [%s]", got, res.ID)
	}
}
