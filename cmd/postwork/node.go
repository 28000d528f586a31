package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/relay/node"
	"postwork/relay/store"
	"postwork/relay/ws"
)

// nodeFlags are `postwork node`'s options. Every flag is declared in
// newNodeFlags, so adding one is a line there and a use in runNodeContext.
type nodeFlags struct {
	listen   string
	network  string
	data     string
	peers    []string
	mine     bool
	threads  int
	minerKey string
	minPoW   int
	site     string
	proxies  []netip.Prefix
}

func newNodeFlags(fs *flag.FlagSet) *nodeFlags {
	f := &nodeFlags{}
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8080", "serve HTTP and WebSockets on `HOST:PORT` (port 0: any free port)")
	fs.StringVar(&f.network, "network", "dev", "the `NETWORK` to join: main, dev or test")
	fs.StringVar(&f.data, "data", "", "keep the chain and pending posts in `DIR` (empty: in memory, nothing survives a restart)")
	fs.Func("peer", "dial the node at `URL` (ws://HOST:PORT/ws) and keep the connection; repeatable", func(s string) error {
		if !strings.HasPrefix(s, "ws://") && !strings.HasPrefix(s, "wss://") {
			return errors.New("want a ws:// or wss:// URL")
		}
		f.peers = append(f.peers, s)
		return nil
	})
	fs.BoolVar(&f.mine, "mine", false, "mine blocks, paying the miner key")
	fs.IntVar(&f.threads, "threads", runtime.NumCPU(), "mining goroutines")
	fs.StringVar(&f.minerKey, "miner-key", "", "nsec `FILE` of the key mining rewards go to, created if missing (default: DIR/miner.nsec with --data, else a new key each run)")
	fs.IntVar(&f.minPoW, "min-pow", -1, "NIP-13 difficulty a post needs (`BITS`; -1: the network's default)")
	fs.Func("trusted-proxy", "take a client's address from X-Forwarded-For or X-Real-IP when the connection comes from `CIDR` (a reverse proxy; an address or prefix); repeatable; default none", func(s string) error {
		p, err := ws.ParseTrustedProxy(s)
		if err != nil {
			return err
		}
		f.proxies = append(f.proxies, p)
		return nil
	})
	fs.StringVar(&f.site, "site", ".", "serve the light-node page at / from `DIR` (index.html, build/postwork.wasm: run `make wasm`); empty: none")
	return f
}

func runNode(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runNodeContext(ctx, args, stdout, stderr)
}

// runNodeContext runs a node until ctx ends (SIGINT or SIGTERM), then shuts
// it down: connections closed cleanly, the store closed.
func runNodeContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("node", "postwork node [flags]",
		`Runs a relay and full node: a Nostr relay (NIP-01, NIP-11, NIP-13) at
ws://HOST:PORT/ws whose posts are mined into the chain, syncing with the
given peers and any node that connects. Stops cleanly on SIGINT or SIGTERM.`)
	opts := newNodeFlags(flags)
	if code, ok := parseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	if flags.NArg() > 0 {
		return usageError(flags, stderr, "unexpected argument %q", flags.Arg(0))
	}
	params, ok := chain.Networks[opts.network]
	if !ok {
		return usageError(flags, stderr, "unknown network %q (want main, dev or test)", opts.network)
	}
	if opts.threads < 1 {
		return usageError(flags, stderr, "--threads must be at least 1")
	}
	ctx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "postwork node: "+format+"\n", a...)
		return 1
	}

	var st node.Store
	if opts.data == "" {
		log.Warn("no --data: the chain and posts are kept in memory only")
		st = node.NewMemStore()
	} else {
		s, err := store.Open(ctx, store.Path(opts.data), params)
		if err != nil {
			return fail("%v", err)
		}
		defer s.Close()
		st = s
	}
	keyFile := opts.minerKey
	if keyFile == "" && opts.data != "" {
		keyFile = filepath.Join(opts.data, "miner.nsec")
	}
	nodeKey, err := loadMinerKey(keyFile)
	if err != nil {
		return fail("miner key: %v", err)
	}
	minerKey := nostr.PublicKey(nodeKey)
	n, err := node.New(node.Config{
		Params:   params,
		Store:    st,
		MinPoW:   opts.minPoW,
		Peers:    opts.peers,
		Mine:     opts.mine,
		Threads:  opts.threads,
		MinerKey: minerKey,
		Logger:   log,
		WS:       ws.Options{TrustedProxies: opts.proxies},
	})
	if err != nil {
		return fail("%v", err)
	}
	ln, err := net.Listen("tcp", opts.listen)
	if err != nil {
		return fail("%v", err)
	}
	addr := ln.Addr().String()
	log.Info("listening", "network", params.Name, "http", "http://"+addr+"/", "ws", "ws://"+addr+"/ws",
		"height", n.Chain().Tip().Header.Height, "min_pow", n.MinPoW(), "mine", opts.mine, "miner", nostr.EncodeNpub(minerKey))
	if len(opts.proxies) > 0 {
		log.Info("client addresses from X-Forwarded-For behind trusted proxies", "proxies", opts.proxies)
	}
	httpd := newNodeHTTP(n, nodeKey, opts.site, log)
	srv := &http.Server{Handler: httpd.handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
	srv.RegisterOnShutdown(httpd.pages.Close) // ends live page streams, which Shutdown would wait for
	if opts.mine {
		go n.LogMining(ctx, 30*time.Second) // returns when ctx ends
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }() // returns when srv shuts down
	runErr := make(chan error, 1)
	go func() { runErr <- n.Run(ctx) }() // returns when ctx ends

	code := 0
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		log.Error("serve", "err", err)
		code = 1
	case err := <-runErr:
		log.Error("node", "err", err)
		runErr <- nil // Run has returned; nothing more to report
		code = 1
	}
	log.Info("shutting down")
	cancelRun()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	srv.Shutdown(sctx) // stops accepting; WebSockets are hijacked, closed next
	if err := n.Shutdown(sctx); err != nil {
		log.Warn("connections cut at the shutdown deadline", "err", err)
	}
	if err := <-runErr; err != nil {
		log.Error("node", "err", err)
		code = 1
	}
	log.Info("stopped")
	return code
}

// loadMinerKey reads the nsec in path, creating the file with a new key if
// it does not exist; with no path it returns a new key that is not kept.
// The node mines to it and signs the tutorial's posts with it.
func loadMinerKey(path string) (*btcec.PrivateKey, error) {
	if path == "" {
		return nostr.GenerateKey()
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		sk, err := nostr.GenerateKey()
		if err != nil {
			return nil, err
		}
		var secret [32]byte
		copy(secret[:], sk.Serialize())
		nsec := nostr.EncodeNsec(secret)
		clear(secret[:])
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := writeSecret(path, nsec+"\n", false); err != nil {
			return nil, err
		}
		return sk, nil
	}
	if err != nil {
		return nil, err
	}
	secret, err := nostr.DecodeNsec(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sk, err := nostr.PrivateKeyFromBytes(secret)
	clear(secret[:])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sk, nil
}
