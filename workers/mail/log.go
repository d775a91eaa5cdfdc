package mail

import (
	"context"
	"log/slog"
	"net/mail"
)

// LogSender writes each message to a log instead of sending it: the sender
// when no SMTP_URL is set, so that a service on one machine runs without a
// mail server (members still see their notifications in the in-app inbox).
// It logs at Info the recipients, the subject, the extra header fields and
// the plain-text part, links and all: it is meant for development.
type LogSender struct {
	// Logger receives the messages; nil means slog.Default().
	Logger *slog.Logger
	// From is the author of messages whose own From is empty.
	From mail.Address
}

var _ Sender = (*LogSender)(nil)

// Send logs m. Like SMTPSender, it returns an EINVALID error for a message
// that could not be sent.
func (s *LogSender) Send(ctx context.Context, m Message) error {
	if m.From == (mail.Address{}) {
		m.From = s.From
	}
	if err := m.Validate(); err != nil {
		return err
	}
	logger := s.Logger
	if logger == nil {
		logger = slog.Default()
	}
	headers := make([]any, 0, len(m.Headers))
	for _, name := range sortedKeys(m.Headers) {
		headers = append(headers, slog.String(name, m.Headers[name]))
	}
	logger.InfoContext(ctx, "mail: not sent (no SMTP_URL)", slog.Group("mail",
		slog.String("from", m.From.Address),
		slog.String("to", addressList(m.To)),
		slog.String("subject", m.Subject),
		slog.Group("headers", headers...),
		slog.String("text", m.Text),
		slog.Bool("html", m.HTML != ""),
	))
	return nil
}
