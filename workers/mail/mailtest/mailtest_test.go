package mailtest_test

import (
	"context"
	"errors"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/workers/mail/mailtest"
)

// raw is a message as other mailers write them: multipart/mixed around
// multipart/alternative, base64 text, an attachment, and a subject in
// base64 encoded words.
const raw = "From: a@example.org\r\n" +
	"To: b@example.org\r\n" +
	"Subject: =?UTF-8?B?Q2Fmw6kgY28tb3A=?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=outer\r\n" +
	"\r\n" +
	"--outer\r\n" +
	"Content-Type: multipart/alternative; boundary=inner\r\n" +
	"\r\n" +
	"--inner\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"SGVsbG8sCmNhZsOpIQo=\r\n" +
	"--inner\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"<p>caf=C3=A9</p>\r\n" +
	"--inner--\r\n" +
	"--outer\r\n" +
	"Content-Type: text/plain; name=notes.txt\r\n" +
	"Content-Disposition: attachment\r\n" +
	"\r\n" +
	"not the body\r\n" +
	"--outer--\r\n"

func TestServer(t *testing.T) {
	srv := mailtest.NewServer(t)
	if err := smtp.SendMail(srv.Addr, nil, "a@example.org", []string{"b@example.org", "c@example.org"}, []byte(raw)); err != nil {
		t.Fatalf("SendMail: %v", err)
	}
	got := srv.Wait(t, 1, 10*time.Second)[0]
	type summary struct {
		From, Subject, Text, HTML, To string
		TLS                           bool
		Err                           error
	}
	want := summary{From: "a@example.org", To: "b@example.org c@example.org", Subject: "Café co-op", Text: "Hello,\ncafé!\n", HTML: "<p>café</p>"}
	if diff := cmp.Diff(want, summary{got.From, got.Subject, got.Text, got.HTML, strings.Join(got.To, " "), got.TLS, got.Err}); diff != "" {
		t.Errorf("received message mismatch (-want +got):\n%s", diff)
	}
	if string(got.Raw) != raw {
		t.Errorf("Raw differs from what was sent:\n%s", got.Raw)
	}
}

func TestServer_Refuse(t *testing.T) {
	srv := mailtest.NewServer(t)
	send := func() error {
		return smtp.SendMail(srv.Addr, nil, "a@example.org", []string{"b@example.org"}, []byte(raw))
	}
	srv.Refuse(mailtest.Refusal{Stage: mailtest.StageRcpt, Code: 550, Message: "No such user", Times: 2})
	var codes []int
	for range 3 {
		var perr *textproto.Error
		if err := send(); errors.As(err, &perr) {
			codes = append(codes, perr.Code)
		} else if err != nil {
			t.Fatalf("SendMail: %v", err)
		} else {
			codes = append(codes, 250)
		}
	}
	srv.Refuse(mailtest.Refusal{Code: 452})
	if err := send(); err == nil {
		t.Fatal("SendMail succeeded; want the 452 refusal at DATA")
	}
	srv.Refuse(mailtest.Refusal{})
	if err := send(); err != nil {
		t.Fatalf("SendMail after refusals ended: %v", err)
	}
	if diff := cmp.Diff([]int{550, 550, 250}, codes); diff != "" {
		t.Errorf("replies mismatch (-want +got):\n%s", diff)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("server kept %d messages; want 2", n)
	}
}

func TestServer_WaitContext(t *testing.T) {
	srv := mailtest.NewServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	msgs, err := srv.WaitContext(ctx, 1)
	if !errors.Is(err, context.Canceled) || len(msgs) != 0 {
		t.Fatalf("WaitContext with nothing sent = %d messages, %v; want none, context.Canceled", len(msgs), err)
	}
	// A message sent while waiting ends the wait.
	done := make(chan error, 1)
	go func() {
		done <- smtp.SendMail(srv.Addr, nil, "a@example.org", []string{"b@example.org"}, []byte(raw))
	}()
	msgs, err = srv.WaitContext(context.Background(), 1)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("WaitContext = %d messages, %v; want 1", len(msgs), err)
	}
	if err := <-done; err != nil {
		t.Fatalf("SendMail: %v", err)
	}
}

func TestServer_AuthRequired(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithAuth("u", "p"))
	err := smtp.SendMail(srv.Addr, nil, "a@example.org", []string{"b@example.org"}, []byte(raw))
	var perr *textproto.Error
	if !errors.As(err, &perr) || perr.Code/100 != 5 {
		t.Fatalf("SendMail without AUTH: err = %v; want a 5xx refusal", err)
	}
	if err := smtp.SendMail(srv.Addr, smtp.PlainAuth("", "u", "p", "127.0.0.1"), "a@example.org", []string{"b@example.org"}, []byte(raw)); err != nil {
		t.Fatalf("SendMail with AUTH: %v", err)
	}
	if got := srv.Messages(); len(got) != 1 || got[0].Username != "u" {
		t.Errorf("messages = %+v; want one from u", got)
	}
}
