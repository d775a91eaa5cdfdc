// Package mailtest runs a real SMTP server in the test process, the way
// net/http/httptest runs an HTTP one: NewServer starts it on a free port of
// 127.0.0.1 for one test and closes it when the test ends. It keeps every
// message it accepts, with its envelope, its header fields and its text
// and HTML parts decoded, and a test waits for the messages it expects
// with Wait.
//
// Options make it behave like the servers the service meets: WithAuth
// requires AUTH PLAIN, WithStartTLS and WithImplicitTLS encrypt with a
// certificate made for the test (ClientTLSConfig trusts it), and
// WithRefusal or Server.Refuse make it answer with 4xx or 5xx replies.
//
// It is imported by tests only.
package mailtest
