package marketplace

import (
	"context"
)

// CreateMember admits a new member. Staff only. The standing starts as
// pending unless staff say otherwise.
func (s *Service) CreateMember(ctx context.Context, m *Member) error {
	if UserFromContext(ctx) == nil {
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if !UserFromContext(ctx).IsStaff() {
		return Errorf(EFORBIDDEN, "Only federation staff can admit members.")
	}
	if m.Standing == "" {
		m.Standing = StandingPending
	}
	m.Normalize()
	if err := m.Validate(); err != nil {
		return err
	}
	now := s.now()
	m.ID, m.Version, m.CreatedAt, m.UpdatedAt = "", 1, now, now
	if err := s.Members.CreateMember(ctx, m); err != nil {
		return err
	}
	s.RecordAudit(ctx, "member.create", "member:"+m.ID, "", map[string]string{"name": m.Name, "standing": string(m.Standing)})
	return nil
}

// FindMember returns a member's whole record, by its ID or slug, to
// federation staff and the member's own users. Anyone else gets ENOTFOUND:
// what they may see of a member is its profile (FindMemberProfile).
func (s *Service) FindMember(ctx context.Context, idOrSlug string) (*Member, error) {
	m, err := s.findMember(ctx, idOrSlug)
	if err != nil {
		return nil, err
	}
	if !m.SeenWholeBy(UserFromContext(ctx)) {
		return nil, errNoSuchMember
	}
	return m, nil
}

// FindMemberProfile returns a member's directory entry, by its ID or slug,
// as the signed-in user (or the public) may see it. A member outside the
// public directory (Member.Public) is ENOTFOUND to all but staff and its
// own users, so that nobody learns it exists.
func (s *Service) FindMemberProfile(ctx context.Context, idOrSlug string) (*MemberProfile, error) {
	m, err := s.findMember(ctx, idOrSlug)
	if err != nil {
		return nil, err
	}
	viewer := UserFromContext(ctx)
	if !m.ProfileShownTo(viewer) {
		return nil, errNoSuchMember
	}
	return m.ProfileFor(viewer), nil
}

var errNoSuchMember = Errorf(ENOTFOUND, "No such member.")

func (s *Service) findMember(ctx context.Context, idOrSlug string) (*Member, error) {
	if hexID.MatchString(idOrSlug) {
		return s.Members.FindMemberByID(ctx, idOrSlug)
	}
	if !slugPattern.MatchString(idOrSlug) {
		return nil, errNoSuchMember
	}
	return s.Members.FindMemberBySlug(ctx, idOrSlug)
}

// FindMembers lists members. Staff only: the public finds members through
// their profiles and listings.
func (s *Service) FindMembers(ctx context.Context, f MemberFilter) ([]*Member, string, error) {
	if UserFromContext(ctx) == nil {
		return nil, "", Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if !UserFromContext(ctx).IsStaff() {
		return nil, "", Errorf(EFORBIDDEN, "Only federation staff can list members.")
	}
	var fe fieldErrors
	if f.Standing != "" && !f.Standing.Valid() {
		fe.broke("standing", RuleOneOf, RuleParams{Options: standingNames()})
	}
	if f.Kind != "" && f.Kind != MemberEnterprise && f.Kind != MemberWorker {
		fe.broke("kind", RuleEither, RuleParams{Options: []string{"enterprise", "worker"}})
	}
	if err := fe.err(); err != nil {
		return nil, "", err
	}
	f.Limit = clampLimit(f.Limit)
	return s.Members.FindMembers(ctx, f)
}

// UpdateMember changes a member's profile. Staff or the member's owners may
// do it; only staff may change the standing. version is the version the
// caller read (0 for "the current one").
func (s *Service) UpdateMember(ctx context.Context, id string, version int64, upd MemberUpdate) (*Member, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	m, err := s.Members.FindMemberByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !me.IsStaff() && !me.IsOwnerOf(m.ID) {
		return nil, Errorf(EFORBIDDEN, "Only the member's owners or federation staff can change its profile.")
	}
	if upd.Standing != nil && !me.IsStaff() {
		return nil, Errorf(EFORBIDDEN, "Only federation staff can change a member's standing.")
	}
	if version == 0 {
		version = m.Version
	} else if version != m.Version {
		return nil, Errorf(EPRECONDITION, "The member has changed since version %d; fetch it again.", version)
	}
	before := m.Standing
	upd.apply(m)
	m.Normalize()
	if err := m.Validate(); err != nil {
		return nil, err
	}
	m.UpdatedAt = s.now()
	if err := s.Members.UpdateMember(ctx, m, version); err != nil {
		return nil, err
	}
	if m.Standing != before {
		s.RecordAudit(ctx, "member.standing", "member:"+m.ID, upd.Reason,
			map[string]string{"from": string(before), "to": string(m.Standing)})
	} else if me.IsStaff() {
		s.RecordAudit(ctx, "member.update", "member:"+m.ID, upd.Reason, nil)
	}
	s.memberChanged(ctx, m)
	return m, nil
}

// ChangeStanding moves a member to another standing, for staff and for
// payments (as SystemUser("payments")). Moving to the standing it already
// has changes nothing and records nothing.
func (s *Service) ChangeStanding(ctx context.Context, memberID string, to Standing, reason string) (*Member, error) {
	if !UserFromContext(ctx).IsStaff() {
		return nil, Errorf(EFORBIDDEN, "Only federation staff can change a member's standing.")
	}
	if !to.Valid() {
		return nil, Invalid(Broken("standing", RuleStanding, RuleParams{}))
	}
	for attempt := 0; ; attempt++ {
		m, err := s.Members.FindMemberByID(ctx, memberID)
		if err != nil {
			return nil, err
		}
		if m.Standing == to {
			return m, nil
		}
		m2, err := s.UpdateMember(ctx, memberID, m.Version, MemberUpdate{Standing: &to, Reason: reason})
		// Someone else changed the member meanwhile: read it again.
		if ErrorCode(err) == EPRECONDITION && attempt < 3 {
			continue
		}
		return m2, err
	}
}

// memberChanged asks for the member's listings to be re-indexed. As with
// listings, a failure only delays the work: it is logged.
func (s *Service) memberChanged(ctx context.Context, m *Member) {
	if err := s.Queue.EnqueueMemberChanged(ctx, m.ID, m.Version); err != nil {
		s.logger().WarnContext(ctx, "cannot enqueue the re-indexing of a member's listings",
			"member", m.ID, "error", err)
	}
}

// AddUser creates a user of a member with a first password, which the
// person who adds it passes on by hand; the user changes it after signing
// in. Only federation staff may, and only from the command line
// (`marketplace admin add-user`, acting as SystemUser("command line")):
// no adapter serves it, as people join a member by invitation.
func (s *Service) AddUser(ctx context.Context, memberID string, n NewUser) (*User, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	// Only staff: the answer to "add this address" says whether the
	// address has an account anywhere, which staff may know and a
	// member's owners may not.
	if !me.IsStaff() {
		return nil, Errorf(EFORBIDDEN, "Only federation staff can add a user; ask them.")
	}
	m, err := s.Members.FindMemberByID(ctx, memberID)
	if err != nil {
		return nil, err
	}
	n.normalize()
	if err := n.validate(); err != nil {
		return nil, err
	}
	hash, err := s.Passwords.Hash(n.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Email: n.Email, Name: n.Name, Language: n.Language, MemberID: m.ID, Role: n.Role, PasswordHash: hash, Version: 1, CreatedAt: s.now()}
	if err := s.Users.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	s.RecordAudit(ctx, "user.add", "user:"+u.ID, "", map[string]string{"member": m.ID, "role": string(u.Role)})
	return u, nil
}

// DefaultPageSize and MaxPageSize bound the lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

func clampLimit(n int) int {
	if n <= 0 {
		return DefaultPageSize
	}
	if n > MaxPageSize {
		return MaxPageSize
	}
	return n
}
