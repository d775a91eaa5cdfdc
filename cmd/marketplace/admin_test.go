package main_test

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	main "cooptrade/cmd/marketplace"
	"cooptrade/marketplace"
	"cooptrade/workers/mail/mailtest"
	"cooptrade/workers/redistest"
)

// TestAdminResetPassword mails a reset link from the command line; the
// link sets a new password through the API.
func TestAdminResetPassword(t *testing.T) {
	smtp := mailtest.NewServer(t)
	rs := redistest.New(t)
	dataDir := t.TempDir()
	m := MustRunMain(t, map[string]string{"DATA_DIR": dataDir, "REDIS_URL": rs.URL, "LOG_LEVEL": "warn", "BASE_URL": "https://marketplace.example"})
	c := &client{tb: t, base: "http://" + m.Addr()}
	admin := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := main.Run(context.Background(), append([]string{"admin"}, args...), func(k string) string {
			return map[string]string{"DATA_DIR": dataDir, "LOG_LEVEL": "error", "MONGODB_URI": m.MongoURI(),
				"SMTP_URL": smtp.URL, "MAIL_FROM": "Marketplace <hello@federation.example>", "BASE_URL": "https://marketplace.example"}[k]
		}, strings.NewReader(stdin), &out, io.Discard)
		return out.String(), err
	}
	if _, err := admin("a long staff password\n", "add-staff", "ada@federation.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin("", "reset-password", "nobody@federation.example"); err == nil {
		t.Fatal("a reset link for an unknown address: no error")
	}
	out, err := admin("", "reset-password", "Ada@Federation.example")
	if err != nil || !strings.Contains(out, "sent") {
		t.Fatalf("reset-password: %q, %v", out, err)
	}
	msg := smtp.Wait(t, 1, 10*time.Second)[0]
	secret := regexp.MustCompile(`token=(cmr_[A-Za-z0-9_-]+)`).FindStringSubmatch(msg.Text)
	if secret == nil || msg.To[0] != "ada@federation.example" {
		t.Fatalf("the mail to %v:\n%s", msg.To, msg.Text)
	}
	c.must(204, "POST", "/v1/auth/password-reset/confirm", "", map[string]string{"token": secret[1], "password": "a new staff password"}, nil)
	c.must(201, "POST", "/v1/auth/login", "", map[string]string{"email": "ada@federation.example", "password": "a new staff password"}, nil)
	c.must(401, "POST", "/v1/auth/login", "", map[string]string{"email": "ada@federation.example", "password": "a long staff password"}, nil)

	// Staff added with --lang cy get their mail in Welsh.
	if _, err := admin("a long staff password\n", "add-staff", "--lang", "fr", "bryn@federation.example"); err == nil {
		t.Fatal("add-staff --lang fr: no error")
	}
	if _, err := admin("a long staff password\n", "add-staff", "--lang", "cy", "bryn@federation.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin("", "reset-password", "bryn@federation.example"); err != nil {
		t.Fatal(err)
	}
	msg = smtp.Wait(t, 2, 10*time.Second)[1]
	if msg.To[0] != "bryn@federation.example" || msg.Subject != "Dewis cyfrinair newydd" || msg.Header.Get("Content-Language") != "cy" {
		t.Fatalf("the mail to %v: subject %q:\n%s", msg.To, msg.Subject, msg.Text)
	}
}

// addUser adds a user with a first password to a member, as staff do with
// `marketplace admin add-user` (env is the command's, adminEnv): the API
// and the pages only invite. flags are added to the command (--lang cy).
func addUser(tb testing.TB, env map[string]string, slug, email, password, role string, flags ...string) {
	tb.Helper()
	if out, err := runCommand(tb, env, password+"\n", append([]string{"admin", "add-user", "--member", slug, "--email", email, "--role", role}, flags...)...); err != nil {
		tb.Fatalf("admin add-user %s: %v\n%s", email, err, out)
	}
}

// adminEnv is the environment of a command run beside the program m, on
// its database, as a second process would.
func adminEnv(tb testing.TB, m *main.Main) map[string]string {
	tb.Helper()
	return map[string]string{"DATA_DIR": m.Config.DataDir, "LOG_LEVEL": "error", "MONGODB_URI": mongoURIOf(tb, m)}
}

