package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"cooptrade/marketplace"
)

// Message is one e-mail: who it is from and to, its subject, a plain-text
// part and, optionally, an HTML part, and extra header fields.
type Message struct {
	// ID, when set, names the message for good: its Message-ID is made
	// from it, so that the same message sent twice (a retry after a crash)
	// is known as one by the recipient's mail system. Empty: a new
	// Message-ID for each sending.
	ID string
	// From is the author. Its zero value means the sender's default From.
	From mail.Address
	// To are the recipients; each also receives the message (SMTP RCPT).
	To []mail.Address
	// ReplyTo, when set, is where replies go instead of From.
	ReplyTo []mail.Address
	// Subject is the subject line, in any language: it is encoded as RFC
	// 2047 words when it is not plain ASCII.
	Subject string
	// Text is the plain-text body. Every message has one.
	Text string
	// HTML is the HTML body, an alternative to Text; empty for none.
	HTML string
	// Headers are extra header fields by name, e.g. "List-Unsubscribe":
	// "<https://…>" and "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"
	// (RFC 8058). Values that are not ASCII are encoded as RFC 2047 words.
	// The fields the sender writes itself (From, To, Subject, Date,
	// Message-ID, MIME and content fields…) may not be given here.
	Headers map[string]string
}

// Sender sends messages.
type Sender interface {
	// Send sends m. It returns an EINVALID error naming the field at fault
	// for a message that cannot be sent (a line break in a header, no
	// recipient…); otherwise the error of the transport, which IsPermanent
	// classifies.
	Send(ctx context.Context, m Message) error
}

// NewSender returns the sender for the service's configuration: an
// SMTPSender for smtpURL (see NewSMTPSender), or, when smtpURL is empty, a
// LogSender that writes each message to logger.
func NewSender(smtpURL string, logger *slog.Logger) (Sender, error) {
	if smtpURL == "" {
		return &LogSender{Logger: logger}, nil
	}
	return NewSMTPSender(smtpURL)
}

// IsPermanent reports whether sending failed for good, so that retrying
// the same message is pointless: the server refused it with a 5xx reply
// (an unknown mailbox, a message refused as spam, failed authentication),
// or the message itself is invalid. Everything else is temporary: a 4xx
// reply (a full mailbox, greylisting, a rate limit), a refused or dropped
// connection, a timeout or a TLS failure. It is false for nil.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	var perr *textproto.Error
	if errors.As(err, &perr) {
		return perr.Code >= 500 && perr.Code <= 599
	}
	return marketplace.ErrorCode(err) == marketplace.EINVALID
}

// reservedHeaders are the header fields the sender writes itself.
var reservedHeaders = []string{
	"Bcc", "Cc", "Content-Disposition", "Content-Transfer-Encoding", "Content-Type",
	"Date", "From", "Message-Id", "Mime-Version", "Reply-To", "Return-Path",
	"Sender", "Subject", "To",
}

// Validate returns an EINVALID error naming every field of m at fault: no
// recipient, an address that does not parse, a header field name that is
// not one, a reserved header field, or a line break or other control
// character in any header value (which would let it add header fields of
// its own). The bodies must be UTF-8; Text must not be empty.
func (m Message) Validate() error {
	var fe []marketplace.FieldError
	add := func(field, msg string) {
		fe = append(fe, marketplace.FieldError{Field: field, Message: msg})
	}
	if m.From != (mail.Address{}) {
		checkAddress("from", m.From, add)
	}
	if len(m.To) == 0 {
		add("to", "is required")
	}
	for i, a := range m.To {
		checkAddress(fmt.Sprintf("to[%d]", i), a, add)
	}
	for i, a := range m.ReplyTo {
		checkAddress(fmt.Sprintf("reply_to[%d]", i), a, add)
	}
	if strings.TrimSpace(m.Subject) == "" {
		add("subject", "is required")
	} else if msg := checkHeaderValue(m.Subject); msg != "" {
		add("subject", msg)
	}
	if strings.TrimSpace(m.Text) == "" {
		add("text", "is required")
	} else if !utf8.ValidString(m.Text) {
		add("text", "must be UTF-8")
	}
	if !utf8.ValidString(m.HTML) {
		add("html", "must be UTF-8")
	}
	for _, name := range sortedKeys(m.Headers) {
		field := "headers." + name
		switch {
		case !validFieldName(name):
			add(field, "is not a header field name (printable ASCII but ':', no spaces)")
		case slices.Contains(reservedHeaders, textproto.CanonicalMIMEHeaderKey(name)):
			add(field, "is written by the sender; use the field of the message")
		default:
			if msg := checkHeaderValue(m.Headers[name]); msg != "" {
				add(field, msg)
			}
		}
	}
	if len(fe) > 0 {
		return marketplace.Invalid(fe...)
	}
	return nil
}

