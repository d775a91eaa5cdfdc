package mailtest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is a message the server received: its envelope, and its content
// parsed.
type Message struct {
	// From is the envelope sender (MAIL FROM).
	From string
	// To are the envelope recipients (RCPT TO).
	To []string
	// Header holds the header fields as sent, not decoded.
	Header mail.Header
	// Subject is the Subject field with RFC 2047 words decoded.
	Subject string
	// Text and HTML are the decoded bodies of the first text/plain and
	// text/html parts, with the CRLF line breaks of SMTP turned back into
	// "\n" ("" when there is no such part).
	Text string
	HTML string
	// Raw is the message as the server received it.
	Raw []byte
	// TLS reports whether the connection was encrypted.
	TLS bool
	// Username is who authenticated, or "".
	Username string
	// Err is why the message could not be parsed, or nil.
	Err error
}

// Stage is a step of the SMTP transaction that a Refusal applies to.
type Stage string

// Stages of the SMTP transaction.
const (
	StageMail Stage = "MAIL" // MAIL FROM
	StageRcpt Stage = "RCPT" // RCPT TO, for each recipient
	StageData Stage = "DATA" // the reply to the message itself
)

// Refusal makes the server answer a stage of the transaction with an error
// reply, as real servers do: 4xx is temporary (451 "try again later"),
// 5xx permanent (550 "no such user", 554 "rejected as spam").
type Refusal struct {
	// Stage is where to refuse; "" means StageData.
	Stage Stage
	// Code is the reply code, 400 to 599; 0 refuses nothing.
	Code int
	// Message is the text of the reply; "" gives a stock one.
	Message string
	// Times is how many commands to refuse before accepting again; 0
	// means until the refusal is changed.
	Times int
}

// Option configures a Server.
type Option func(*config)

type config struct {
	username, password string
	startTLS           bool
	implicitTLS        bool
	refusal            Refusal
}

// WithAuth requires clients to authenticate with AUTH PLAIN as username
// and password before MAIL. Without TLS it is offered on the plain
// connection, as to a local client.
func WithAuth(username, password string) Option {
	return func(c *config) { c.username, c.password = username, password }
}

// WithStartTLS offers STARTTLS, with a certificate made for the test
// (see Server.ClientTLSConfig). AUTH is then offered only after STARTTLS.
func WithStartTLS() Option {
	return func(c *config) { c.startTLS = true }
}

// WithImplicitTLS serves TLS from the first byte (smtps), with a
// certificate made for the test.
func WithImplicitTLS() Option {
	return func(c *config) { c.implicitTLS = true }
}

// WithRefusal starts the server refusing as r says (see Server.Refuse).
func WithRefusal(r Refusal) Option {
	return func(c *config) { c.refusal = r }
}

// Server is an SMTP server in the test process that keeps every message it
// accepts.
type Server struct {
	// Addr is the server's address, 127.0.0.1:port.
	Addr string
	// URL is an SMTP_URL for the server: smtp:// (smtps:// with
	// WithImplicitTLS) with the credentials of WithAuth, and no from.
	URL string

	cfg      config
	smtp     *smtp.Server
	listener net.Listener
	served   chan struct{} // closed when Serve has returned
	cert     *x509.Certificate
	closed   sync.Once

	mu       sync.Mutex
	msgs     []Message
	changed  chan struct{} // closed and replaced when a message arrives
	refusal  Refusal
	refusals int // refused so far under the current refusal
}

// NewServer starts an SMTP server on a free port of 127.0.0.1 for the test
// and closes it when the test ends.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{changed: make(chan struct{})}
	for _, o := range opts {
		o(&s.cfg)
	}
	s.refusal = s.cfg.refusal

	be := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, conn: c}, nil
	}))
	be.Domain = "localhost"
	be.ReadTimeout = time.Minute
	be.WriteTimeout = time.Minute
	be.MaxMessageBytes = 10 << 20
	be.MaxRecipients = 100
	be.ErrorLog = log.New(io.Discard, "", 0)
	be.AllowInsecureAuth = !s.cfg.startTLS && !s.cfg.implicitTLS
	s.smtp = be

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("mailtest: listen: %v", err)
	}
	scheme := "smtp"
	if s.cfg.startTLS || s.cfg.implicitTLS {
		cert, tlsCert, err := newCertificate()
		if err != nil {
			l.Close()
			tb.Fatalf("mailtest: %v", err)
		}
		s.cert = cert
		tlsConfig := &tls.Config{Certificates: []tls.Certificate{tlsCert}}
		if s.cfg.implicitTLS {
			l = tls.NewListener(l, tlsConfig)
			scheme = "smtps"
		} else {
			be.TLSConfig = tlsConfig
		}
	}
	s.Addr = l.Addr().String()
	u := url.URL{Scheme: scheme, Host: s.Addr}
	if s.cfg.username != "" {
		u.User = url.UserPassword(s.cfg.username, s.cfg.password)
	}
	s.URL = u.String()

	s.listener, s.served = l, make(chan struct{})
	go func() {
		defer close(s.served)
		_ = be.Serve(l)
	}()
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server; clients then find the port refused. It may be
// called more than once.
func (s *Server) Close() {
	s.closed.Do(func() {
		// Serve may not have taken the listener yet: close it too.
		_ = s.smtp.Close()
		_ = s.listener.Close()
		<-s.served
	})
}

