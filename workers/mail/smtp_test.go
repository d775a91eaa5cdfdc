package mail_test

import (
	"bytes"
	"context"
	"errors"
	"mime"
	netmail "net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/workers/mail"
	"cooptrade/workers/mail/mailtest"
)

// wait is how long a test waits for a message it expects; it only bounds
// a failing test.
const wait = 10 * time.Second

var sentAt = time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC)

// newSender returns a sender for srv, trusting its certificate, with the
// federation's From and a fixed clock.
func newSender(t *testing.T, srv *mailtest.Server) *mail.SMTPSender {
	t.Helper()
	s, err := mail.NewSMTPSender(srv.URL)
	if err != nil {
		t.Fatalf("NewSMTPSender(%q): %v", srv.URL, err)
	}
	s.TLSConfig = srv.ClientTLSConfig()
	s.From = netmail.Address{Name: "Co-op Marketplace", Address: "noreply@market.example.coop"}
	s.Now = func() time.Time { return sentAt }
	return s
}

func notification() mail.Message {
	return mail.Message{
		To:      []netmail.Address{{Name: "Leeds Print Co-op", Address: "hello@leedsprint.coop"}},
		ReplyTo: []netmail.Address{{Address: "staff@federation.example.coop"}},
		Subject: "A need matches your offer: 5,000 leaflets",
		Text: "Hello,\n\nA co-op in Leeds needs 5,000 leaflets by March, £400–£600.\n" +
			".\nThe line above is a lone dot; this one is long: " + strings.Repeat("leaflets ", 30) + "\n" +
			"From the start of a line.\n\nUnsubscribe: https://market.example.coop/unsubscribe?t=abc\n",
		HTML: "<p>Hello,</p>\n<p>A co-op in Leeds needs <b>5,000 leaflets</b> by March, £400–£600. Café ☕</p>\n",
		Headers: map[string]string{
			"List-Unsubscribe":      "<https://market.example.coop/unsubscribe?t=abc>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
	}
}

// received is what a test compares of a received message.
type received struct {
	From, Subject, Text, HTML string
	To                        []string
	Header                    map[string]string
	TLS                       bool
	Username                  string
	Err                       error
}

var comparedHeaders = []string{"From", "To", "Reply-To", "Date", "MIME-Version", "List-Unsubscribe", "List-Unsubscribe-Post"}

func summarize(m mailtest.Message) received {
	h := map[string]string{}
	for _, name := range comparedHeaders {
		if v := m.Header.Get(name); v != "" {
			h[name] = v
		}
	}
	return received{From: m.From, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML, Header: h, TLS: m.TLS, Username: m.Username, Err: m.Err}
}

func TestSMTPSender_Send(t *testing.T) {
	srv := mailtest.NewServer(t)
	msg := notification()
	if err := newSender(t, srv).Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Wait(t, 1, wait)[0]

	want := received{
		From:    "noreply@market.example.coop",
		To:      []string{"hello@leedsprint.coop"},
		Subject: msg.Subject,
		Text:    msg.Text,
		HTML:    msg.HTML,
		Header: map[string]string{
			"From":                  `"Co-op Marketplace" <noreply@market.example.coop>`,
			"To":                    `"Leeds Print Co-op" <hello@leedsprint.coop>`,
			"Reply-To":              "<staff@federation.example.coop>",
			"Date":                  "Fri, 27 Nov 2026 10:30:00 +0000",
			"MIME-Version":          "1.0",
			"List-Unsubscribe":      "<https://market.example.coop/unsubscribe?t=abc>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
	}
	if diff := cmp.Diff(want, summarize(got)); diff != "" {
		t.Errorf("received message mismatch (-want +got):\n%s", diff)
	}
	if ct := got.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative; boundary=") {
		t.Errorf("Content-Type = %q; want multipart/alternative", ct)
	}
	if id := got.Header.Get("Message-ID"); !regexp.MustCompile(`^<[0-9a-f]{32}@market\.example\.coop>$`).MatchString(id) {
		t.Errorf("Message-ID = %q; want <32 hex digits@market.example.coop>", id)
	}
	// Quoted-printable and encoded words keep the message short-lined
	// 7-bit ASCII, which every server passes on unchanged.
	for i, line := range strings.Split(strings.TrimSuffix(string(got.Raw), "\r\n"), "\r\n") {
		if len(line) > 78 || strings.ContainsAny(line, "\r\n") || !isASCII(line) {
			t.Errorf("line %d is not short CRLF-ended ASCII: %q", i+1, line)
		}
	}
}

func TestSMTPSender_Send_TextOnly(t *testing.T) {
	srv := mailtest.NewServer(t)
	msg := notification()
	msg.HTML = ""
	if err := newSender(t, srv).Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Wait(t, 1, wait)[0]
	if diff := cmp.Diff([]string{msg.Text, "", "text/plain; charset=utf-8"}, []string{got.Text, got.HTML, got.Header.Get("Content-Type")}); diff != "" {
		t.Errorf("text, HTML, Content-Type mismatch (-want +got):\n%s", diff)
	}
}

func TestSMTPSender_Send_MessageIDsDiffer(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv)
	for range 2 {
		if err := s.Send(context.Background(), notification()); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	msgs := srv.Wait(t, 2, wait)
	if a, b := msgs[0].Header.Get("Message-ID"), msgs[1].Header.Get("Message-ID"); a == b {
		t.Errorf("two messages share the Message-ID %q", a)
	}
}

func TestSMTPSender_Send_Unicode(t *testing.T) {
	srv := mailtest.NewServer(t)
	msg := notification()
	msg.Subject = "Łódź Bakers’ co-op needs 5 000 café leaflets — by March 🙂, and this subject goes on long enough to be folded"
	msg.To = []netmail.Address{{Name: "Łódź Bakers", Address: "bakers@example.coop"}}
	msg.Headers["X-Listing-Title"] = "Café leaflets"
	if err := newSender(t, srv).Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Wait(t, 1, wait)[0]
	if got.Subject != msg.Subject {
		t.Errorf("Subject = %q; want %q", got.Subject, msg.Subject)
	}
	if title, err := new(mime.WordDecoder).DecodeHeader(got.Header.Get("X-Listing-Title")); err != nil || title != "Café leaflets" || !isASCII(got.Header.Get("X-Listing-Title")) {
		t.Errorf("X-Listing-Title = %q, decoded %q, %v; want Café leaflets, encoded", got.Header.Get("X-Listing-Title"), title, err)
	}
	to, err := netmail.ParseAddress(got.Header.Get("To"))
	if err != nil || *to != msg.To[0] {
		t.Errorf("To = %q parsed as %v, %v; want %v", got.Header.Get("To"), to, err, msg.To[0])
	}
	subject := rawHeader(t, got.Raw, "Subject")
	lines := strings.Split(subject, "\r\n")
	if value := strings.TrimSpace(strings.TrimPrefix(strings.Join(lines, ""), "Subject:")); len(lines) < 2 || !strings.HasPrefix(value, "=?utf-8?q?") {
		t.Errorf("raw Subject is not Q-encoded and folded:\n%s", subject)
	}
	for _, line := range lines {
		if len(line) > 76 || !isASCII(line) {
			t.Errorf("raw Subject line is not ASCII within 76 characters: %q", line)
		}
	}
}

func TestSMTPSender_Send_ErrInvalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *mail.Message)
		fields []string
	}{
		{"SubjectCRLF", func(m *mail.Message) { m.Subject = "Hello\r\nBcc: victim@example.org" }, []string{"subject"}},
		{"SubjectLF", func(m *mail.Message) { m.Subject = "Hello\nBcc: victim@example.org" }, []string{"subject"}},
		{"SubjectCR", func(m *mail.Message) { m.Subject = "Hello\rBcc: victim@example.org" }, []string{"subject"}},
		{"SubjectNUL", func(m *mail.Message) { m.Subject = "Hello\x00" }, []string{"subject"}},
		{"HeaderValueCRLF", func(m *mail.Message) {
			m.Headers["List-Unsubscribe"] = "<https://x.example>\r\nBcc: victim@example.org"
		}, []string{"headers.List-Unsubscribe"}},
		{"HeaderNameCRLF", func(m *mail.Message) { m.Headers["X-A\r\nBcc"] = "victim@example.org" }, []string{"headers.X-A\r\nBcc"}},
		{"HeaderNameColon", func(m *mail.Message) { m.Headers["Bcc: victim@example.org\r\nX-A"] = "b" }, []string{"headers.Bcc: victim@example.org\r\nX-A"}},
		{"HeaderReserved", func(m *mail.Message) { m.Headers["bcc"] = "victim@example.org" }, []string{"headers.bcc"}},
		{"HeaderSubject", func(m *mail.Message) { m.Headers["Subject"] = "Another" }, []string{"headers.Subject"}},
		{"ToNameCRLF", func(m *mail.Message) { m.To[0].Name = "Bob\r\nBcc: victim@example.org" }, []string{"to[0].name"}},
		{"ToAddressCRLF", func(m *mail.Message) {
			m.To[0].Address = "bob@example.org>\r\nBcc: <victim@example.org"
		}, []string{"to[0].address"}},
		{"ToAddressWithName", func(m *mail.Message) { m.To[0].Address = "Bob <bob@example.org>" }, []string{"to[0].address"}},
		{"FromNameLF", func(m *mail.Message) {
			m.From = netmail.Address{Name: "Co-op\nBcc: victim@example.org", Address: "a@example.org"}
		}, []string{"from.name"}},
		{"ReplyToAddress", func(m *mail.Message) { m.ReplyTo[0].Address = "not an address" }, []string{"reply_to[0].address"}},
		{"NoRecipient", func(m *mail.Message) { m.To = nil }, []string{"to"}},
		{"NoSubject", func(m *mail.Message) { m.Subject = "" }, []string{"subject"}},
		{"NoText", func(m *mail.Message) { m.Text = " \n" }, []string{"text"}},
		{"TextNotUTF8", func(m *mail.Message) { m.Text = "caf\xe9" }, []string{"text"}},
	}
	srv := mailtest.NewServer(t)
	s := newSender(t, srv)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := notification()
			tt.change(&msg)
			err := s.Send(context.Background(), msg)
			if code := marketplace.ErrorCode(err); code != marketplace.EINVALID {
				t.Fatalf("Send: err = %v; want code %q", err, marketplace.EINVALID)
			}
			var fields []string
			for _, f := range marketplace.ErrorFields(err) {
				fields = append(fields, f.Field)
			}
			if diff := cmp.Diff(tt.fields, fields); diff != "" {
				t.Errorf("fields at fault mismatch (-want +got):\n%s", diff)
			}
			if !mail.IsPermanent(err) {
				t.Errorf("IsPermanent(%v) = false; want true", err)
			}
		})
	}
	// None of them reached the server: the next message is the first.
	if err := s.Send(context.Background(), notification()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	var subjects []string
	for _, m := range srv.Messages() {
		subjects = append(subjects, m.Subject)
	}
	if diff := cmp.Diff([]string{notification().Subject}, subjects); diff != "" {
		t.Errorf("messages received mismatch (-want +got):\n%s", diff)
	}
}

