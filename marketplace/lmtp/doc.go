// Package lmtp receives replies by mail over LMTP (RFC 2033): a mail
// server such as Postfix delivers the mail for threads' reply addresses to
// it on a local socket or a TCP port, and it hands each recipient's copy
// to the same use case as the inbound mail endpoint
// (marketplace.Service.ReceiveReplyMailTo), answering for each recipient
// on its own: 250 when taken (or already taken), 5xx when the address or
// the sender is wrong or the mail cannot be read, 4xx when the failure is
// ours and the mail server should try again.
package lmtp
