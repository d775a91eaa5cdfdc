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
