package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/gorilla/websocket"

	"postwork/chain/nostr"
	"postwork/chain/wire"
)

func runPost(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runPostContext(ctx, args, stdin, stdout, stderr)
}

func runPostContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := newFlagSet("post", "postwork post --key FILE [--node URL] [--wait] TEXT...",
		`Publishes a text post (kind 1) to a node: signs it with the key in FILE,
does the NIP-13 proof of work the node asks for (min_pow_difficulty in its
NIP-11 document), sends it over the node's WebSocket and waits for its OK,
then prints the post's id. TEXT is the arguments joined by spaces, or stdin
if TEXT is "-". With --wait it then waits until a block confirms the post
and prints that block's height and hash.`)
	keyFile := flags.String("key", "", "the nsec `FILE` to sign with (postwork keygen --out FILE makes one)")
	nodeURL := flags.String("node", "http://127.0.0.1:8080/", "the node's `URL` (http://HOST:PORT/ or ws://HOST:PORT/ws)")
	wait := flags.Bool("wait", false, "wait until the post is mined, and print the block")
	timeout := flags.Duration("timeout", 10*time.Minute, "give up after `DURATION` (proof of work, OK and --wait together)")
	if code, ok := parseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	if *keyFile == "" {
		return usageError(flags, stderr, "--key is required")
	}
	if flags.NArg() == 0 {
		return usageError(flags, stderr, "missing TEXT")
	}
	base, wsURL, err := nodeURLs(*nodeURL)
	if err != nil {
		return usageError(flags, stderr, "--node: %v", err)
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "postwork post: "+format+"\n", a...)
		return 1
	}
	text := strings.Join(flags.Args(), " ")
	if text == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, nostr.MaxContentSize+1))
		if err != nil {
			return fail("read stdin: %v", err)
		}
		text = strings.TrimSuffix(string(b), "\n")
	}
	if len(text) > nostr.MaxContentSize {
		return fail("the text is longer than %d bytes", nostr.MaxContentSize)
	}
	if strings.TrimSpace(text) == "" {
		return fail("the text is empty")
	}
	sk, err := readKeyFile(*keyFile)
	if err != nil {
		return fail("%v", err)
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	var info struct {
		Limitation struct {
			MinPowDifficulty int `json:"min_pow_difficulty"`
		} `json:"limitation"`
	}
	if err := fetchJSON(ctx, base, "application/nostr+json", &info); err != nil {
		return fail("read the node's NIP-11 document: %v", err)
	}
	ev := &nostr.Event{PubKey: nostr.PublicKey(sk), CreatedAt: time.Now().Unix(), Kind: 1, Tags: [][]string{}, Content: text}
	if err := ev.CheckLimits(); err != nil {
		return fail("%v", err)
	}
	if err := proofOfWork(ctx, ev, info.Limitation.MinPowDifficulty, stderr); err != nil {
		return fail("proof of work: %v", err)
	}
	if err := ev.Sign(sk); err != nil {
		return fail("sign: %v", err)
	}
	id := hex.EncodeToString(ev.ID[:])
	reason, err := publish(ctx, wsURL, ev)
	if err != nil {
		return fail("%v", err)
	}
	if reason != "" && !strings.HasPrefix(reason, wire.PrefixDuplicate+":") {
		return fail("the node refused the post: %s", reason)
	}
	fmt.Fprintln(stdout, id)
	if !*wait {
		return 0
	}
	fmt.Fprintln(stderr, "waiting for a block to confirm it…")
	height, hash, err := awaitConfirmation(ctx, base, id)
	if err != nil {
		return fail("%v", err)
	}
	fmt.Fprintf(stdout, "confirmed in block %d %s\n", height, hash)
	return 0
}

// nodeURLs turns a node's address into its HTTP base (http://host:port/)
// and its WebSocket URL (ws://host:port/ws).
func nodeURLs(s string) (base, ws string, err error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil {
		return "", "", fmt.Errorf("%q is not http://HOST:PORT/", s)
	}
	var hs, wss string
	switch u.Scheme {
	case "http", "ws":
		hs, wss = "http", "ws"
	case "https", "wss":
		hs, wss = "https", "wss"
	default:
		return "", "", fmt.Errorf("%q is not an http:// or ws:// URL", s)
	}
	path := strings.TrimSuffix(strings.TrimSuffix(u.EscapedPath(), "/"), "/ws")
	return hs + "://" + u.Host + path + "/", wss + "://" + u.Host + path + "/ws", nil
}

