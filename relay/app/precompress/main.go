// Command precompress writes FILE.gz and FILE.br (gzip 9, brotli 11) beside
// each FILE given, for relay/app to serve; `make wasm` runs it on the wasm.
// A file whose existing .gz and .br already decode to it is skipped, so an
// unchanged build costs no 20-second brotli pass.
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"

	"github.com/andybalholm/brotli"

	"postwork/relay/app"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: precompress FILE...")
		os.Exit(2)
	}
	for _, p := range os.Args[1:] {
		if err := run(p); err != nil {
			fmt.Fprintln(os.Stderr, "precompress:", err)
			os.Exit(1)
		}
	}
}

func run(p string) error {
	raw, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	if current(p, raw) {
		fmt.Printf("precompress: %s: .gz and .br up to date\n", p)
		return nil
	}
	gz, br := app.Precompress(raw)
	for _, out := range []struct {
		name string
		b    []byte
	}{{p + ".gz", gz}, {p + ".br", br}} {
		tmp := out.name + ".tmp"
		if err := os.WriteFile(tmp, out.b, 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, out.name); err != nil {
			return err
		}
	}
	fmt.Printf("precompress: %s: %d bytes, gzip %d, brotli %d\n", p, len(raw), len(gz), len(br))
	return nil
}

func current(p string, raw []byte) bool {
	gz, err1 := os.ReadFile(p + ".gz")
	br, err2 := os.ReadFile(p + ".br")
	if err1 != nil || err2 != nil {
		return false
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return false
	}
	a, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(a, raw) {
		return false
	}
	b, err := io.ReadAll(brotli.NewReader(bytes.NewReader(br)))
	return err == nil && bytes.Equal(b, raw)
}
