// Package message words what the marketplace tells people: the messages
// of package marketplace (matches, introductions, removals, expiry
// reminders, saved searches' alerts and digests) as a subject, plain text
// for the inbox and mail, and HTML for mail.
//
// It imports only the domain (package marketplace); the use cases reach it
// through marketplace.MessageWriter.
package message