func TestSMTPSender_Send_ErrNoFrom(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv)
	s.From = netmail.Address{}
	err := s.Send(context.Background(), notification())
	if code := marketplace.ErrorCode(err); code != marketplace.EINVALID {
		t.Fatalf("Send without From: err = %v; want code %q", err, marketplace.EINVALID)
	}
}

// TestSMTPSender_Send_ErrRefused checks which refusals are permanent: the
// job queue retries the others.
func TestSMTPSender_Send_ErrRefused(t *testing.T) {
	tests := []struct {
		name      string
		refusal   mailtest.Refusal
		permanent bool
	}{
		{"MailTemporary", mailtest.Refusal{Stage: mailtest.StageMail, Code: 451, Message: "Try again later"}, false},
		{"MailPermanent", mailtest.Refusal{Stage: mailtest.StageMail, Code: 550, Message: "Sender refused"}, true},
		{"RcptMailboxFull", mailtest.Refusal{Stage: mailtest.StageRcpt, Code: 452, Message: "Mailbox full"}, false},
		{"RcptNoSuchUser", mailtest.Refusal{Stage: mailtest.StageRcpt, Code: 550, Message: "No such user"}, true},
		{"DataGreylisted", mailtest.Refusal{Stage: mailtest.StageData, Code: 451, Message: "Greylisted"}, false},
		{"DataSpam", mailtest.Refusal{Stage: mailtest.StageData, Code: 554, Message: "Rejected as spam"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, mailtest.WithRefusal(tt.refusal))
			err := newSender(t, srv).Send(context.Background(), notification())
			var perr *textproto.Error
			if !errors.As(err, &perr) || perr.Code != tt.refusal.Code {
				t.Fatalf("Send: err = %v; want the server's %d reply", err, tt.refusal.Code)
			}
			if got := mail.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v; want %v", err, got, tt.permanent)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server kept %d messages; want 0", n)
			}
		})
	}
}

