package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"cooptrade/marketplace"
)

// DefaultTimeout bounds one Send of an SMTPSender whose Timeout is zero,
// from dialling to the server's reply to the message.
const DefaultTimeout = time.Minute

// SMTPSender sends mail through an SMTP server, one connection per message.
// Its fields are set by NewSMTPSender from SMTP_URL; callers may change
// them before the first Send, not during.
type SMTPSender struct {
	// Addr is the server's host:port.
	Addr string
	// Username and Password, when Username is set, authenticate with AUTH
	// PLAIN, which is only ever sent over TLS (or to localhost).
	Username string
	Password string
	// ImplicitTLS is TLS from the first byte (smtps://, port 465). When it
	// is false the connection is upgraded with STARTTLS whenever the
	// server offers it.
	ImplicitTLS bool
	// From is the author of messages whose own From is empty.
	From mail.Address
	// TLSConfig configures TLS; nil trusts the system's roots. Its
	// ServerName defaults to the host of Addr.
	TLSConfig *tls.Config
	// LocalName is the name given in EHLO; "" means "localhost".
	LocalName string
	// Timeout bounds each Send; zero means DefaultTimeout. A deadline of
	// the context passed to Send that comes sooner wins.
	Timeout time.Duration
	// Now returns the time written in the Date field; nil means time.Now.
	Now func() time.Time
}

var _ Sender = (*SMTPSender)(nil)

// NewSMTPSender returns a sender configured by an SMTP URL, the value of
// SMTP_URL:
//
//	smtp://user:password@smtp.example.org:587?from=Co-op%20Market%20%3Cnoreply%40example.org%3E
//	smtps://user:password@smtp.example.org:465?from=noreply%40example.org
//
// smtp:// connects in plain text and upgrades with STARTTLS when the server
// offers it (default port 587); smtps:// is TLS from the start (default
// port 465). The user name and password are optional and percent-encoded.
// The from parameter, optional, is the default author as an RFC 5322
// address ("Name <addr>" or "addr", percent-encoded); without it the From
// field must be set on the sender or on each message. No other parameter is
// accepted.
func NewSMTPSender(smtpURL string) (*SMTPSender, error) {
	u, err := url.Parse(smtpURL)
	if err != nil {
		// url's errors quote the URL, password and all.
		return nil, errors.New("mail: SMTP_URL is not a URL")
	}
	s := &SMTPSender{}
	port := ""
	switch u.Scheme {
	case "smtp":
		port = "587"
	case "smtps":
		port, s.ImplicitTLS = "465", true
	default:
		return nil, fmt.Errorf("mail: SMTP_URL %s: scheme must be smtp or smtps", u.Redacted())
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("mail: SMTP_URL %s: no host", u.Redacted())
	}
	if p := u.Port(); p != "" {
		port = p
	}
	s.Addr = net.JoinHostPort(host, port)
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	for name, values := range u.Query() {
		if name != "from" {
			return nil, fmt.Errorf("mail: SMTP_URL %s: unknown parameter %q (only from)", u.Redacted(), name)
		}
		a, err := mail.ParseAddress(values[0])
		if err != nil {
			return nil, fmt.Errorf("mail: SMTP_URL %s: from: %w", u.Redacted(), err)
		}
		s.From = *a
	}
	return s, nil
}

// Send sends m in one SMTP transaction, to every address of m.To. A
// refusal of any recipient fails the whole message: send a message per
// recipient when they are independent. IsPermanent says whether an error
// is worth a retry.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if m.From == (mail.Address{}) {
		m.From = s.From
	}
	if err := m.Validate(); err != nil {
		return err
	}
	if m.From == (mail.Address{}) {
		return marketplace.Invalid(marketplace.FieldError{Field: "from", Message: "is required: the sender has no default From"})
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	body, err := build(m, now())
	if err != nil {
		return fmt.Errorf("mail: build message: %w", err)
	}

	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := s.send(ctx, m, body); err != nil {
		if ctx.Err() != nil && !IsPermanent(err) {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return fmt.Errorf("mail: send %q to %s via %s: %w", m.Subject, addressList(m.To), s.Addr, err)
	}
	return nil
}

func (s *SMTPSender) send(ctx context.Context, m Message, body []byte) error {
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return err
	}
	tlsConfig := s.TLSConfig.Clone()
	if tlsConfig == nil {
		tlsConfig = &tls.Config{}
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = host
	}

	var conn net.Conn
	if s.ImplicitTLS {
		conn, err = (&tls.Dialer{Config: tlsConfig}).DialContext(ctx, "tcp", s.Addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", s.Addr)
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	// Every read and write ends with the context: at its deadline, or at
	// once when it is cancelled.
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return err
	}
	defer c.Close()
	localName := s.LocalName
	if localName == "" {
		localName = "localhost"
	}
	if err := c.Hello(localName); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !s.ImplicitTLS {
		if err := c.StartTLS(tlsConfig); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("the server offers no AUTH (on a connection without TLS, the password is not sent)")
		}
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.Mail(m.From.Address); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	for _, a := range m.To {
		if err := c.Rcpt(a.Address); err != nil {
			return fmt.Errorf("rcpt to %s: %w", a.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	// The server has taken the message: a failed QUIT must not make the
	// caller send it again.
	_ = c.Quit()
	return nil
}

func addressList(as []mail.Address) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.Address
	}
	return strings.Join(s, ", ")
}
