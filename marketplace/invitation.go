package marketplace

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// Invitation asks a person, by e-mail, to become a user of a member with a
// role. Only a hash of its link's secret is kept; the secret travels only
// in the mail. Sending it again gives it a new secret and voids the old.
type Invitation struct {
	ID       string `json:"id"`
	MemberID string `json:"member_id"`
	Email    string `json:"email"`
	Role     Role   `json:"role"`
	// Language is the one the mail is written in, and the page's first
	// choice for the person: "en" or "cy".
	Language string `json:"language"`
	// Hash is HashToken of the newest link's secret.
	Hash      string    `json:"-"`
	InvitedBy string    `json:"invited_by"` // the inviting user's ID
	CreatedAt time.Time `json:"created_at"`
	SentAt    time.Time `json:"sent_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// Expired is true once the link has stopped working: the invitation
	// waits to be sent again (or withdrawn), not to be accepted. It is
	// worked out as the invitation is read, not stored.
	Expired     bool   `json:"expired"`
	Application string `json:"-"` // the application to join it answers, if any
}

// InvitationPrefix starts every invitation link's secret.
const InvitationPrefix = "cmi_"

// InvitationTTL is how long an invitation's link works.
const InvitationTTL = 7 * 24 * time.Hour

// Limits on inviting: a user sends at most InvitationsPerHour invitations
// (sending one again counts), staff StaffInvitationsPerHour, and a member
// has at most MaxPendingInvitations waiting at once.
const (
	InvitationsPerHour      = 20
	StaffInvitationsPerHour = 200
	MaxPendingInvitations   = 50
)

// InvitationStore keeps invitations.
type InvitationStore interface {
	// CreateInvitation stores a new invitation, with its ID set.
	CreateInvitation(ctx context.Context, inv *Invitation) error
	// FindInvitationByID returns ENOTFOUND when there is none.
	FindInvitationByID(ctx context.Context, id string) (*Invitation, error)
	// FindInvitationByHash returns the invitation whose newest link has
	// this hash; ENOTFOUND when there is none.
	FindInvitationByHash(ctx context.Context, hash string) (*Invitation, error)
	// FindInvitationsByMember returns a member's pending invitations.
	FindInvitationsByMember(ctx context.Context, memberID string) ([]*Invitation, error)
	// RenewInvitation gives the invitation a new link (hash, sent and
	// expiry times) if its link is still oldHash; the old link stops
	// working. ENOTFOUND when it is gone or its link changed meanwhile.
	RenewInvitation(ctx context.Context, inv *Invitation, oldHash string) error
	// TakeInvitation removes the invitation whose link has this hash and
	// returns it, so that a link works once even when two requests race;
	// ENOTFOUND when there is none.
	TakeInvitation(ctx context.Context, hash string) (*Invitation, error)
	// DeleteInvitation removes an invitation; a missing one is no error.
	DeleteInvitation(ctx context.Context, inv *Invitation) error
}

// InvitationRequest is what inviting a person takes.
type InvitationRequest struct {
	Email    string `json:"email" validate:"required,email,max=254"`
	Role     Role   `json:"role" validate:"required,oneof=owner editor"`
	Language string `json:"language" validate:"omitempty,oneof=en cy"`
}

// InvitationAcceptance is what accepting an invitation takes: the link's
// secret, the person's name, password and language.
type InvitationAcceptance struct {
	Token    string `json:"token"`
	Name     string `json:"name" validate:"max=120"`
	Password string `json:"password"`
	Language string `json:"language" validate:"omitempty,oneof=en cy"`
}

// errNoSuchInvitation answers for an invitation the user may not see.
var errNoSuchInvitation = Errorf(ENOTFOUND, "No such invitation.")

// mayInvite answers whether the signed-in user may manage the member's
// invitations: its owners and federation staff. Anyone else learns
// nothing of the member (ENOTFOUND).
func (s *Service) mayInvite(ctx context.Context, memberID string) (*User, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if !me.IsStaff() && !me.IsOwnerOf(memberID) {
		return nil, errNoSuchMember
	}
	return me, nil
}

// Invite mails a person a link to become a user of the member with a role.
// The member's owners and staff may. The answer says nothing of whether
// the address has an account: the person learns it on opening the link.
func (s *Service) Invite(ctx context.Context, memberID string, req InvitationRequest) (*Invitation, error) {
	me, err := s.mayInvite(ctx, memberID)
	if err != nil {
		return nil, err
	}
	m, err := s.Members.FindMemberByID(ctx, memberID)
	if err != nil {
		return nil, err
	}
	req.Email = strings.ToLower(strings.TrimSpace(req.Email))
	if req.Language == "" {
		req.Language = "en"
	}
	var fe fieldErrors
	if checkShape(&req, &fe); fe.err() != nil {
		return nil, fe.err()
	}
	if err := s.mayInviteNow(me); err != nil {
		return nil, err
	}
	pending, err := s.Invitations.FindInvitationsByMember(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	if len(pending) >= MaxPendingInvitations {
		return nil, Errorf(ECONFLICT, "The co-operative has %d invitations waiting; withdraw some first.", len(pending))
	}
	inv, err := s.invite(ctx, m, req, me.ID, "")
	if err != nil {
		return nil, err
	}
	s.RecordAudit(ctx, "invitation.create", "member:"+m.ID, "", map[string]string{
		"invitation": inv.ID, "role": string(inv.Role)})
	return inv, nil
}

// invite stores an invitation to m and mails its link.
func (s *Service) invite(ctx context.Context, m *Member, req InvitationRequest, by, application string) (*Invitation, error) {
	id, err := randomID()
	if err != nil {
		return nil, err
	}
	secret, err := randomSecret(InvitationPrefix)
	if err != nil {
		return nil, err
	}
	now := s.now()
	inv := &Invitation{ID: id, MemberID: m.ID, Email: req.Email, Role: req.Role, Language: req.Language,
		Hash: HashToken(secret), InvitedBy: by, CreatedAt: now, SentAt: now, ExpiresAt: now.Add(InvitationTTL),
		Application: application}
	if err := s.Invitations.CreateInvitation(ctx, inv); err != nil {
		return nil, err
	}
	if err := s.mailInvitation(ctx, m, inv, secret); err != nil {
		return nil, err
	}
	return inv, nil
}

// mailInvitation sends the invitation's link. It goes straight to the
// mailer, not through the stored notifications: the link is a secret.
func (s *Service) mailInvitation(ctx context.Context, m *Member, inv *Invitation, secret string) error {
	w, err := s.Messages.WriteMessage(InvitationMessage{
		Member: m.Name, Role: inv.Role, Link: s.BaseURL + "/invitation?token=" + secret, Expires: inv.ExpiresAt,
	}, inv.Language)
	if err != nil {
		return err
	}
	return s.Mailer.SendMail(ctx, Mail{Key: "invitation~" + inv.Hash, To: inv.Email, Subject: w.Subject, Text: w.Text, HTML: w.HTML, Lang: w.Lang})
}

// FindInvitations lists a member's invitations not yet accepted nor
// withdrawn, newest first, to its owners and staff; those whose link has
// expired say so (Expired), to be sent again.
func (s *Service) FindInvitations(ctx context.Context, memberID string) ([]*Invitation, error) {
	if _, err := s.mayInvite(ctx, memberID); err != nil {
		return nil, err
	}
	invs, err := s.Invitations.FindInvitationsByMember(ctx, memberID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, inv := range invs {
		inv.Expired = !now.Before(inv.ExpiresAt)
	}
	slices.SortFunc(invs, func(a, b *Invitation) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return invs, nil
}

// findInvitation returns a member's invitation to its owners and staff;
// anyone else, and an invitation of another member, is ENOTFOUND.
func (s *Service) findInvitation(ctx context.Context, memberID, id string) (*Invitation, error) {
	if _, err := s.mayInvite(ctx, memberID); err != nil {
		return nil, err
	}
	inv, err := s.Invitations.FindInvitationByID(ctx, id)
	if ErrorCode(err) == ENOTFOUND || err == nil && inv.MemberID != memberID {
		return nil, errNoSuchInvitation
	}
	return inv, err
}

// WithdrawInvitation removes a pending invitation: its link stops working.
func (s *Service) WithdrawInvitation(ctx context.Context, memberID, id string) error {
	inv, err := s.findInvitation(ctx, memberID, id)
	if err != nil {
		return err
	}
	if err := s.Invitations.DeleteInvitation(ctx, inv); err != nil {
		return err
	}
	s.RecordAudit(ctx, "invitation.withdraw", "member:"+memberID, "", map[string]string{"invitation": inv.ID})
	return nil
}

// ResendInvitation mails a pending invitation again with a new link, for
// another InvitationTTL; the earlier link stops working.
func (s *Service) ResendInvitation(ctx context.Context, memberID, id string) (*Invitation, error) {
	inv, err := s.findInvitation(ctx, memberID, id)
	if err != nil {
		return nil, err
	}
	m, err := s.Members.FindMemberByID(ctx, memberID)
	if err != nil {
		return nil, err
	}
	if err := s.mayInviteNow(UserFromContext(ctx)); err != nil {
		return nil, err
	}
	secret, err := randomSecret(InvitationPrefix)
	if err != nil {
		return nil, err
	}
	old := inv.Hash
	now := s.now()
	inv.Hash, inv.SentAt, inv.ExpiresAt = HashToken(secret), now, now.Add(InvitationTTL)
	if err := s.Invitations.RenewInvitation(ctx, inv, old); ErrorCode(err) == ENOTFOUND {
		return nil, errNoSuchInvitation
	} else if err != nil {
		return nil, err
	}
	if err := s.mailInvitation(ctx, m, inv, secret); err != nil {
		return nil, err
	}
	s.RecordAudit(ctx, "invitation.resend", "member:"+memberID, "", map[string]string{"invitation": inv.ID})
	return inv, nil
}

// InvitationFor returns the invitation of a link and its member's name,
// for the page that accepts it; the same EINVALID as accepting when the
// link does not work.
func (s *Service) InvitationFor(ctx context.Context, secret string) (*Invitation, string, error) {
	inv, err := s.liveInvitation(ctx, secret)
	if err != nil {
		return nil, "", err
	}
	m, err := s.Members.FindMemberByID(ctx, inv.MemberID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, "", badInvitationLink()
	}
	if err != nil {
		return nil, "", err
	}
	return inv, m.Name, nil
}

func badInvitationLink() error {
	return Invalid(Broken("token", RuleInvitationLink, RuleParams{}))
}

// liveInvitation returns the invitation whose newest link is secret and
// has not expired; EINVALID naming token otherwise.
func (s *Service) liveInvitation(ctx context.Context, secret string) (*Invitation, error) {
	if !strings.HasPrefix(secret, InvitationPrefix) || len(secret) > 100 {
		return nil, badInvitationLink()
	}
	hash := HashToken(secret)
	inv, err := s.Invitations.FindInvitationByHash(ctx, hash)
	if ErrorCode(err) == ENOTFOUND {
		return nil, badInvitationLink()
	} else if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(inv.Hash), []byte(hash)) != 1 || !s.now().Before(inv.ExpiresAt) {
		return nil, badInvitationLink()
	}
	return inv, nil
}

// acceptInvitation makes the invited person a user of the member, with the
// password and language they chose, and uses up the link. When the address
// already has an account the person is told so (RuleHasAccount on email),
// and the link keeps working: only they, holding the mail, learn it.
func (s *Service) acceptInvitation(ctx context.Context, a InvitationAcceptance) (*User, error) {
	inv, err := s.liveInvitation(ctx, a.Token)
	if err != nil {
		return nil, err
	}
	a.Name = strings.TrimSpace(a.Name)
	if a.Language == "" {
		a.Language = inv.Language
	}
	var fe fieldErrors
	checkShape(&a, &fe)
	if hasControl(a.Name, false) {
		fe.broke("name", RuleControl, RuleParams{})
	}
	if err := CheckPassword("password", a.Password, inv.Email, a.Name); err != nil {
		fe = append(fe, ErrorFields(err)...)
	}
	if fe.err() != nil {
		return nil, fe.err()
	}
	if _, err := s.Users.FindUserByEmail(ctx, inv.Email); err == nil {
		return nil, Invalid(Broken("email", RuleHasAccount, RuleParams{Value: inv.Email}))
	} else if ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	m, err := s.Members.FindMemberByID(ctx, inv.MemberID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, badInvitationLink()
	} else if err != nil {
		return nil, err
	}
	hashed, err := s.Passwords.Hash(a.Password)
	if err != nil {
		return nil, err
	}
	// Taking the invitation is what makes the link single-use.
	if _, err := s.Invitations.TakeInvitation(ctx, inv.Hash); ErrorCode(err) == ENOTFOUND {
		return nil, badInvitationLink()
	} else if err != nil {
		return nil, err
	}
	u := &User{Email: inv.Email, Name: a.Name, Language: a.Language, MemberID: m.ID, Role: inv.Role,
		PasswordHash: hashed, Version: 1, CreatedAt: s.now()}
	if err := s.Users.CreateUser(ctx, u); ErrorCode(err) == ECONFLICT {
		return nil, Invalid(Broken("email", RuleHasAccount, RuleParams{Value: inv.Email}))
	} else if err != nil {
		return nil, err
	}
	s.RecordAudit(NewContextWithUser(ctx, u), "invitation.accept", "member:"+m.ID, "",
		map[string]string{"invitation": inv.ID, "user": u.ID, "role": string(u.Role), "invited_by": inv.InvitedBy})
	return u, nil
}

// AcceptInvitation accepts an invitation from the API and signs the new
// user in: it returns an API token and when it expires.
func (s *Service) AcceptInvitation(ctx context.Context, a InvitationAcceptance) (string, time.Time, *User, error) {
	u, err := s.acceptInvitation(ctx, a)
	if err != nil {
		return "", time.Time{}, nil, err
	}
	secret, expires, err := s.issueToken(ctx, u)
	return secret, expires, u, err
}

// AcceptInvitationSession accepts an invitation from the pages and signs
// the new user in with a session.
func (s *Service) AcceptInvitationSession(ctx context.Context, a InvitationAcceptance) (string, *Session, *User, error) {
	u, err := s.acceptInvitation(ctx, a)
	if err != nil {
		return "", nil, nil, err
	}
	secret, sess, err := s.newSession(ctx, u)
	return secret, sess, u, err
}

// randomID returns a random 96-bit ID in hex, the length of an ObjectID.
func randomID() (string, error) {
	var raw [12]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(raw[:]), nil
}
