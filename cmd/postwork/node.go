package main

import (
	"fmt"
	"io"
)

// runNode is a PLACEHOLDER until issue 4 builds the node (relay, full node,
// store, HTTP API). It exists so `make run` and scripts can already call
// `postwork node ...` and get a clear answer.
func runNode(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "postwork node: not built yet (see issue 4)")
	return 2
}
