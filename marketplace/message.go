package marketplace

import "time"

// Message is what a notification says before it is written out: one of
// the messages below, which the use cases fill with the facts. A
// MessageWriter (package message) words them.
type Message interface {
	// MessageLink is the page the message leads to.
	MessageLink() string
}

// MatchMessage tells one side of a new match about the other.
type MatchMessage struct {
	// Member is the name of the member told; ForNeed says whether it is
	// the side of the need.
	Member      string
	ForNeed     bool
	Own, Theirs *Listing
	TheirMember *Member
	Score       float64
	Reasons     []MatchReason
	Link        string
}

// IntroMessage introduces one side of a match to the other, from staff.
// It gives no address: Link is the thread the two sides write in, and
// replies to the mail go there too.
type IntroMessage struct {
	Member      string
	ForNeed     bool
	Other       *Member
	Own, Theirs *Listing
	Note        string
	Link        string
	// ListingLink is the page of the other side's listing.
	ListingLink string
}

// RemovalMessage tells a member that staff removed one of its listings,
// and why.
type RemovalMessage struct {
	Member  string
	Listing *Listing
	Note    string
	Link    string
}

// ExpiryMessage asks a member whether a listing that soon expires is still
// wanted.
type ExpiryMessage struct {
	Member  string
	Listing *Listing
	Link    string
}

// AlertMessage tells a saved search's user about listings it found: one at
// once (an instant alert), or those of a day or a week (a digest).
type AlertMessage struct {
	Alert *Alert
	// Items are the listings shown, newest first; More is how many more
	// there were; Count is all of them.
	Items []AlertItem
	More  int
	Count int
	// Digest is the digest's frequency, and Start the start of its
	// period; "" for an instant alert.
	Digest AlertFrequency
	Start  time.Time
	Link   string
}

// AlertItem is a listing a saved search found, with its link.
type AlertItem struct {
	Hit  *AlertHit
	Link string
}

// MessageLink implements Message.
func (m MatchMessage) MessageLink() string { return m.Link }

// MessageLink implements Message.
func (m ResetMessage) MessageLink() string { return m.Link }

// MessageLink implements Message.
func (m IntroMessage) MessageLink() string { return m.Link }

// MessageLink implements Message.
func (m RemovalMessage) MessageLink() string { return m.Link }

// MessageLink implements Message.
func (m ExpiryMessage) MessageLink() string { return m.Link }

// MessageLink implements Message.
func (m AlertMessage) MessageLink() string { return m.Link }

// MessageLink implements Message.
func (m DuesMessage) MessageLink() string { return m.Link }

// ResetMessage carries a link to choose a new password.
type ResetMessage struct {
	Name    string // the user's name, "" when not given
	Link    string
	Expires time.Time
}

// Written is a message as people read it: a subject, plain text (for the
// inbox and mail) and HTML (for mail), in a language (Lang).
type Written struct {
	Subject, Text, HTML string
	Lang                string
}

// MessageWriter words messages in the reader's language (one of
// Languages; any other is English).
type MessageWriter interface {
	// WriteMessage words a message; an error is a fault of the templates.
	WriteMessage(m Message, lang string) (Written, error)
	// WriteUnsubscribe words the end of a mail that carries an
	// unsubscribe link.
	WriteUnsubscribe(link, lang string) (text, html string)
}
