package lmtp_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"cooptrade/marketplace"
	"cooptrade/marketplace/lmtp"
)

// receiverFunc takes replies as the function says; the use case itself
// is tested over the real service in package httpapi (TestLMTP).
type receiverFunc func(raw []byte, to string) error

func (f receiverFunc) ReceiveReplyMailTo(_ context.Context, raw []byte, to string) (*marketplace.Thread, bool, error) {
	if err := f(raw, to); err != nil {
		return nil, false, err
	}
	return &marketplace.Thread{ID: "t1"}, true, nil
}

func addr(who string) string {
	return "reply+0123456789abcdef01234567-" + strings.Repeat(who, 32) + "@replies.example"
}

// TestServer answers each recipient of one mail on its own, over a real
// connection: taken, refused for good, or deferred so that the mail
// server tries again; and it lets a delivery under way finish on
// Shutdown.
func TestServer(t *testing.T) {
	ok, unknown, busy := addr("a"), addr("b"), addr("c")
	release := make(chan struct{})
	var got []string
	srv := lmtp.New(lmtp.Config{ReplyDomain: "replies.example", Receiver: receiverFunc(func(raw []byte, to string) error {
		got = append(got, to)
		switch to {
		case unknown:
			return marketplace.Errorf(marketplace.ENOTFOUND, "no thread")
		case busy:
			<-release
			return marketplace.Errorf(marketplace.EUNAVAILABLE, "database down")
		}
		if !strings.Contains(string(raw), "Yes please.") {
			return marketplace.Errorf(marketplace.EINVALID, "no text")
		}
		return nil
	})})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("relay.example"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("sam@example.org", nil); err != nil {
		t.Fatal(err)
	}
	var se *smtp.SMTPError
	for _, r := range []string{"postmaster@replies.example", strings.Replace(ok, "replies.example", "elsewhere.example", 1)} {
		if err := c.Rcpt(r, nil); !errors.As(err, &se) || se.Code != 550 {
			t.Errorf("RCPT %s: %v; want 550", r, err)
		}
	}
	for _, r := range []string{ok, unknown, busy} {
		if err := c.Rcpt(r, nil); err != nil {
			t.Fatal(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("From: sam@example.org\r\nTo: " + ok + "\r\nMessage-ID: <m1@example.org>\r\n\r\nYes please.\r\n")); err != nil {
		t.Fatal(err)
	}
	// Shutdown waits for the delivery under way.
	done := make(chan map[string]int, 1)
	go func() {
		resp, err := w.CloseWithLMTPResponse()
		codes := map[string]int{}
		for r := range resp {
			codes[r] = 250
		}
		var refused smtp.LMTPDataError
		if errors.As(err, &refused) {
			for r, e := range refused {
				codes[r] = e.Code
			}
		}
		done <- codes
	}()
	time.Sleep(50 * time.Millisecond)
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Shutdown(context.Background()) }()
	select {
	case <-stopped:
		t.Fatal("Shutdown did not wait for the delivery under way")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	codes := <-done
	if codes[ok] != 250 || codes[unknown] != 550 || codes[busy] != 451 {
		t.Errorf("answers %v; want 250 for %s, 550 for %s, 451 for %s", codes, ok, unknown, busy)
	}
	_ = c.Quit()
	c.Close()
	if err := <-stopped; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if len(got) != 3 {
		t.Errorf("the receiver saw %v; want the three accepted recipients", got)
	}
}
