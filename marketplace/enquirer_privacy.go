package marketplace

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// A member of the public who wrote an enquiry has no account, only a name
// and a confirmed address, so the rights of access and erasure reach them
// through a link mailed to that address, as a password reset does: only a
// hash of its secret is kept, it works once, for an hour.

// EnquirerPrefix starts every enquirer link's secret.
const EnquirerPrefix = "cme_"

// EnquirerLinkTTL is how long an enquirer link works.
const EnquirerLinkTTL = time.Hour

// SubjectEnquirer is a member of the public known only by the address
// they wrote enquiries from; its ID is that address.
const SubjectEnquirer SubjectKind = "enquirer"

// EnquirerLink is a link to one's data as an enquirer.
type EnquirerLink struct {
	Hash      string // HashToken of the secret
	Email     string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// EnquirerLinkStore keeps enquirer links.
type EnquirerLinkStore interface {
	// CreateEnquirerLink stores l and forgets every earlier link of its
	// address: only the newest works.
	CreateEnquirerLink(ctx context.Context, l *EnquirerLink) error
	// TakeEnquirerLink returns the link with this hash and forgets it;
	// ENOTFOUND when there is none.
	TakeEnquirerLink(ctx context.Context, hash string) (*EnquirerLink, error)
}

// EnquirerData is a PersonalData store that also holds data about
// members of the public who wrote enquiries, by their address. The
// service asks every store of its PersonalData that implements it.
type EnquirerData interface {
	// ExportEnquirer adds to into what the store holds about the person
	// who wrote from email: their own words and what they were shown,
	// nothing of the other side's that they did not see.
	ExportEnquirer(ctx context.Context, email string, into PersonalRecords) error
	// EraseEnquirer takes the person out of what the store keeps, under
	// pseudonym. Erasing twice does no harm.
	EraseEnquirer(ctx context.Context, email, pseudonym string) error
}

// EnquirerMessage carries a link to one's data as an enquirer.
type EnquirerMessage struct {
	Link    string
	Expires time.Time
}

// MessageLink implements Message.
func (m EnquirerMessage) MessageLink() string { return m.Link }

// enquirerRequest is what asking for an enquirer link takes.
type enquirerRequest struct {
	Email string `json:"email" validate:"required,email,max=254"`
}

// RequestEnquirerLink mails a link to their data to the member of the
// public who wrote enquiries from this address, in lang. The answer is the
// same, in words and in time, whether or not anyone wrote from it: the
// look-up and the mail happen after it.
func (s *Service) RequestEnquirerLink(ctx context.Context, email, lang string) error {
	in := enquirerRequest{Email: strings.ToLower(strings.TrimSpace(email))}
	var fe fieldErrors
	if checkShape(&in, &fe); lang != "" && !IsLanguage(lang) {
		fe.broke("language", RuleOneOf, RuleParams{Options: Languages})
	}
	if err := fe.err(); err != nil {
		return err
	}
	if lang == "" {
		lang = LangEnglish
	}
	if s.EnquirerLinks == nil || len(s.enquirerStores()) == 0 {
		return Errorf(EUNAVAILABLE, "Enquirers' data cannot be reached here.")
	}
	ctx = context.WithoutCancel(ctx)
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		if err := s.sendEnquirerLink(ctx, in.Email, lang); err != nil {
			s.logger().WarnContext(ctx, "cannot send an enquirer's link", "error", err)
		}
	}()
	return nil
}

