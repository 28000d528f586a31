package browser

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// nodeProc is a `postwork node` process on a fixed loopback address and
// data directory, so a test can stop and restart it.
type nodeProc struct {
	t     testing.TB
	bin   string
	addr  string
	flags []string

	cmd   *exec.Cmd
	done  chan struct{}
	logMu sync.Mutex
	log   strings.Builder
}

// newNode builds cmd/postwork and picks a free port and a data directory.
func newNode(t testing.TB, flags ...string) *nodeProc {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "postwork")
	build := exec.Command("go", "build", "-o", bin, "./cmd/postwork")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build postwork: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := &nodeProc{t: t, bin: bin, addr: addr, flags: append([]string{"--data", t.TempDir()}, flags...)}
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			p.logMu.Lock()
			t.Logf("node log:\n%s", p.log.String())
			p.logMu.Unlock()
		}
	})
	return p
}

func (p *nodeProc) base() string { return "http://" + p.addr }

// start runs the node and waits until it answers NIP-11.
func (p *nodeProc) start() {
	p.t.Helper()
	p.cmd = exec.Command(p.bin, append([]string{"node", "--listen", p.addr}, p.flags...)...)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		p.t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.done = make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.logMu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			p.logMu.Unlock()
		}
	}(p.done)
	waitFor(p.t, "the node to listen", 20*time.Second, func() bool {
		req, _ := http.NewRequestWithContext(context.Background(), "GET", p.base()+"/", nil)
		req.Header.Set("Accept", "application/nostr+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// stop interrupts the node (it shuts down cleanly) and waits for it.
func (p *nodeProc) stop() {
	if p.cmd == nil {
		return
	}
	p.cmd.Process.Signal(interrupt)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
	p.cmd.Wait()
	p.cmd = nil
}

// startNode runs a node for the rest of the test and returns its base URL.
func startNode(t testing.TB, flags ...string) string {
	t.Helper()
	p := newNode(t, flags...)
	p.start()
	return p.base()
}

// TestLightNode is the user scenario against a real `postwork node` mining
// on the dev network, which serves the page at / and its JSON API.
func TestLightNode(t *testing.T) {
	requireTools(t)
	node := startNode(t, "--network", "dev", "--mine", "--threads", "1", "--site", root)
	runScript(t, 180*time.Second, "light.mjs", node+"/", "--api", node)
}

// TestLightStaticHost serves the page from elsewhere, as a static host
// would, and points it at the node with ?relay=.
func TestLightStaticHost(t *testing.T) {
	requireTools(t)
	node := startNode(t, "--network", "dev", "--mine", "--threads", "1", "--site", "")
	relay := strings.Replace(node, "http://", "ws://", 1) + "/ws"
	page := fmt.Sprintf("%s/?relay=%s", serve(t, nil), relay)
	runScript(t, 180*time.Second, "smoke.mjs", page)
}
