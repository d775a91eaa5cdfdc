package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"cooptrade/marketplace"
)

const adminUsage = `usage: marketplace admin add-staff [--name NAME] [--lang en|cy] EMAIL (password on standard input)
       marketplace admin reset-password EMAIL`

// Admin runs the administrative commands.
func (m *Main) Admin(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New(adminUsage)
	}
	switch args[0] {
	case "reset-password":
		if len(args) != 2 {
			return errors.New("usage: marketplace admin reset-password EMAIL")
		}
		if err := m.OpenStorage(ctx); err != nil {
			return err
		}
		if err := m.Service.SendPasswordResetTo(ctx, args[1]); err != nil {
			return fmt.Errorf("reset-password: %w", err)
		}
		fmt.Fprintf(m.Stdout, "sent %s a link to choose a new password; it works once, for an hour\n", args[1])
		return nil
	case "add-staff":
		fs := flag.NewFlagSet("add-staff", flag.ContinueOnError)
		name := fs.String("name", "", "the person's name")
		lang := fs.String("lang", "", "the language of the person's e-mails: en (the default) or cy")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return errors.New("usage: marketplace admin add-staff [--name NAME] [--lang en|cy] EMAIL (password on standard input)")
		}
		if *lang != "" && !marketplace.IsLanguage(*lang) {
			return fmt.Errorf("add-staff: --lang %q is not en or cy", *lang)
		}
		password, err := bufio.NewReader(m.Stdin).ReadString('\n')
		if err != nil && password == "" {
			return errors.New("add-staff: give the password on standard input")
		}
		password = strings.TrimRight(password, "\r\n")
		if err := m.OpenStorage(ctx); err != nil {
			return err
		}
		u, err := m.Service.AddStaffUser(ctx, marketplace.NewUser{Email: fs.Arg(0), Name: *name, Password: password, Language: *lang})
		if err != nil {
			return fmt.Errorf("add-staff: %w", err)
		}
		fmt.Fprintf(m.Stdout, "added staff user %s (%s)\n", u.Email, u.ID)
		return nil
	default:
		return fmt.Errorf("unknown admin command %q; %s", args[0], adminUsage)
	}
}