// readKeyFile reads an nsec from a file of at most a few lines.
func readKeyFile(path string) (*btcec.PrivateKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 1024))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	secret, err := nostr.DecodeNsec(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("%s: want an nsec: %w", path, err)
	}
	sk, err := nostr.PrivateKeyFromBytes(secret)
	clear(secret[:])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sk, nil
}

// proofOfWork does the NIP-13 work on ev, redrawing a progress line on w
// at most every 200 ms.
func proofOfWork(ctx context.Context, ev *nostr.Event, bits int, w io.Writer) error {
	start := time.Now()
	last := start
	err := nostr.MinePoW(ctx, ev, bits, func(n uint64) {
		if now := time.Now(); now.Sub(last) >= 200*time.Millisecond {
			last = now
			fmt.Fprintf(w, "\rproof of work: %d bits, %d tries, %.0f tries/s ", bits, n, float64(n)/now.Sub(start).Seconds())
		}
	})
	if err != nil {
		if last != start {
			fmt.Fprintln(w)
		}
		return err
	}
	fmt.Fprintf(w, "\rproof of work: %d bits (asked %d) in %s%s\n", ev.PoW(), bits, time.Since(start).Round(time.Millisecond), strings.Repeat(" ", 20))
	return nil
}

// publish sends ev to the relay at wsURL and returns the reason of its OK:
// "" when accepted, the NIP-01 reason otherwise.
func publish(ctx context.Context, wsURL string, ev *nostr.Event) (reason string, err error) {
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, wsURL, nil)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", wsURL, err)
	}
	defer conn.Close()
	conn.SetReadLimit(wire.MaxMessageSize)
	if dl, ok := ctx.Deadline(); ok {
		conn.SetReadDeadline(dl)
		conn.SetWriteDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() }) // unblocks the read on cancel
	defer stop()
	if err := conn.WriteMessage(websocket.TextMessage, wire.Encode(&wire.MsgEvent{Event: ev})); err != nil {
		return "", fmt.Errorf("send to %s: %w", wsURL, err)
	}
	for {
		_, frame, err := conn.ReadMessage()
		if err != nil {
			if ctx.Err() != nil {
				return "", fmt.Errorf("no OK from %s: %w", wsURL, ctx.Err())
			}
			return "", fmt.Errorf("no OK from %s: %w", wsURL, err)
		}
		m, err := wire.Parse(frame)
		if err != nil {
			continue // not for us to judge; wait for the OK
		}
		switch m := m.(type) {
		case *wire.MsgOK:
			if m.EventID != ev.ID {
				continue
			}
			if m.Accepted && !strings.HasPrefix(m.Reason, wire.PrefixDuplicate+":") {
				return "", nil
			}
			if m.Reason == "" {
				return "error: refused without a reason", nil
			}
			return m.Reason, nil
		case *wire.MsgNotice:
			return "", fmt.Errorf("the node says: %s", m.Message)
		}
	}
}

// awaitConfirmation polls GET /api/posts/{id} until the post is confirmed.
func awaitConfirmation(ctx context.Context, base, id string) (height uint64, hash string, err error) {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		var p struct {
			Status string `json:"status"`
			Block  *struct {
				Hash   string `json:"hash"`
				Height uint64 `json:"height"`
			} `json:"block"`
		}
		err := fetchJSON(ctx, base+"api/posts/"+id, "application/json", &p)
		switch {
		case err == nil && p.Status == "confirmed" && p.Block != nil:
			return p.Block.Height, p.Block.Hash, nil
		case err != nil && !errors.Is(err, errNotFound):
			if ctx.Err() != nil {
				return 0, "", fmt.Errorf("not confirmed in time: %w", ctx.Err())
			}
			return 0, "", err
		}
		select {
		case <-ctx.Done():
			return 0, "", fmt.Errorf("not confirmed in time: %w", ctx.Err())
		case <-t.C:
		}
	}
}

var errNotFound = errors.New("not found")

// fetchJSON GETs url, accepting accept, and decodes a 200 answer of at
// most 1 MiB into v. A 404 wraps errNotFound; other statuses carry the
// API's {"error"} message.
func fetchJSON(ctx context.Context, rawURL, accept string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("GET %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("GET %s: %w", rawURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		json.Unmarshal(body, &e)
		if e.Error == "" {
			e.Error = strings.TrimSpace(string(body[:min(len(body), 200)]))
		}
		err := fmt.Errorf("GET %s: %s: %s", rawURL, resp.Status, e.Error)
		if resp.StatusCode == http.StatusNotFound {
			err = fmt.Errorf("%w: %w", errNotFound, err)
		}
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", rawURL, err)
	}
	return nil
}
