package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"cooptrade/cmd/marketplace/app"
)

// Doctor runs `marketplace doctor`: it checks the configuration in the
// environment and every backing service it names (app.Doctor), and prints
// one line per check. It fails when any check failed; warnings are things
// to look at that the service runs with.
func Doctor(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: marketplace doctor\n\nChecks the configuration in the environment and reaches every backing service it names:\none line per check (ok, warning or failed); exits non-zero when a check failed.")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errors.New("doctor takes no arguments")
	}
	counts := map[app.CheckStatus]int{}
	for _, c := range app.Doctor(ctx, getenv) {
		counts[c.Status]++
		fmt.Fprintf(stdout, "%-8s %-11s %s\n", c.Status, c.Name, c.Detail)
	}
	fmt.Fprintf(stdout, "%d ok, %d warnings, %d failed\n", counts[app.CheckOK], counts[app.CheckWarning], counts[app.CheckFailed])
	if n := counts[app.CheckFailed]; n > 0 {
		return fmt.Errorf("doctor: %d check(s) failed", n)
	}
	return nil
}
