package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
)

// Admin runs the administrative commands.
func (m *Main) Admin(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: marketplace admin add-staff [--name NAME] EMAIL (password on standard input)")
	}
	switch args[0] {
	case "add-staff":
		fs := flag.NewFlagSet("add-staff", flag.ContinueOnError)
		name := fs.String("name", "", "the person's name")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return errors.New("usage: marketplace admin add-staff [--name NAME] EMAIL (password on standard input)")
		}
		password, err := bufio.NewReader(m.Stdin).ReadString('\n')
		if err != nil && password == "" {
			return errors.New("add-staff: give the password on standard input")
		}
		password = strings.TrimRight(password, "\r\n")
		if err := m.OpenStorage(ctx); err != nil {
			return err
		}
		u, err := m.Service.AddStaff(ctx, fs.Arg(0), *name, password)
		if err != nil {
			return fmt.Errorf("add-staff: %w", err)
		}
		fmt.Fprintf(m.Stdout, "added staff user %s (%s)\n", u.Email, u.ID)
		return nil
	default:
		return fmt.Errorf("unknown admin command %q", args[0])
	}
}
