package app

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"

	"github.com/andybalholm/brotli"
)

// Brotli at its best level (11) shrinks postwork.wasm about 10% more than
// level 5 but takes some 20 s of one core for 7 MB. So `make wasm` writes
// the compressed forms beside the wasm once (Precompress, run by
// ./relay/app/precompress), and the handler uses them when they decode to
// the very bytes it serves. Without them it compresses in the background:
// gzip and quick brotli first, then brotli 11, each form served from the
// moment it exists. The goroutine returns when done.

// Precompress returns gzip (level 9) and brotli (level 11) forms of raw.
func Precompress(raw []byte) (gz, br []byte) {
	return gzipBytes(raw), brotliBytes(raw, brotli.BestCompression)
}

// loadSidecars sets f's compressed forms from p+".gz" and p+".br" when
// they exist and decode to f.raw; it reports which it set.
func loadSidecars(site fs.FS, p string, f *file) (gzOK, brOK bool) {
	if b, err := fs.ReadFile(site, p+".gz"); err == nil {
		if r, err := gzip.NewReader(bytes.NewReader(b)); err == nil && sameAs(r, f.raw) {
			f.set(b, nil)
			gzOK = true
		}
	}
	if b, err := fs.ReadFile(site, p+".br"); err == nil {
		if sameAs(brotli.NewReader(bytes.NewReader(b)), f.raw) {
			f.set(nil, b)
			brOK = true
		}
	}
	return gzOK, brOK
}

// sameAs reports whether r yields exactly want, reading at most one byte
// more than want so a hostile sidecar cannot make it read forever.
func sameAs(r io.Reader, want []byte) bool {
	got, err := io.ReadAll(io.LimitReader(r, int64(len(want))+1))
	return err == nil && bytes.Equal(got, want)
}

// compress fills in whatever forms f lacks, cheapest first; bestLevel is
// the brotli level of the last pass (0: skip it).
func compress(f *file, bestLevel int) {
	gz, br := f.encodings()
	if gz == nil {
		f.set(gzipBytes(f.raw), nil)
	}
	if br == nil {
		f.set(nil, brotliBytes(f.raw, 5))
		if bestLevel > 5 {
			f.set(nil, brotliBytes(f.raw, bestLevel))
		}
	}
}

func gzipBytes(raw []byte) []byte {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	w.Write(raw)
	w.Close()
	return b.Bytes()
}

func brotliBytes(raw []byte, level int) []byte {
	var b bytes.Buffer
	w := brotli.NewWriterLevel(&b, level)
	w.Write(raw)
	w.Close()
	return b.Bytes()
}
