package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

func runStatus(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := newFlagSet("status", "postwork status [--node URL]",
		`Prints what a node says about itself through its JSON API: network, tip,
peers, pending posts and the node's own hashrate.`)
	nodeURL := flags.String("node", "http://127.0.0.1:8080/", "the node's `URL` (http://HOST:PORT/)")
	timeout := flags.Duration("timeout", 10*time.Second, "give up after `DURATION`")
	if code, ok := parseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	if flags.NArg() > 0 {
		return usageError(flags, stderr, "unexpected argument %q", flags.Arg(0))
	}
	base, _, err := nodeURLs(*nodeURL)
	if err != nil {
		return usageError(flags, stderr, "--node: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	var health struct {
		Network string `json:"network"`
	}
	var tip struct {
		Height uint64 `json:"height"`
		Hash   string `json:"hash"`
		Time   int64  `json:"time"`
		Bits   string `json:"bits"`
	}
	var peers struct {
		Peers []struct {
			Addr     string `json:"addr"`
			URL      string `json:"url"`
			Outbound bool   `json:"outbound"`
			Agent    string `json:"agent"`
			Height   uint64 `json:"height"`
		} `json:"peers"`
		Hashrate float64 `json:"hashrate"`
	}
	var pool struct {
		Count  int `json:"count"`
		Bytes  int `json:"bytes"`
		MinPoW int `json:"min_pow"`
	}
	for _, q := range []struct {
		path string
		v    any
	}{{"healthz", &health}, {"api/tip", &tip}, {"api/peers", &peers}, {"api/mempool?limit=0", &pool}} {
		if err := fetchJSON(ctx, base+q.path, "application/json", q.v); err != nil {
			fmt.Fprintf(stderr, "postwork status: %v\n", err)
			return 1
		}
	}
	age := time.Since(time.Unix(tip.Time, 0)).Round(time.Second).String() + " ago"
	if strings.HasPrefix(age, "-") {
		age = age[1:len(age)-len(" ago")] + " ahead of this clock"
	}
	fmt.Fprintf(stdout, "node      %s (network %s)\n", base, health.Network)
	fmt.Fprintf(stdout, "tip       height %d, block %s, bits %s, %s (%s)\n", tip.Height, tip.Hash, tip.Bits,
		time.Unix(tip.Time, 0).UTC().Format(time.RFC3339), age)
	fmt.Fprintf(stdout, "peers     %d\n", len(peers.Peers))
	for _, p := range peers.Peers {
		dir, addr := "inbound ", p.Addr
		if p.Outbound {
			dir, addr = "outbound", p.URL
		}
		fmt.Fprintf(stdout, "          %s %s height %d %q\n", dir, addr, p.Height, p.Agent)
	}
	fmt.Fprintf(stdout, "mempool   %d posts, %d bytes (min pow %d bits)\n", pool.Count, pool.Bytes, pool.MinPoW)
	fmt.Fprintf(stdout, "hashrate  %s\n", hashrate(peers.Hashrate))
	return 0
}

// hashrate formats hashes per second with a unit.
func hashrate(h float64) string {
	if h <= 0 {
		return "0 H/s (not mining)"
	}
	units := []string{"H/s", "kH/s", "MH/s", "GH/s"}
	i := 0
	for ; h >= 1000 && i < len(units)-1; i++ {
		h /= 1000
	}
	return fmt.Sprintf("%.3g %s", h, units[i])
}