func checkAddress(field string, a mail.Address, add func(field, msg string)) {
	if msg := checkHeaderValue(a.Name); msg != "" {
		add(field+".name", msg)
	}
	if p, err := mail.ParseAddress(a.Address); err != nil || p.Name != "" || p.Address != a.Address {
		add(field+".address", "is not an e-mail address")
	}
}

// checkHeaderValue returns what is wrong with a header value, or "".
func checkHeaderValue(v string) string {
	if !utf8.ValidString(v) {
		return "must be UTF-8"
	}
	for _, r := range v {
		if r == '\r' || r == '\n' {
			return "must not contain line breaks"
		}
		if (r < 0x20 && r != '\t') || r == 0x7f {
			return "must not contain control characters"
		}
	}
	return ""
}

func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// build returns m as an RFC 5322 message in MIME: a text/plain part, or
// multipart/alternative with text/plain then text/html, each in UTF-8 and
// quoted-printable, so every line is short ASCII. m must be valid, with
// its From set.
func build(m Message, now time.Time) ([]byte, error) {
	var b bytes.Buffer
	writeHeader(&b, "From", m.From.String())
	writeHeader(&b, "To", joinAddresses(m.To))
	if len(m.ReplyTo) > 0 {
		writeHeader(&b, "Reply-To", joinAddresses(m.ReplyTo))
	}
	writeHeader(&b, "Subject", encodeWords(m.Subject))
	writeHeader(&b, "Date", now.Format(time.RFC1123Z))
	id, err := messageID(m.ID, m.From.Address)
	if err != nil {
		return nil, err
	}
	writeHeader(&b, "Message-ID", id)
	for _, name := range sortedKeys(m.Headers) {
		if m.Headers[name] != "" { // an empty field says nothing
			writeHeader(&b, name, encodeWords(m.Headers[name]))
		}
	}
	writeHeader(&b, "MIME-Version", "1.0")

	if m.HTML == "" {
		writeHeader(&b, "Content-Type", "text/plain; charset=utf-8")
		writeHeader(&b, "Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, m.Text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}

	mw := multipart.NewWriter(&b)
	writeHeader(&b, "Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		if err := writeQP(w, part.body); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// encodeWords writes a header value as RFC 2047 words when it is not plain
// ASCII, or when it holds "=?", which a reader would take for the start of
// an encoded word: a subject typed as "=?utf-8?b?SGk=?=" arrives as typed,
// not as "Hi".
func encodeWords(v string) string {
	if !strings.Contains(v, "=?") {
		return mime.QEncoding.Encode("utf-8", v)
	}
	// Base64 words of at most 45 bytes (60 encoded), cut between runes.
	var words []string
	for len(v) > 0 {
		n := min(len(v), 45)
		for n < len(v) && !utf8.RuneStart(v[n]) {
			n--
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(v[:n]))+"?=")
		v = v[n:]
	}
	return strings.Join(words, " ")
}

func writeQP(w interface{ Write([]byte) (int, error) }, s string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(s)); err != nil {
		return err
	}
	return qp.Close()
}

// writeHeader writes one header field, folded at spaces so that lines stay
// within 78 characters where the value allows (RFC 5322), which keeps the
// lines of encoded words within 76 (RFC 2047): a first word too long for
// the line with the name starts the next line. Values are checked for line
// breaks by Validate before they get here.
func writeHeader(b *bytes.Buffer, name, value string) {
	line := len(name) + 1
	b.WriteString(name)
	b.WriteString(":")
	for _, word := range strings.Split(value, " ") {
		if line > 1 && line+1+len(word) > 78 && word != "" {
			b.WriteString("\r\n")
			line = 0
		}
		b.WriteString(" ")
		b.WriteString(word)
		line += 1 + len(word)
	}
	b.WriteString("\r\n")
}

func joinAddresses(as []mail.Address) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

// messageID returns the Message-ID of a message, in the domain of from:
// StableMessageID of key when there is one, otherwise new and unique.
func messageID(key, from string) (string, error) {
	if key != "" {
		return StableMessageID(key, from), nil
	}
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", err
	}
	return "<" + hex.EncodeToString(r[:]) + "@" + domainOf(from) + ">", nil
}

// StableMessageID is the Message-ID of every sending of the message named
// key (Message.ID) from the address from.
func StableMessageID(key, from string) string {
	sum := sha256.Sum256([]byte("message-id\n" + key))
	return "<" + hex.EncodeToString(sum[:16]) + "@" + domainOf(from) + ">"
}

func domainOf(address string) string {
	if i := strings.LastIndexByte(address, '@'); i >= 0 {
		return address[i+1:]
	}
	return "localhost"
}