// ClientTLSConfig returns a TLS configuration that trusts the server's
// certificate (with WithStartTLS or WithImplicitTLS), for the client.
func (s *Server) ClientTLSConfig() *tls.Config {
	pool := x509.NewCertPool()
	if s.cert != nil {
		pool.AddCert(s.cert)
	}
	return &tls.Config{RootCAs: pool}
}

// Refuse makes the server refuse as r says from now on; Refuse(Refusal{})
// makes it accept everything again.
func (s *Server) Refuse(r Refusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusal, s.refusals = r, 0
}

// refuse returns the error reply for stage, or nil to go on.
func (s *Server) refuse(stage Stage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.refusal
	if r.Stage == "" {
		r.Stage = StageData
	}
	if r.Code == 0 || r.Stage != stage || (r.Times > 0 && s.refusals >= r.Times) {
		return nil
	}
	s.refusals++
	msg := r.Message
	if msg == "" {
		msg = "Refused by the test"
	}
	return &smtp.SMTPError{Code: r.Code, EnhancedCode: smtp.EnhancedCode{r.Code / 100, 0, 0}, Message: msg}
}

// Messages returns the messages received so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// WaitContext waits until at least n messages have arrived and returns all
// of them, oldest first, or returns the context's error with those that
// arrived.
func (s *Server) WaitContext(ctx context.Context, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		msgs, changed := append([]Message(nil), s.msgs...), s.changed
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return msgs, ctx.Err()
		}
	}
}

// Wait waits until at least n messages have arrived and returns all of
// them, oldest first. It fails the test if they have not arrived within
// timeout.
func (s *Server) Wait(tb testing.TB, n int, timeout time.Duration) []Message {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	msgs, err := s.WaitContext(ctx, n)
	if err != nil {
		subjects := make([]string, len(msgs))
		for i, m := range msgs {
			subjects[i] = m.Subject
		}
		tb.Fatalf("mailtest: waited %v for %d messages; %d arrived: %q", timeout, n, len(msgs), subjects)
	}
	return msgs
}

func (s *Server) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

// session is one SMTP connection's state.
type session struct {
	s        *Server
	conn     *smtp.Conn
	username string
	from     string
	to       []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.cfg.username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || ss.s.cfg.username == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if (identity != "" && identity != username) || username != ss.s.cfg.username || password != ss.s.cfg.password {
			return smtp.ErrAuthFailed
		}
		ss.username = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.cfg.username != "" && ss.username == "" {
		return smtp.ErrAuthRequired
	}
	if err := ss.s.refuse(StageMail); err != nil {
		return err
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.s.refuse(StageRcpt); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := ss.s.refuse(StageData); err != nil {
		return err
	}
	_, isTLS := ss.conn.TLSConnectionState()
	m := parse(raw)
	m.From, m.To, m.TLS, m.Username = ss.from, ss.to, isTLS, ss.username
	ss.s.add(m)
	return nil
}

func (ss *session) Reset() {
	ss.from, ss.to = "", nil
}

func (ss *session) Logout() error { return nil }

// parse reads the header fields and the text and HTML parts of raw.
func parse(raw []byte) Message {
	m := Message{Raw: raw}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		m.Err = fmt.Errorf("read message: %w", err)
		return m
	}
	m.Header = msg.Header
	dec := new(mime.WordDecoder)
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		m.Err = fmt.Errorf("decode subject: %w", err)
		return m
	}
	if err := walk(&m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body); err != nil {
		m.Err = err
	}
	return m
}

// walk reads one MIME entity, descending into multipart ones.
func walk(m *Message, contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			// NextPart decodes quoted-printable parts itself and drops
			// their Content-Transfer-Encoding.
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil
			} else if err != nil {
				return fmt.Errorf("%s: %w", mediaType, err)
			}
			if err := walk(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, newlineStripper{body})
	case "", "7bit", "8bit", "binary":
	default:
		return fmt.Errorf("%s: unknown transfer encoding %q", mediaType, encoding)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%s: %w", mediaType, err)
	}
	switch {
	case mediaType == "text/plain" && m.Text == "":
		m.Text = strings.ReplaceAll(string(b), "\r\n", "\n")
	case mediaType == "text/html" && m.HTML == "":
		m.HTML = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	return nil
}

// newlineStripper drops the line breaks of base64 text.
type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		j := 0
		for _, c := range p[:k] {
			if c != '\r' && c != '\n' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// newCertificate makes a self-signed certificate for 127.0.0.1 and
// localhost, valid for a day.
func newCertificate() (*x509.Certificate, tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("make a certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	return cert, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, nil
}