func TestSMTPSender_Send_RetryAfterTemporary(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithRefusal(mailtest.Refusal{Code: 451, Times: 1}))
	s := newSender(t, srv)
	if err := s.Send(context.Background(), notification()); err == nil || mail.IsPermanent(err) {
		t.Fatalf("first Send: err = %v; want a temporary error", err)
	}
	if err := s.Send(context.Background(), notification()); err != nil {
		t.Fatalf("second Send: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("server kept %d messages; want 1", n)
	}
}

func TestSMTPSender_Send_ErrConnectionRefused(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv)
	srv.Close()
	err := s.Send(context.Background(), notification())
	if err == nil || mail.IsPermanent(err) {
		t.Fatalf("Send to a closed server: err = %v; want a temporary error", err)
	}
}

func TestSMTPSender_Send_ErrCanceled(t *testing.T) {
	srv := mailtest.NewServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := newSender(t, srv).Send(ctx, notification())
	if !errors.Is(err, context.Canceled) || mail.IsPermanent(err) {
		t.Fatalf("Send with a cancelled context: err = %v; want a temporary context.Canceled", err)
	}
}

func TestSMTPSender_Send_Auth(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithAuth("market", "s3cret:/@"))
	if err := newSender(t, srv).Send(context.Background(), notification()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := srv.Wait(t, 1, wait)[0]; got.Username != "market" || got.TLS {
		t.Errorf("received as %q over TLS=%v; want as market, in plain text to localhost", got.Username, got.TLS)
	}
}