// sendEnquirerLink mails a link to an address that wrote enquiries; to
// any other, nothing.
func (s *Service) sendEnquirerLink(ctx context.Context, email, lang string) error {
	records := PersonalRecords{}
	for _, d := range s.enquirerStores() {
		if err := d.ExportEnquirer(ctx, email, records); err != nil {
			return err
		}
	}
	if len(records[EnquirerThreads]) == 0 {
		return nil
	}
	secret, err := randomSecret(EnquirerPrefix)
	if err != nil {
		return err
	}
	now := s.now()
	l := &EnquirerLink{Hash: HashToken(secret), Email: email, CreatedAt: now, ExpiresAt: now.Add(EnquirerLinkTTL)}
	if err := s.EnquirerLinks.CreateEnquirerLink(ctx, l); err != nil {
		return err
	}
	w, err := s.Messages.WriteMessage(EnquirerMessage{
		Link: s.BaseURL + "/enquirer/data?token=" + secret + "&lang=" + lang, Expires: l.ExpiresAt,
	}, lang)
	if err != nil {
		return err
	}
	// Straight to the mailer, as a reset link: the link is a secret.
	return s.Mailer.SendMail(ctx, Mail{Key: "enquirer~" + l.Hash, To: email, Subject: w.Subject, Text: w.Text, HTML: w.HTML, Lang: w.Lang})
}

// EnquirerThreads names the threads in an enquirer's export.
const EnquirerThreads = "threads"

// enquirerStores are the stores of PersonalData that know enquirers.
func (s *Service) enquirerStores() []EnquirerData {
	var out []EnquirerData
	for _, d := range s.PersonalData {
		if e, ok := d.(EnquirerData); ok {
			out = append(out, e)
		}
	}
	return out
}

// takeEnquirerLink returns the address a link's secret was mailed to and
// forgets the link: EINVALID (naming token) for one that is unknown, used
// or expired.
func (s *Service) takeEnquirerLink(ctx context.Context, secret string) (string, error) {
	bad := Invalid(Broken("token", RuleResetLink, RuleParams{}))
	if !strings.HasPrefix(secret, EnquirerPrefix) || len(secret) > 100 || s.EnquirerLinks == nil {
		return "", bad
	}
	l, err := s.EnquirerLinks.TakeEnquirerLink(ctx, HashToken(secret))
	if ErrorCode(err) == ENOTFOUND {
		return "", bad
	} else if err != nil {
		return "", err
	}
	if !s.now().Before(l.ExpiresAt) {
		return "", bad
	}
	return l.Email, nil
}

// enquirerAuditSubject names an enquirer in the audit log without their
// address: a keyed hash of it, which says nothing to a reader of the log.
func (s *Service) enquirerAuditSubject(email string) string {
	mac := hmac.New(sha256.New, s.Secret)
	mac.Write([]byte("enquirer\n" + email))
	return string(SubjectEnquirer) + ":" + hex.EncodeToString(mac.Sum(nil)[:12])
}

// ExportEnquirerData returns, with a link's secret, what is held about
// the member of the public the link was mailed to: their enquiries'
// threads with the messages they wrote. The link is used up.
func (s *Service) ExportEnquirerData(ctx context.Context, secret string) (*PersonalExport, error) {
	email, err := s.takeEnquirerLink(ctx, secret)
	if err != nil {
		return nil, err
	}
	out := &PersonalExport{Subject: Subject{Kind: SubjectEnquirer, ID: email}, MadeAt: s.now(), Records: PersonalRecords{}}
	for _, d := range s.enquirerStores() {
		if err := d.ExportEnquirer(ctx, email, out.Records); err != nil {
			return nil, err
		}
	}
	s.RecordAudit(ctx, "privacy.export", s.enquirerAuditSubject(email), "", map[string]string{"kind": string(SubjectEnquirer)})
	return out, nil
}

// EraseEnquirerData erases, with a link's secret, the member of the
// public the link was mailed to: in their threads their name and address
// become a pseudonym, what they wrote is emptied, their reply addresses
// and links stop working and the threads close, with a note to the
// supplier that they erased their data. The link is used up.
func (s *Service) EraseEnquirerData(ctx context.Context, secret string) error {
	email, err := s.takeEnquirerLink(ctx, secret)
	if err != nil {
		return err
	}
	pseudonym := NewPseudonym()
	for _, d := range s.enquirerStores() {
		if err := d.EraseEnquirer(ctx, email, pseudonym); err != nil {
			return err
		}
	}
	s.RecordAudit(ctx, "privacy.erase", pseudonym, "", map[string]string{"kind": string(SubjectEnquirer)})
	return nil
}
