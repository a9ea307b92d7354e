// Command clientele is the Clientele server and its operator tools; see
// `clientele help`.
package main

import (
	"context"
	"os"
	_ "time/tzdata" // time zones resolve on machines without a zoneinfo database

	"github.com/clientele/clientele/internal/cli"
)

func main() {
	os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