// adminOf runs `marketplace admin` with args beside the program m.
func adminOf(tb testing.TB, m *main.Main, stdin string, args ...string) (string, error) {
	tb.Helper()
	return runCommand(tb, adminEnv(tb, m), stdin, append([]string{"admin"}, args...)...)
}

// TestAdminAddUser hands a first password to a member's new user from the
// command line, the one way left to set someone's password for them.
func TestAdminAddUser(t *testing.T) {
	rs := redistest.New(t)
	m := MustRunMain(t, map[string]string{"DATA_DIR": t.TempDir(), "REDIS_URL": rs.URL, "LOG_LEVEL": "warn"})
	c := &client{tb: t, base: "http://" + m.Addr()}
	if out, err := adminOf(t, m, "a long staff password\n", "add-staff", "ada@federation.example"); err != nil {
		t.Fatalf("add-staff: %v\n%s", err, out)
	}
	var login struct{ Token string }
	c.must(201, "POST", "/v1/auth/login", "", map[string]string{"email": "ada@federation.example", "password": "a long staff password"}, &login)
	staff := login.Token
	var coop marketplace.Member
	c.must(201, "POST", "/v1/members", staff, map[string]any{"kind": "enterprise", "name": "Hebden Bridge Bakers",
		"email": "hello@hebdenbakers.example", "postcode": "HX7 6AA", "sectors": []string{"food-catering"}, "standing": "active"}, &coop)

	const password = "bara brith every morning"
	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"NoPassword", "", []string{"--member", coop.Slug, "--email", "rhian@hebdenbakers.example", "--role", "owner"}, "standard input"},
		{"PasswordAsFlag", "", []string{"--member", coop.Slug, "--email", "rhian@hebdenbakers.example", "--role", "owner", "--password", password}, "password"},
		{"NoRole", password + "\n", []string{"--member", coop.Slug, "--email", "rhian@hebdenbakers.example"}, "usage"},
		{"BadRole", password + "\n", []string{"--member", coop.Slug, "--email", "rhian@hebdenbakers.example", "--role", "boss"}, "owner or editor"},
		{"BadLanguage", password + "\n", []string{"--member", coop.Slug, "--email", "rhian@hebdenbakers.example", "--role", "owner", "--lang", "fr"}, "en or cy"},
		{"NoSuchMember", password + "\n", []string{"--member", "nobody-at-all", "--email", "rhian@hebdenbakers.example", "--role", "owner"}, "nobody-at-all"},
		{"WeakPassword", "password1234\n", []string{"--member", coop.Slug, "--email", "rhian@hebdenbakers.example", "--role", "owner"}, "password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := adminOf(t, m, tc.stdin, append([]string{"add-user"}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("add-user %v: %v (%q); want an error saying %q", tc.args, err, out, tc.want)
			}
		})
	}
	// Nothing was added by the refusals.
	c.must(401, "POST", "/v1/auth/login", "", map[string]string{"email": "rhian@hebdenbakers.example", "password": password}, nil)

	out, err := adminOf(t, m, password+"\n", "add-user", "--member", coop.Slug, "--email", "Rhian@HebdenBakers.example", "--role", "owner", "--name", "Rhian Jones", "--lang", "cy")
	if err != nil || !strings.Contains(out, "rhian@hebdenbakers.example") {
		t.Fatalf("add-user: %v\n%s", err, out)
	}
	c.must(201, "POST", "/v1/auth/login", "", map[string]string{"email": "rhian@hebdenbakers.example", "password": password}, &login)
	var me marketplace.User
	c.must(200, "GET", "/v1/me", login.Token, nil, &me)
	if me.MemberID != coop.ID || me.Role != marketplace.RoleOwner || me.Language != "cy" || me.Name != "Rhian Jones" {
		t.Errorf("the new user: %+v; want a Welsh-reading owner of %s", me, coop.ID)
	}
	// The address is taken now.
	if _, err := adminOf(t, m, password+"\n", "add-user", "--member", coop.Slug, "--email", "rhian@hebdenbakers.example", "--role", "editor"); err == nil {
		t.Error("adding the same address again: no error")
	}
	// The audit log says the command line did it.
	var audit struct{ Items []marketplace.AuditEntry }
	c.must(200, "GET", "/v1/staff/audit?subject=user:"+me.ID, staff, nil, &audit)
	if len(audit.Items) != 1 || audit.Items[0].Action != "user.add" || audit.Items[0].Actor != "command line" {
		t.Errorf("the audit of adding the user: %+v", audit.Items)
	}
}
