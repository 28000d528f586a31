//go:build js && wasm

package main

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"syscall/js"

	"github.com/syumai/workers/cloudflare"

	"postwork/chain"
	"postwork/relay/worker/hub"
)

// Environment variables (wrangler.toml [vars]) that configure the relay.
const (
	envNetwork = "POSTWORK_NETWORK" // main, dev or test; default dev
	envMinPoW  = "POSTWORK_MIN_POW" // NIP-13 bits a post needs; default the network's
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	rt := js.Global().Get("context")
	h, store, err := setup(rt, log)
	if err != nil {
		// The shim sees no binding and answers 500 with this line in the log.
		log.Error("worker: start", "err", err)
		return
	}
	bind(rt.Get("binding"), h, store, log)
	// The callbacks stay registered; main must not return.
	select {}
}

func setup(rt js.Value, log *slog.Logger) (*hub.Hub, *sqlStore, error) {
	network := cloudflare.Getenv(envNetwork)
	if network == "" {
		network = "dev"
	}
	params := chain.Networks[network]
	if params == nil {
		return nil, nil, fmt.Errorf("%s=%q: want main, dev or test", envNetwork, network)
	}
	minPoW := -1
	if s := cloudflare.Getenv(envMinPoW); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 256 {
			return nil, nil, fmt.Errorf("%s=%q: want a number of bits from 0 to 256", envMinPoW, s)
		}
		minPoW = n
	}
	store, err := openStore(rt.Get("storage"))
	if err != nil {
		return nil, nil, err
	}
	h, err := hub.New(hub.Config{Params: params, MinPoW: minPoW, Store: store, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	log.Info("relay ready", "network", params.Name, "min_pow", h.MinPoW(), "posts", h.Posts())
	return h, store, nil
}
