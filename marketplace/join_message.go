package marketplace

import "time"

// InvitationMessage carries the link of an invitation to become a user of
// a member.
type InvitationMessage struct {
	Member  string // the member's name
	Role    Role
	Link    string
	Expires time.Time
}

// ApplicationConfirmMessage carries the link that confirms the address of
// an application to join.
type ApplicationConfirmMessage struct {
	Name    string // the applicant's
	Member  string // the co-op applying
	Link    string
	Expires time.Time
}

// ApplicationDecisionMessage tells an applicant whether staff admitted or
// refused the application, with their note.
type ApplicationDecisionMessage struct {
	Name     string
	Member   string
	Admitted bool
	Note     string
	Link     string
}

// MessageLink implements Message.
func (m InvitationMessage) MessageLink() string { return m.Link }

// MessageLink implements Message.
func (m ApplicationConfirmMessage) MessageLink() string { return m.Link }

// MessageLink implements Message.
func (m ApplicationDecisionMessage) MessageLink() string { return m.Link }
