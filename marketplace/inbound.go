package marketplace

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"
)

// InboundMail is a reply by mail, as far as the marketplace reads it.
type InboundMail struct {
	From string // the sender's address, lower-cased
	// Recipients are the addresses the mail was delivered to: the relay's
	// Delivered-To and X-Original-To first, then To and Cc.
	Recipients []string
	// MessageID names the mail; without one, a hash of the raw message.
	MessageID string
	// Text is the new text of the reply: its plain-text part without the
	// quoted message it answers or a signature.
	Text string
}

// MaxInboundMail bounds a reply by mail, in bytes: text, not attachments.
// The endpoint and the LMTP listener refuse larger mail.
const MaxInboundMail = 1 << 20

// maxInboundParts bounds how many MIME parts of a mail are looked at.
const maxInboundParts = 20

// ParseInboundMail reads a raw RFC 5322 message; EINVALID when it is not
// one, or has no sender or no plain text.
func ParseInboundMail(raw []byte) (*InboundMail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, Invalid(Broken("message", RuleInvalid, RuleParams{Value: "an RFC 5322 message"}))
	}
	in := &InboundMail{}
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil {
		return nil, Invalid(Broken("message", RuleInvalid, RuleParams{Value: "a From address"}))
	}
	in.From = strings.ToLower(from.Address)
	for _, h := range []string{"Delivered-To", "X-Original-To", "To", "Cc"} {
		for _, v := range msg.Header[h] {
			list, err := mail.ParseAddressList(v)
			if err != nil {
				continue
			}
			for _, a := range list {
				in.Recipients = append(in.Recipients, strings.ToLower(a.Address))
			}
		}
	}
	in.MessageID = strings.Trim(strings.TrimSpace(msg.Header.Get("Message-ID")), "<>")
	if in.MessageID == "" || len(in.MessageID) > 500 {
		sum := sha256.Sum256(raw)
		in.MessageID = "sha256:" + hex.EncodeToString(sum[:])
	}
	parts := 0
	text, err := plainText(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &parts)
	if err != nil || !utf8.ValidString(text) {
		return nil, Invalid(Broken("message", RuleInvalid, RuleParams{Value: "a plain-text part"}))
	}
	in.Text = TrimQuoted(text)
	return in, nil
}

// plainText returns the first text/plain part of a body, decoded.
func plainText(contentType, encoding string, body io.Reader, parts *int) (string, error) {
	*parts++
	if *parts > maxInboundParts {
		return "", io.ErrUnexpectedEOF
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if contentType == "" || err != nil {
		mediaType, params = "text/plain", map[string]string{"charset": "utf-8"}
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err != nil {
				return "", err
			}
			text, err := plainText(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, parts)
			if err == nil {
				return text, nil
			}
		}
	}
	if mediaType != "text/plain" {
		return "", io.ErrUnexpectedEOF
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, newlineDropper{body})
	}
	b, err := io.ReadAll(io.LimitReader(body, 1<<20))
	if err != nil {
		return "", err
	}
	if cs := strings.ToLower(params["charset"]); cs == "iso-8859-1" || cs == "latin1" {
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r), nil
	}
	return string(b), nil
}

// newlineDropper drops the line breaks of base64 text.
type newlineDropper struct{ r io.Reader }

func (d newlineDropper) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	return j, err
}

// quoteHeads are the lines mail programs put above the message they quote
// (English and Welsh), and the start of a signature.
var quoteHeads = []*regexp.Regexp{
	regexp.MustCompile(`^On .{1,200} wrote:\s*$`),
	regexp.MustCompile(`^Ar .{1,200} ysgrifennodd.{0,200}:\s*$`),
	regexp.MustCompile(`^-{2,}\s*Original Message\s*-{2,}`),
	regexp.MustCompile(`^-{2,}\s*Neges Wreiddiol\s*-{2,}`),
	regexp.MustCompile(`^From: .+`),
	regexp.MustCompile(`^-- ?$`),
}

// TrimQuoted returns the new text of a reply: what comes before the
// quoted message it answers (a line like "On … wrote:", or lines starting
// with ">"), and before a signature.
func TrimQuoted(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	var kept []string
	for _, line := range lines {
		stop := strings.HasPrefix(strings.TrimSpace(line), ">")
		for _, re := range quoteHeads {
			stop = stop || re.MatchString(line)
		}
		if stop {
			break
		}
		kept = append(kept, strings.TrimRight(line, " \t"))
	}
	return strings.TrimSpace(strings.Join(kept, "\n"))
}