func TestSMTPSender_Send_ErrAuthFailed(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithAuth("market", "s3cret"))
	s := newSender(t, srv)
	s.Password = "wrong"
	err := s.Send(context.Background(), notification())
	var perr *textproto.Error
	if !errors.As(err, &perr) || perr.Code != 535 || !mail.IsPermanent(err) {
		t.Fatalf("Send with a wrong password: err = %v; want a permanent 535", err)
	}
}

func TestSMTPSender_Send_StartTLS(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithStartTLS(), mailtest.WithAuth("market", "s3cret"))
	if err := newSender(t, srv).Send(context.Background(), notification()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := srv.Wait(t, 1, wait)[0]; !got.TLS || got.Username != "market" {
		t.Errorf("received as %q over TLS=%v; want as market over TLS", got.Username, got.TLS)
	}
}

func TestSMTPSender_Send_ImplicitTLS(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithImplicitTLS(), mailtest.WithAuth("market", "s3cret"))
	if !strings.HasPrefix(srv.URL, "smtps://") {
		t.Fatalf("URL = %q; want smtps://", srv.URL)
	}
	if err := newSender(t, srv).Send(context.Background(), notification()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := srv.Wait(t, 1, wait)[0]; !got.TLS || got.Username != "market" {
		t.Errorf("received as %q over TLS=%v; want as market over TLS", got.Username, got.TLS)
	}
}

