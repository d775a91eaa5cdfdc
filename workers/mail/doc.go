// Package mail sends the service's e-mail: notifications, digests and
// introductions. A Message has a plain-text part and, optionally, an HTML
// one, and extra header fields such as RFC 8058's List-Unsubscribe and
// List-Unsubscribe-Post; a Sender sends it.
//
// NewSender chooses the sender from SMTP_URL: an SMTPSender, which builds a
// MIME message (multipart/alternative, quoted-printable, RFC 2047 subjects,
// Date and Message-ID) with the standard library and sends it over SMTP,
// with STARTTLS or implicit TLS; or, when SMTP_URL is empty, a LogSender
// that writes messages to the log.
//
// A message that would let a header value start a header field of its own
// (a line break in it) is refused with an EINVALID error before anything is
// sent. IsPermanent tells a failure worth retrying (a 4xx reply, a network
// error) from one that is not (a 5xx reply, an invalid message), so the job
// queue can stop retrying the latter.
//
// The sub-package mailtest runs an SMTP server in the test process that
// captures what it is sent.
//
// It imports only the domain: no other adapter.
package mail
