package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	netmail "net/mail"
	"net/textproto"
	"testing"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/workers/mail"
)

func TestIsPermanent(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"Nil", nil, false},
		{"Reply550", &textproto.Error{Code: 550, Msg: "No such user"}, true},
		{"Reply554Wrapped", fmt.Errorf("mail: send: %w", &textproto.Error{Code: 554, Msg: "Spam"}), true},
		{"Reply421", &textproto.Error{Code: 421, Msg: "Service not available"}, false},
		{"Reply451Wrapped", fmt.Errorf("mail: send: %w", &textproto.Error{Code: 451, Msg: "Later"}), false},
		{"Invalid", marketplace.Invalid(marketplace.FieldError{Field: "subject", Message: "must not contain line breaks"}), true},
		{"Unavailable", marketplace.Errorf(marketplace.EUNAVAILABLE, "down"), false},
		{"Network", errors.New("dial tcp 127.0.0.1:25: connect: connection refused"), false},
		{"EOF", io.ErrUnexpectedEOF, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mail.IsPermanent(tt.err); got != tt.want {
				t.Errorf("IsPermanent(%v) = %v; want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestNewSender(t *testing.T) {
	s, err := mail.NewSender("", slog.New(slog.DiscardHandler))
	if _, ok := s.(*mail.LogSender); err != nil || !ok {
		t.Errorf(`NewSender("") = %T, %v; want a *mail.LogSender`, s, err)
	}
	s, err = mail.NewSender("smtp://mail.example.org", slog.New(slog.DiscardHandler))
	if _, ok := s.(*mail.SMTPSender); err != nil || !ok {
		t.Errorf(`NewSender("smtp://mail.example.org") = %T, %v; want a *mail.SMTPSender`, s, err)
	}
	if _, err := mail.NewSender("http://mail.example.org", slog.New(slog.DiscardHandler)); err == nil {
		t.Error(`NewSender("http://mail.example.org") succeeded; want an error`)
	}
}

func TestLogSender_Send(t *testing.T) {
	var buf bytes.Buffer
	s := &mail.LogSender{
		Logger: slog.New(slog.NewJSONHandler(&buf, nil)),
		From:   netmail.Address{Address: "noreply@market.example.coop"},
	}
	msg := notification()
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	var got struct {
		Msg  string `json:"msg"`
		Mail struct {
			From, To, Subject, Text string
			Headers                 map[string]string
			HTML                    bool
		} `json:"mail"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("log line %q: %v", buf.String(), err)
	}
	want := got
	want.Msg = "mail: not sent (no SMTP_URL)"
	want.Mail.From, want.Mail.To, want.Mail.Subject, want.Mail.Text = "noreply@market.example.coop", "hello@leedsprint.coop", msg.Subject, msg.Text
	want.Mail.Headers, want.Mail.HTML = msg.Headers, true
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log record mismatch (-want +got):\n%s", diff)
	}
}

func TestLogSender_Send_ErrInvalid(t *testing.T) {
	var buf bytes.Buffer
	s := &mail.LogSender{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	msg := notification()
	msg.Subject = "Hi\r\nBcc: victim@example.org"
	if err := s.Send(context.Background(), msg); marketplace.ErrorCode(err) != marketplace.EINVALID {
		t.Errorf("Send: err = %v; want code %q", err, marketplace.EINVALID)
	}
	if buf.Len() != 0 {
		t.Errorf("an invalid message was logged: %s", buf.String())
	}
}