func TestSMTPSender_Send_ErrUntrustedCertificate(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithStartTLS())
	s := newSender(t, srv)
	s.TLSConfig = nil // the system's roots do not know the test's certificate
	err := s.Send(context.Background(), notification())
	if err == nil || mail.IsPermanent(err) {
		t.Fatalf("Send: err = %v; want a temporary TLS error", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server kept %d messages; want 0", n)
	}
}

func TestNewSMTPSender(t *testing.T) {
	type config struct {
		Addr, Username, Password string
		ImplicitTLS              bool
		From                     netmail.Address
	}
	tests := []struct {
		url  string
		want config
	}{
		{"smtp://mail.example.org", config{Addr: "mail.example.org:587"}},
		{"smtps://mail.example.org", config{Addr: "mail.example.org:465", ImplicitTLS: true}},
		{"smtp://apikey:p%40ss%3Aword@smtp.example.org:2525", config{Addr: "smtp.example.org:2525", Username: "apikey", Password: "p@ss:word"}},
		{"smtp://[::1]:25", config{Addr: "[::1]:25"}},
		{
			"smtps://u:p@smtp.example.org?from=Co-op%20Market%20%3Cnoreply%40example.coop%3E",
			config{Addr: "smtp.example.org:465", Username: "u", Password: "p", ImplicitTLS: true, From: netmail.Address{Name: "Co-op Market", Address: "noreply@example.coop"}},
		},
		{"smtp://mail.example.org?from=noreply@example.coop", config{Addr: "mail.example.org:587", From: netmail.Address{Address: "noreply@example.coop"}}},
	}
	for _, tt := range tests {
		s, err := mail.NewSMTPSender(tt.url)
		if err != nil {
			t.Errorf("NewSMTPSender(%q): %v", tt.url, err)
			continue
		}
		got := config{Addr: s.Addr, Username: s.Username, Password: s.Password, ImplicitTLS: s.ImplicitTLS, From: s.From}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("NewSMTPSender(%q) mismatch (-want +got):\n%s", tt.url, diff)
		}
	}
}

func TestNewSMTPSender_Err(t *testing.T) {
	for _, u := range []string{
		"https://mail.example.org",
		"mail.example.org:587",
		"smtp://",
		"smtp://user:hunter2@mail.example.org?from=not%20an%20address",
		"smtp://user:hunter2@mail.example.org?form=noreply@example.coop",
		"smtp://user:hunter2@mail.example.org:port",
	} {
		_, err := mail.NewSMTPSender(u)
		if err == nil {
			t.Errorf("NewSMTPSender(%q) succeeded; want an error", u)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("NewSMTPSender(%q): the error shows the password: %v", u, err)
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// rawHeader returns the header field name of raw as sent, folded lines and
// all.
func rawHeader(t *testing.T, raw []byte, name string) string {
	t.Helper()
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	var field []string
	for _, line := range strings.Split(string(head), "\r\n") {
		switch {
		case strings.HasPrefix(line, name+":"):
			field = append(field, line)
		case len(field) > 0 && (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")):
			field = append(field, line)
		case len(field) > 0:
			return strings.Join(field, "\r\n")
		}
	}
	if len(field) == 0 {
		t.Fatalf("no %s field in:\n%s", name, head)
	}
	return strings.Join(field, "\r\n")
}
