package httpapi_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"cooptrade/marketplace"
	"cooptrade/workers/mail/mailtest"
)

// lmtpDeliver delivers raw over LMTP, as a mail server does, to each
// recipient, and returns the reply code each got (at RCPT, or for the
// message).
func lmtpDeliver(t *testing.T, addr, from, raw string, rcpts ...string) map[string]int {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("relay.federation.example"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(from, nil); err != nil {
		t.Fatal(err)
	}
	codes := map[string]int{}
	accepted := 0
	for _, r := range rcpts {
		var se *smtp.SMTPError
		if err := c.Rcpt(r, nil); errors.As(err, &se) {
			codes[r] = se.Code
		} else if err != nil {
			t.Fatal(err)
		} else {
			accepted++
		}
	}
	if accepted == 0 {
		return codes
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	ok, err := w.CloseWithLMTPResponse()
	var refused smtp.LMTPDataError
	if err != nil && !errors.As(err, &refused) {
		// A refusal of the whole message, such as its size.
		var se *smtp.SMTPError
		if !errors.As(err, &se) {
			t.Fatal(err)
		}
		for _, r := range rcpts {
			if _, done := codes[r]; !done {
				codes[r] = se.Code
			}
		}
		return codes
	}
	for r := range ok {
		codes[r] = 250
	}
	for r, se := range refused {
		codes[r] = se.Code
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	return codes
}

// TestLMTP delivers replies to a thread over a real LMTP connection to the
// listener serve opens: the reply appears in the thread, once however
// often it is delivered; a wrong sender, a forged token, an address of no
// thread and an oversized mail are refused for their recipient alone.
func TestLMTP(t *testing.T) {
	smtpServer := mailtest.NewServer(t)
	ts := newTestServer(t, options{SMTP: smtpServer, Env: map[string]string{"INBOUND_LMTP_ADDR": "127.0.0.1:0"}})
	addr := ts.App.LMTPAddr()
	if addr == "" {
		t.Fatal("serve opened no LMTP listener")
	}
	c := newContract(t, ts)
	staff := ts.staffToken(t)
	_, printer := ts.memberWithOwner(t, staff, "Lmtp Printers", marketplace.StandingActive)
	offer := ts.publishedListing(t, printer, offerBody("Risograph leaflets by LMTP"))

	// A member of the public writes and confirms; the supplier answers.
	var th struct {
		ID       string `json:"id"`
		Messages []struct{ Body, Via string }
	}
	sent := len(smtpServer.Messages())
	c.do(t, "POST", "/v1/listings/"+offer.ID+"/enquiries", "", map[string]any{"name": "Sam Jones", "email": "sam@example.org", "body": "2,000 A5 leaflets?"}).must(t, 201).decode(t, &th)
	link := enquiryConfirmLink.FindStringSubmatch(mailTo(t, deliver(t, ts, smtpServer, sent), "sam@example.org").Text)
	if link == nil {
		t.Fatal("no confirmation link")
	}
	c.do(t, "POST", "/v1/enquiries/"+th.ID+"/confirm", "", map[string]any{"token": link[2]}).must(t, 200)
	sent = len(smtpServer.Messages())
	c.do(t, "POST", "/v1/threads/"+th.ID+"/messages", printer, map[string]any{"body": "Yes, £420."}).must(t, 201)
	replyTo := strings.Trim(mailTo(t, deliver(t, ts, smtpServer, sent), "sam@example.org").Header.Get("Reply-To"), "<>")
	if !strings.HasPrefix(replyTo, "reply+"+th.ID+"-") {
		t.Fatalf("Reply-To %q", replyTo)
	}
	forged := "reply+" + th.ID + "-" + strings.Repeat("b", 32) + "@federation.example"
	messages := func() int {
		c.do(t, "GET", "/v1/threads/"+th.ID, printer, nil).must(t, 200).decode(t, &th)
		return len(th.Messages)
	}

	// One mail to the real reply address and a forged one: each
	// recipient gets its own answer. Delivered again, it adds nothing.
	raw := replyMail("sam@example.org", replyTo, "lmtp-1@example.org", "Lovely, go ahead.")
	for i := range 2 {
		got := lmtpDeliver(t, addr, "sam@example.org", raw, replyTo, forged)
		if got[replyTo] != 250 || got[forged] != 550 {
			t.Fatalf("delivery %d: %v; want 250 for the reply address, 550 for the forged one", i+1, got)
		}
		if n := messages(); n != 3 || th.Messages[2].Body != "Lovely, go ahead." || th.Messages[2].Via != "mail" {
			t.Fatalf("delivery %d: %d messages, %+v; want the reply added once", i+1, n, th.Messages)
		}
	}

	// From another address: refused, permanently.
	if got := lmtpDeliver(t, addr, "mallory@example.org", replyMail("mallory@example.org", replyTo, "lmtp-2@example.org", "Cancel it"), replyTo); got[replyTo] != 550 {
		t.Errorf("a wrong sender got %v; want 550", got)
	}
	// An address that names no thread is refused at RCPT.
	if got := lmtpDeliver(t, addr, "sam@example.org", raw, "postmaster@federation.example"); got["postmaster@federation.example"] != 550 {
		t.Errorf("an address of no thread got %v; want 550", got)
	}
	// Larger than the endpoint takes: 552.
	big := replyMail("sam@example.org", replyTo, "lmtp-3@example.org", strings.Repeat("too long a line of text\n", marketplace.MaxInboundMail/20))
	if got := lmtpDeliver(t, addr, "sam@example.org", big, replyTo); got[replyTo] != 552 {
		t.Errorf("an oversized mail got %v; want 552", got)
	}
	if n := messages(); n != 3 {
		t.Errorf("%d messages after refused mails; want 3", n)
	}
}

// TestLMTPSocket serves LMTP on a unix socket, as Postfix's
// lmtp:unix:… transport reaches it, and stops taking mail when the
// program closes.
func TestLMTPSocket(t *testing.T) {
	dir, err := os.MkdirTemp("", "lmtp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	sock := filepath.Join(dir, "marketplace.sock")
	ts := newTestServer(t, options{Env: map[string]string{"INBOUND_LMTP_ADDR": "unix:" + sock}})
	if got := ts.App.LMTPAddr(); got != sock {
		t.Fatalf("LMTP on %q; want %q", got, sock)
	}
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	if err := c.Hello("relay.federation.example"); err != nil {
		t.Fatal(err)
	}
	// A reply address of no thread is refused at RCPT, permanently.
	if err := c.Mail("sam@example.org", nil); err != nil {
		t.Fatal(err)
	}
	var se *smtp.SMTPError
	if err := c.Rcpt("reply+0123456789abcdef01234567-"+strings.Repeat("a", 32)+"@elsewhere.example", nil); !errors.As(err, &se) || se.Code != 550 {
		t.Errorf("a reply address on another domain: %v; want 550", err)
	}
	_ = c.Quit()

	if err := ts.App.Close(); err != nil {
		t.Fatal(err)
	}
	if conn, err := net.Dial("unix", sock); err == nil {
		conn.Close()
		t.Error("LMTP still answers after the program closed")
	}
}
