package marketplace

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
)

// ApplicationStatus is where an application to join is.
type ApplicationStatus string

// Application statuses: an application waits for its applicant to confirm
// the address (unconfirmed), then for staff (pending), who admit or refuse
// it.
const (
	ApplicationUnconfirmed ApplicationStatus = "unconfirmed"
	ApplicationPending     ApplicationStatus = "pending"
	ApplicationAdmitted    ApplicationStatus = "admitted"
	ApplicationRefused     ApplicationStatus = "refused"
)

// JoinApplication is a worker co-operative (an enterprise member) or a
// person (a worker member) asking to join the federation.
type JoinApplication struct {
	ID                 string            `json:"id"`
	Kind               MemberKind        `json:"kind"`
	Name               string            `json:"name"` // the co-op's, or the worker member's trading name
	RegistrationNumber string            `json:"registration_number,omitempty"`
	Sector             string            `json:"sector"`
	Postcode           string            `json:"postcode"`
	Website            string            `json:"website,omitempty"`
	Statement          string            `json:"statement"`
	ApplicantName      string            `json:"applicant_name"`
	Email              string            `json:"email"`
	Language           string            `json:"language"`
	Status             ApplicationStatus `json:"status"`
	// ConfirmHash is HashToken of the confirmation link's secret, until
	// the address is confirmed.
	ConfirmHash string     `json:"-"`
	ConfirmBy   time.Time  `json:"-"`
	Note        string     `json:"note,omitempty"`       // staff's, sent to the applicant
	DecidedBy   string     `json:"decided_by,omitempty"` // the staff user's ID
	MemberID    string     `json:"member_id,omitempty"`  // the member admitting it made
	CreatedAt   time.Time  `json:"created_at"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
	Version     int64      `json:"version"`
}

// JoinApplicationRequest is what applying to join takes.
type JoinApplicationRequest struct {
	Kind               MemberKind `json:"kind" validate:"required,oneof=enterprise worker"`
	Name               string     `json:"name" validate:"required,min=2,max=120"`
	RegistrationNumber string     `json:"registration_number" validate:"max=20"`
	Sector             string     `json:"sector" validate:"required"`
	Postcode           string     `json:"postcode" validate:"required"`
	Website            string     `json:"website" validate:"omitempty,http_url,max=300"`
	Statement          string     `json:"statement" validate:"required,max=2000"`
	ApplicantName      string     `json:"applicant_name" validate:"required,max=120"`
	Email              string     `json:"email" validate:"required,email,max=254"`
	Language           string     `json:"language" validate:"omitempty,oneof=en cy"`
}

// ApplicationDecision is staff's answer to an application: a note to the
// applicant, required when refusing.
type ApplicationDecision struct {
	Note string `json:"note" validate:"max=2000"`
}

// ConfirmPrefix starts every application confirmation link's secret.
const ConfirmPrefix = "cma_"

// ConfirmTTL is how long an application's confirmation link works.
const ConfirmTTL = 48 * time.Hour

// ApplicationsPerDay is how many applications one e-mail address may make
// in a day; more are dropped without a word, so that the answer stays the
// same.
const ApplicationsPerDay = 3

// JoinApplicationStore keeps applications to join.
type JoinApplicationStore interface {
	// CreateJoinApplication stores a new application, with its ID set.
	CreateJoinApplication(ctx context.Context, a *JoinApplication) error
	// FindJoinApplicationByID returns ENOTFOUND when there is none.
	FindJoinApplicationByID(ctx context.Context, id string) (*JoinApplication, error)
	// TakeJoinConfirmation returns the application whose confirmation link
	// has this hash and forgets the link, so that it works once; ENOTFOUND
	// when there is none.
	TakeJoinConfirmation(ctx context.Context, hash string) (*JoinApplication, error)
	// FindJoinApplications returns the applications of a status, oldest
	// first.
	FindJoinApplications(ctx context.Context, status ApplicationStatus) ([]*JoinApplication, error)
	// UpdateJoinApplication replaces the application when its stored
	// version is still a.Version-1; EPRECONDITION otherwise, or ENOTFOUND.
	UpdateJoinApplication(ctx context.Context, a *JoinApplication) error
}

// societyOrCompany is the shape of a registered number: a Co-operative and
// Community Benefit Society's (12345R, IP12345R, RS007123, SP1234RS) or a
// company's (01234567, SC123456, NI012345, OC301234).
var societyOrCompany = regexp.MustCompile(`^(?:IP)?[0-9]{1,6}R$|^RS[0-9]{6}$|^SP[0-9]{1,6}RS?$|^IP[0-9]{1,6}$|^[0-9]{8}$|^(?:SC|NI|OC|SO|NC|SE|FC|GE|LP|SL|NL|CE|CS|SA|ZC|NP|R0)[0-9]{6}$`)

// IsSocietyOrCompanyNumber reports whether n, upper-cased without spaces,
// is shaped as a registered society's or a company's number.
func IsSocietyOrCompanyNumber(n string) bool { return societyOrCompany.MatchString(n) }

func (r *JoinApplicationRequest) normalize() {
	r.Name = strings.TrimSpace(r.Name)
	r.RegistrationNumber = strings.ToUpper(strings.Join(strings.Fields(r.RegistrationNumber), ""))
	r.Sector = strings.TrimSpace(r.Sector)
	r.Postcode = strings.TrimSpace(r.Postcode)
	r.Website = strings.TrimSpace(r.Website)
	r.Statement = strings.TrimSpace(r.Statement)
	r.ApplicantName = strings.TrimSpace(r.ApplicantName)
	r.Email = strings.ToLower(strings.TrimSpace(r.Email))
	if r.Language == "" {
		r.Language = "en"
	}
}

func (r *JoinApplicationRequest) validate() error {
	var fe fieldErrors
	checkShape(r, &fe)
	if r.Kind == MemberEnterprise && r.RegistrationNumber == "" {
		fe.broke("registration_number", RuleRequired, RuleParams{})
	} else if r.RegistrationNumber != "" && !IsSocietyOrCompanyNumber(r.RegistrationNumber) {
		fe.broke("registration_number", RuleSocietyOrCompany, RuleParams{})
	}
	if r.Sector != "" {
		if _, ok := Taxonomy.Sector(r.Sector); !ok {
			fe.broke("sector", RuleSector, RuleParams{Value: r.Sector, Hint: " (see GET /v1/categories)"})
		}
	}
	if r.Postcode != "" {
		if _, rule, p := parsePostcode(r.Postcode); rule != "" {
			fe.broke("postcode", rule, p)
		}
	}
	for field, v := range map[string]string{"name": r.Name, "applicant_name": r.ApplicantName} {
		if hasControl(v, false) {
			fe.broke(field, RuleControl, RuleParams{})
		}
	}
	if hasControl(r.Statement, true) {
		fe.broke("statement", RuleControl, RuleParams{})
	}
	slices.SortStableFunc(fe, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return fe.err()
}

// ApplyToJoin takes an application and mails its applicant a link to
// confirm the address; staff see it once confirmed. Anyone may apply. The
// answer is the same whatever the address: nothing here looks accounts up,
// and an address over ApplicationsPerDay is dropped without a word.
func (s *Service) ApplyToJoin(ctx context.Context, req JoinApplicationRequest) error {
	req.normalize()
	if err := req.validate(); err != nil {
		return err
	}
	if !s.applications().allow(req.Email, s.now()) {
		s.logger().InfoContext(ctx, "an application to join was dropped: too many from its address")
		return nil
	}
	id, err := randomID()
	if err != nil {
		return err
	}
	secret, err := randomSecret(ConfirmPrefix)
	if err != nil {
		return err
	}
	now := s.now()
	if p, err := ParsePostcode(req.Postcode); err == nil {
		req.Postcode = p.Postcode
	}
	a := &JoinApplication{
		ID: id, Kind: req.Kind, Name: req.Name, RegistrationNumber: req.RegistrationNumber, Sector: req.Sector,
		Postcode: req.Postcode, Website: req.Website, Statement: req.Statement, ApplicantName: req.ApplicantName,
		Email: req.Email, Language: req.Language, Status: ApplicationUnconfirmed,
		ConfirmHash: HashToken(secret), ConfirmBy: now.Add(ConfirmTTL), CreatedAt: now, Version: 1,
	}
	if err := s.JoinApplications.CreateJoinApplication(ctx, a); err != nil {
		return err
	}
	w, err := s.Messages.WriteMessage(ApplicationConfirmMessage{
		Name: a.ApplicantName, Member: a.Name, Link: s.BaseURL + "/join/confirm?token=" + secret, Expires: a.ConfirmBy,
	}, a.Language)
	if err != nil {
		return err
	}
	return s.Mailer.SendMail(ctx, Mail{Key: "join-confirm~" + a.ConfirmHash, To: a.Email, Subject: w.Subject, Text: w.Text, HTML: w.HTML, Lang: w.Lang})
}

// ConfirmApplication confirms an application's address with the secret of
// the mailed link, once and within ConfirmTTL: the application then waits
// for staff. It returns the application's language, for the page.
func (s *Service) ConfirmApplication(ctx context.Context, secret string) (*JoinApplication, error) {
	bad := Invalid(Broken("token", RuleConfirmLink, RuleParams{}))
	if !strings.HasPrefix(secret, ConfirmPrefix) || len(secret) > 100 {
		return nil, bad
	}
	a, err := s.JoinApplications.TakeJoinConfirmation(ctx, HashToken(secret))
	if ErrorCode(err) == ENOTFOUND {
		return nil, bad
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	if a.Status != ApplicationUnconfirmed || !now.Before(a.ConfirmBy) {
		return nil, bad
	}
	a.Status, a.ConfirmedAt, a.ConfirmHash = ApplicationPending, &now, ""
	a.Version++
	if err := s.JoinApplications.UpdateJoinApplication(ctx, a); err != nil {
		return nil, err
	}
	applicant := &User{ID: "applicant:" + a.ID, Email: a.Email, Name: a.ApplicantName}
	s.RecordAudit(NewContextWithUser(ctx, applicant), "application.confirm", "application:"+a.ID, "", map[string]string{"name": a.Name})
	return a, nil
}

func (s *Service) requireStaffTo(ctx context.Context, what string) (*User, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if !me.IsStaff() {
		return nil, Errorf(EFORBIDDEN, "Only federation staff can %s.", what)
	}
	return me, nil
}

// FindJoinApplications lists the confirmed applications waiting for
// staff, oldest first. Staff only.
func (s *Service) FindJoinApplications(ctx context.Context) ([]*JoinApplication, error) {
	if _, err := s.requireStaffTo(ctx, "see applications to join"); err != nil {
		return nil, err
	}
	return s.JoinApplications.FindJoinApplications(ctx, ApplicationPending)
}

// AdmitApplication admits a confirmed application: it creates the member,
// pending its dues as CreateMember does, and invites the applicant to be
// its first owner, then tells the applicant with staff's note. Staff only.
// The statement was written for staff, so it does not become the public
// description; the new owner writes that.
func (s *Service) AdmitApplication(ctx context.Context, id string, d ApplicationDecision) (*JoinApplication, error) {
	me, err := s.requireStaffTo(ctx, "admit members")
	if err != nil {
		return nil, err
	}
	a, err := s.pendingApplication(ctx, id, d)
	if err != nil {
		return nil, err
	}
	m := &Member{Kind: a.Kind, Name: a.Name, Email: a.Email, Website: a.Website, Postcode: a.Postcode,
		Sectors: []string{a.Sector}, RegistrationNumber: a.RegistrationNumber}
	if err := s.CreateMember(ctx, m); err != nil {
		return nil, err
	}
	now := s.now()
	a.Status, a.Note, a.DecidedBy, a.DecidedAt, a.MemberID = ApplicationAdmitted, strings.TrimSpace(d.Note), me.ID, &now, m.ID
	a.Version++
	if err := s.JoinApplications.UpdateJoinApplication(ctx, a); err != nil {
		return nil, err
	}
	s.RecordAudit(ctx, "application.admit", "application:"+a.ID, a.Note, map[string]string{"member": m.ID})
	if err := s.mailDecision(ctx, a); err != nil {
		return nil, err
	}
	inv, err := s.invite(ctx, m, InvitationRequest{Email: a.Email, Role: RoleOwner, Language: a.Language}, me.ID, a.ID)
	if err != nil {
		return nil, err
	}
	s.RecordAudit(ctx, "invitation.create", "member:"+m.ID, "", map[string]string{
		"invitation": inv.ID, "role": string(inv.Role), "application": a.ID})
	return a, nil
}

// RefuseApplication refuses a confirmed application with a note, which
// the applicant is sent. Staff only.
func (s *Service) RefuseApplication(ctx context.Context, id string, d ApplicationDecision) (*JoinApplication, error) {
	me, err := s.requireStaffTo(ctx, "refuse applications")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(d.Note) == "" {
		return nil, Invalid(Broken("note", RuleRequired, RuleParams{Hint: ": say why, for the applicant"}))
	}
	a, err := s.pendingApplication(ctx, id, d)
	if err != nil {
		return nil, err
	}
	now := s.now()
	a.Status, a.Note, a.DecidedBy, a.DecidedAt = ApplicationRefused, strings.TrimSpace(d.Note), me.ID, &now
	a.Version++
	if err := s.JoinApplications.UpdateJoinApplication(ctx, a); err != nil {
		return nil, err
	}
	s.RecordAudit(ctx, "application.refuse", "application:"+a.ID, a.Note, nil)
	return a, s.mailDecision(ctx, a)
}

// pendingApplication returns the application staff decide on, checking
// the decision's note: ENOTFOUND when there is none waiting for staff
// (unconfirmed ones are not theirs to see), ECONFLICT once decided.
func (s *Service) pendingApplication(ctx context.Context, id string, d ApplicationDecision) (*JoinApplication, error) {
	var fe fieldErrors
	if checkShape(&d, &fe); fe.err() != nil {
		return nil, fe.err()
	}
	if hasControl(d.Note, true) {
		return nil, Invalid(Broken("note", RuleControl, RuleParams{}))
	}
	a, err := s.JoinApplications.FindJoinApplicationByID(ctx, id)
	if ErrorCode(err) == ENOTFOUND || err == nil && a.Status == ApplicationUnconfirmed {
		return nil, Errorf(ENOTFOUND, "No such application.")
	} else if err != nil {
		return nil, err
	}
	if a.Status != ApplicationPending {
		return nil, Errorf(ECONFLICT, "The application was %s already.", a.Status)
	}
	return a, nil
}

// mailDecision tells the applicant what staff decided.
func (s *Service) mailDecision(ctx context.Context, a *JoinApplication) error {
	w, err := s.Messages.WriteMessage(ApplicationDecisionMessage{
		Name: a.ApplicantName, Member: a.Name, Admitted: a.Status == ApplicationAdmitted, Note: a.Note, Link: s.BaseURL + "/",
	}, a.Language)
	if err != nil {
		return err
	}
	return s.Mailer.SendMail(ctx, Mail{Key: "join-decision~" + a.ID, To: a.Email, Subject: w.Subject, Text: w.Text, HTML: w.HTML, Lang: w.Lang})
}
