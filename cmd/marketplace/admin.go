package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"cooptrade/marketplace"
)

const adminUsage = `usage: marketplace admin add-staff [--name NAME] [--lang en|cy] EMAIL (password on standard input)
       marketplace admin add-user --member SLUG --email EMAIL --role owner|editor [--name NAME] [--lang en|cy] (password on standard input)
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
		return m.addStaff(ctx, args[1:])
	case "add-user":
		return m.addUser(ctx, args[1:])
	default:
		return fmt.Errorf("unknown admin command %q; %s", args[0], adminUsage)
	}
}

func (m *Main) addStaff(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("add-staff", flag.ContinueOnError)
	name := fs.String("name", "", "the person's name")
	lang := fs.String("lang", "", "the language of the person's e-mails: en (the default) or cy")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: marketplace admin add-staff [--name NAME] [--lang en|cy] EMAIL (password on standard input)")
	}
	if *lang != "" && !marketplace.IsLanguage(*lang) {
		return fmt.Errorf("add-staff: --lang %q is not en or cy", *lang)
	}
	password, err := m.readPassword()
	if err != nil {
		return fmt.Errorf("add-staff: %w", err)
	}
	if err := m.OpenStorage(ctx); err != nil {
		return err
	}
	u, err := m.Service.AddStaffUser(ctx, marketplace.NewUser{Email: fs.Arg(0), Name: *name, Password: password, Language: *lang})
	if err != nil {
		return fmt.Errorf("add-staff: %w", err)
	}
	fmt.Fprintf(m.Stdout, "added staff user %s (%s)\n", u.Email, u.ID)
	return nil
}

// addUser adds a user with a first password to a member: the only way to
// hand someone a password, as the API and the pages only invite.
func (m *Main) addUser(ctx context.Context, args []string) error {
	const usage = "usage: marketplace admin add-user --member SLUG --email EMAIL --role owner|editor [--name NAME] [--lang en|cy] (password on standard input)"
	fs := flag.NewFlagSet("add-user", flag.ContinueOnError)
	member := fs.String("member", "", "the member's slug (as in /coops/SLUG)")
	email := fs.String("email", "", "the person's e-mail address")
	role := fs.String("role", "", "owner or editor")
	name := fs.String("name", "", "the person's name")
	lang := fs.String("lang", "", "the language of the person's e-mails: en (the default) or cy")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 || *member == "" || *email == "" || *role == "" {
		return errors.New(usage)
	}
	if r := marketplace.Role(*role); r != marketplace.RoleOwner && r != marketplace.RoleEditor {
		return fmt.Errorf("add-user: --role %q is not owner or editor", *role)
	}
	if *lang != "" && !marketplace.IsLanguage(*lang) {
		return fmt.Errorf("add-user: --lang %q is not en or cy", *lang)
	}
	password, err := m.readPassword()
	if err != nil {
		return fmt.Errorf("add-user: %w", err)
	}
	if err := m.OpenStorage(ctx); err != nil {
		return err
	}
	mem, err := m.Service.Members.FindMemberBySlug(ctx, *member)
	if err != nil {
		return fmt.Errorf("add-user: member %q: %w", *member, err)
	}
	// The command line acts as staff, and the audit log says so.
	ctx = marketplace.NewContextWithUser(ctx, marketplace.SystemUser("command line"))
	u, err := m.Service.AddUser(ctx, mem.ID, marketplace.NewUser{
		Email: *email, Name: *name, Password: password, Language: *lang, Role: marketplace.Role(*role),
	})
	if err != nil {
		return fmt.Errorf("add-user: %w", err)
	}
	fmt.Fprintf(m.Stdout, "added %s (%s) to %s as %s; pass the password on by hand\n", u.Email, u.ID, mem.Name, u.Role)
	return nil
}

// readPassword reads a password, never from the arguments (which other
// users of the machine can see): on a terminal it asks twice without
// echoing, otherwise it reads the first line of standard input.
func (m *Main) readPassword() (string, error) {
	if f, ok := m.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(m.Stdout, "Password: ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stdout)
		if err != nil {
			return "", err
		}
		fmt.Fprint(m.Stdout, "The same again: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stdout)
		if err != nil {
			return "", err
		}
		if string(first) != string(again) {
			return "", errors.New("the two passwords differ")
		}
		return string(first), nil
	}
	password, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && (err != io.EOF || password == "") {
		return "", errors.New("give the password on standard input")
	}
	return strings.TrimRight(password, "\r\n"), nil
}
