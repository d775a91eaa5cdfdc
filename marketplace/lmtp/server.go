package lmtp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"cooptrade/marketplace"
)

// Receiver takes a reply by mail for one envelope recipient
// (marketplace.Service.ReceiveReplyMailTo). It returns EINVALID for a mail
// it cannot read, ENOTFOUND for an address that names no thread,
// EFORBIDDEN for a sender who may not write there.
type Receiver interface {
	ReceiveReplyMailTo(ctx context.Context, raw []byte, recipient string) (*marketplace.Thread, bool, error)
}

// Config is what a Server needs. The zero values of the durations and
// limits are the defaults documented on each.
type Config struct {
	Receiver Receiver
	Logger   *slog.Logger
	// Domain is the name the server greets with (default "localhost").
	Domain string
	// ReplyDomain, when set, is the only mail domain recipients are taken
	// for; other recipients are refused at RCPT.
	ReplyDomain string
	// Timeout bounds each read and write of a connection (default 5 minutes,
	// as RFC 5321 suggests), so that an idle one does not hold Shutdown.
	Timeout time.Duration
	// MaxRecipients bounds the recipients of one mail (default 50).
	MaxRecipients int
}

// Server is an LMTP server in front of a Receiver.
type Server struct {
	cfg  Config
	smtp *smtp.Server
}

// New returns a server; Serve starts it.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Domain == "" {
		cfg.Domain = "localhost"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Minute
	}
	if cfg.MaxRecipients <= 0 {
		cfg.MaxRecipients = 50
	}
	s := &Server{cfg: cfg}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{srv: s}, nil
	}))
	srv.LMTP = true
	srv.Domain = cfg.Domain
	// The same bound as the inbound mail endpoint: go-smtp answers 552
	// for a larger mail.
	srv.MaxMessageBytes = marketplace.MaxInboundMail
	srv.MaxRecipients = cfg.MaxRecipients
	srv.ReadTimeout, srv.WriteTimeout = cfg.Timeout, cfg.Timeout
	srv.ErrorLog = slogPrinter{cfg.Logger}
	s.smtp = srv
	return s
}

// Serve accepts connections on ln until Shutdown or Close; it returns
// nil once the server is shut down.
func (s *Server) Serve(ln net.Listener) error {
	err := s.smtp.Serve(ln)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting and waits for the deliveries under way, until
// ctx ends; then it closes the connections left.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.smtp.Shutdown(ctx)
	if err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		_ = s.smtp.Close()
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			// Idle connections a mail server keeps open are not
			// deliveries: closing them loses nothing.
			return nil
		}
		return err
	}
	return nil
}

// session is one LMTP connection's transaction.
type session struct {
	srv  *Server
	from string
	rcpt []string
}

func (s *session) Reset()        { s.from, s.rcpt = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

// Rcpt refuses at once an address that can never be a reply address; the
// token is checked with the message, since the thread is read then.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if _, _, ok := marketplace.ParseReplyAddress(to); !ok {
		return errNoMailbox
	}
	if d := s.srv.cfg.ReplyDomain; d != "" {
		if _, domain, _ := strings.Cut(to, "@"); !strings.EqualFold(domain, d) {
			return errNoMailbox
		}
	}
	s.rcpt = append(s.rcpt, to)
	return nil
}

// Data is not used over LMTP (LMTPData is), but Session requires it.
func (s *session) Data(r io.Reader) error {
	return s.LMTPData(r, nil)
}

// LMTPData reads the mail once and hands it to the receiver for each
// recipient, answering for each.
func (s *session) LMTPData(r io.Reader, status smtp.StatusCollector) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		// go-smtp's ErrDataTooLarge (552) and broken connections.
		return err
	}
	var last error
	for _, to := range s.rcpt {
		err := s.deliver(raw, to)
		if status != nil {
			status.SetStatus(to, err)
		}
		last = err
	}
	return last
}

// deliver hands the mail to the receiver for one recipient and turns its
// error into an LMTP reply.
func (s *session) deliver(raw []byte, to string) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.srv.cfg.Timeout)
	defer cancel()
	t, added, err := s.srv.cfg.Receiver.ReceiveReplyMailTo(ctx, bytes.Clone(raw), to)
	log := s.srv.cfg.Logger
	if err == nil {
		log.Info("lmtp: reply taken", "thread", t.ID, "added", added)
		return nil
	}
	reply := replyFor(err)
	if reply.Code >= 500 {
		log.Info("lmtp: reply refused", "code", reply.Code, "error", err)
	} else {
		log.Warn("lmtp: reply deferred", "code", reply.Code, "error", err)
	}
	return reply
}

var errNoMailbox = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such reply address"}

// replyFor maps the use case's error codes to LMTP replies: what the
// sender got wrong is permanent (5xx, the mail server bounces it); the
// rest is ours and temporary (4xx, the mail server retries).
func replyFor(err error) *smtp.SMTPError {
	switch marketplace.ErrorCode(err) {
	case marketplace.ENOTFOUND:
		return errNoMailbox
	case marketplace.EFORBIDDEN:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "The sender may not write to this thread"}
	case marketplace.EINVALID:
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "The mail has no plain text the thread takes (at most 10,000 characters)"}
	}
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Cannot take the mail now; try again later"}
}

// slogPrinter is go-smtp's error log, written to slog.
type slogPrinter struct{ l *slog.Logger }

func (p slogPrinter) Printf(format string, v ...any) {
	p.l.Warn("lmtp: " + strings.TrimSpace(fmt.Sprintf(format, v...)))
}

func (p slogPrinter) Println(v ...any) {
	p.l.Warn("lmtp: " + strings.TrimSpace(fmt.Sprint(v...)))
}
