package mail_test

import (
	"context"
	netmail "net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/workers/mail"
	"cooptrade/workers/mail/mailtest"
)

// FuzzSend sends messages whose recipient's name, subject, bodies and an
// extra header are made up, through SMTP to the capture server. A message
// the sender takes arrives whole: its header fields are exactly those
// written (none smuggled in by a line break), and its subject and bodies
// read back as sent. One it refuses is refused as EINVALID, naming the
// field.
func FuzzSend(f *testing.F) {
	srv := mailtest.NewServer(f)
	s, err := mail.NewSMTPSender(srv.URL)
	if err != nil {
		f.Fatal(err)
	}
	s.TLSConfig = srv.ClientTLSConfig()
	s.From = netmail.Address{Name: "Co-op Marketplace", Address: "noreply@market.example.coop"}
	s.Now = func() time.Time { return sentAt }
	f.Add("Leeds Print Co-op", "A need matches your offer: 5,000 leaflets", "Hello,\n.\nA lone dot above.\n", "<p>Café ☕</p>", "<https://market.example.coop/u?t=1>")
	f.Add("Evil\r\nBcc: victim@example.com", "Hi\r\nX-Injected: yes", "text", "", "x\nX-Also: 1")
	f.Add("=?utf-8?q?encoded?=", "=?utf-8?b?SGk=?=", "From me\r\n\r\n--boundary\r\n", "<html>", "")
	f.Add("Ysgol Gymraeg Bro Taf", "Cyfle newydd: argraffu ☕", strings.Repeat("hir iawn ", 200), "", "\x00")
	f.Fuzz(func(t *testing.T, name, subject, text, html, header string) {
		m := mail.Message{
			To:      []netmail.Address{{Name: name, Address: "hello@leedsprint.coop"}},
			Subject: subject, Text: text, HTML: html,
			Headers: map[string]string{"List-Unsubscribe": header},
		}
		before := len(srv.Messages())
		err := s.Send(context.Background(), m)
		if err != nil {
			if marketplace.ErrorCode(err) != marketplace.EINVALID || len(marketplace.ErrorFields(err)) == 0 {
				t.Fatalf("refused without naming a field: %v", err)
			}
			return
		}
		var got mailtest.Message
		deadline := time.Now().Add(wait)
		for len(srv.Messages()) == before && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		msgs := srv.Messages()
		if len(msgs) == before {
			t.Fatal("the message did not arrive")
		}
		got = msgs[len(msgs)-1]
		if got.Err != nil {
			t.Fatalf("the message arrived broken: %v\n%s", got.Err, got.Raw)
		}
		var fields []string
		for k := range got.Header {
			fields = append(fields, k)
		}
		slices.Sort(fields)
		want := []string{"Content-Transfer-Encoding", "Content-Type", "Date", "From", "List-Unsubscribe", "Message-Id", "Mime-Version", "Subject", "To"}
		if html != "" {
			want = slices.DeleteFunc(want, func(s string) bool { return s == "Content-Transfer-Encoding" })
		}
		if header == "" {
			want = slices.DeleteFunc(want, func(s string) bool { return s == "List-Unsubscribe" })
		}
		if !slices.Equal(fields, want) {
			t.Fatalf("header fields %v; want %v\n%s", fields, want, got.Raw)
		}
		// A header field's value is read without the spaces around it.
		if strings.TrimSpace(got.Subject) != strings.TrimSpace(subject) {
			t.Errorf("subject %q; want %q", got.Subject, subject)
		}
		if norm(got.Text) != norm(text) || norm(got.HTML) != norm(html) {
			t.Errorf("bodies changed: %q %q; want %q %q", got.Text, got.HTML, text, html)
		}
		if a, err := netmail.ParseAddress(got.Header.Get("To")); err != nil || strings.TrimSpace(a.Name) != strings.TrimSpace(name) {
			t.Errorf("To %q reads back as %+v, %v; want the name %q", got.Header.Get("To"), a, err, name)
		}
	})
}

// norm is a body as SMTP carries it: line breaks are CRLF on the wire and
// "\n" once read back, a lone CR becomes a line break too, and the message
// ends with one.
func norm(s string) string {
	return strings.TrimSuffix(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"), "\n")
}
