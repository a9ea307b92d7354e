// Command gen vendors the docs page's npm files into a directory (dist/
// by `go generate ./internal/customers/docsui`); see package docsui.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/clientele/clientele/internal/customers/docsui"
)

func main() {
	out := flag.String("out", "dist", "the directory to copy the files into")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := docsui.Vendor(ctx, *out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "vendored %s %s into %s: %v\n", docsui.Package, docsui.Version(), *out, docsui.Files)
}
