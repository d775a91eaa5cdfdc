package marketplace

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"
)

// SubjectKind says what a data subject is.
type SubjectKind string

// Subjects of personal data: a user (a person who signs in) or a member (a
// co-operative, or for a worker member a person).
const (
	SubjectUser   SubjectKind = "user"
	SubjectMember SubjectKind = "member"
)

// Subject is whom personal data is about.
type Subject struct {
	Kind SubjectKind `json:"kind"`
	ID   string      `json:"id"`
	// Email is a user's e-mail address, which the service gives when it
	// erases them, for records that name people by it (who recorded a
	// dues payment, who decided an application).
	Email string `json:"-"`
}

// UserSubject and MemberSubject name a user and a member as subjects.
func UserSubject(id string) Subject   { return Subject{Kind: SubjectUser, ID: id} }
func MemberSubject(id string) Subject { return Subject{Kind: SubjectMember, ID: id} }

// PersonalRecords are what the stores hold about a subject: for each kind
// of record (named after where it is kept), the records as stored, with
// secrets and hashes left out.
type PersonalRecords map[string][]map[string]any

// Add appends records of a kind; a kind with none is still named, so that
// an export says what it looked in.
func (r PersonalRecords) Add(kind string, records ...map[string]any) {
	if r[kind] == nil {
		r[kind] = []map[string]any{}
	}
	r[kind] = append(r[kind], records...)
}

// PersonalData is a store that holds data about people. Every such store
// implements it, and the wiring collects them in one list, so that what is
// held about a subject can be given to them and erased wherever it is kept.
type PersonalData interface {
	// ExportSubject adds to into what the store holds about the subject,
	// without secrets or hashes.
	ExportSubject(ctx context.Context, s Subject, into PersonalRecords) error
	// EraseSubject deletes what the store holds about the subject or, for
	// records that must stay (audit entries, dues payments), replaces
	// what names the subject by pseudonym. Erasing what is not there is no
	// error; erasing twice does no harm.
	EraseSubject(ctx context.Context, s Subject, pseudonym string) error
}

// PersonalExport is everything held about a subject: what a subject
// access request is answered with.
type PersonalExport struct {
	Subject Subject         `json:"subject"`
	MadeAt  time.Time       `json:"made_at"`
	Records PersonalRecords `json:"records"`
}

// NewPseudonym returns a pseudonym for an erased subject: random, so that it
// says nothing about whom it replaces.
func NewPseudonym() string {
	var raw [8]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return "erased:" + hex.EncodeToString(raw[:])
}
