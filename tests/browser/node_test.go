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

// startNode builds cmd/postwork and runs `postwork node` on a free loopback
// port with the given extra flags; it returns the node's base URL. The node
// is stopped (SIGINT, then killed) when the test ends.
func startNode(t testing.TB, flags ...string) string {
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
	args := append([]string{"node", "--listen", addr, "--data", t.TempDir()}, flags...)
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logMu sync.Mutex
	var log strings.Builder
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logMu.Lock()
			log.WriteString(sc.Text() + "\n")
			logMu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		cmd.Wait()
		if t.Failed() {
			logMu.Lock()
			t.Logf("node log:\n%s", log.String())
			logMu.Unlock()
		}
	})
	base := "http://" + addr
	waitFor(t, "the node to listen", 20*time.Second, func() bool {
		req, _ := http.NewRequestWithContext(context.Background(), "GET", base+"/", nil)
		req.Header.Set("Accept", "application/nostr+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return base
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
