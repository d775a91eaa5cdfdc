package marketplace

import (
	"context"
	"slices"
	"strings"
)

// FindMemberUsers lists the users of a member, with their roles and last
// sign-in, to the member's owners and federation staff.
func (s *Service) FindMemberUsers(ctx context.Context, memberID string) ([]*User, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if !me.IsStaff() && !me.IsOwnerOf(memberID) {
		return nil, Errorf(EFORBIDDEN, "Only the member's owners or federation staff can see its users.")
	}
	users, err := s.Users.FindUsersByMember(ctx, memberID)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(users, func(a, b *User) int { return strings.Compare(a.Email, b.Email) })
	return users, nil
}

// ChangeUser changes a user's role (the member's owners and staff) or
// suspends and restores the user (staff only). A member always keeps an
// owner who is not suspended. A suspended user's sessions and tokens end.
func (s *Service) ChangeUser(ctx context.Context, id string, version int64, ch UserChange) (*User, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	u, err := s.Users.FindUserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !me.IsStaff() && !me.IsOwnerOf(u.MemberID) {
		return nil, errNoSuchUser
	}
	if ch.Suspended != nil && !me.IsStaff() {
		return nil, Errorf(EFORBIDDEN, "Only federation staff can suspend a user.")
	}
	if ch.Role != nil {
		if *ch.Role != RoleOwner && *ch.Role != RoleEditor {
			return nil, Invalid(Broken("role", RuleOneOf, RuleParams{Options: []string{string(RoleOwner), string(RoleEditor)}}))
		}
		if u.MemberID == "" {
			return nil, Invalid(Broken("role", RuleStaffNoRole, RuleParams{}))
		}
	}
	if ch.Role == nil && ch.Suspended == nil {
		return u, nil // nothing to change, nothing to record
	}
	if version == 0 {
		version = u.Version
	}
	after := *u
	if ch.Role != nil {
		after.Role = *ch.Role
	}
	if ch.Suspended != nil {
		after.Suspended = *ch.Suspended
	}
	if err := s.keepAnOwner(ctx, u, &after); err != nil {
		return nil, err
	}
	changed, err := s.Users.UpdateUser(ctx, id, version, ch)
	if err != nil {
		return nil, err
	}
	if changed.Suspended {
		if err := s.endAccess(ctx, changed.ID); err != nil {
			return nil, err
		}
	}
	details := map[string]string{}
	if ch.Role != nil {
		details["role"] = string(*ch.Role)
	}
	if ch.Suspended != nil {
		details["suspended"] = boolWord(*ch.Suspended)
	}
	s.RecordAudit(ctx, "user.change", "user:"+id, "", details)
	return changed, nil
}

// RemoveUser removes a user from its member: the member's owners and staff
// may, and a user may leave by removing themselves. The user's sessions and
// tokens stop working at once. A member always keeps an owner.
func (s *Service) RemoveUser(ctx context.Context, id string) error {
	me := UserFromContext(ctx)
	if me == nil {
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	u, err := s.Users.FindUserByID(ctx, id)
	if err != nil {
		return err
	}
	if !me.IsStaff() && !me.IsOwnerOf(u.MemberID) && me.ID != u.ID {
		return errNoSuchUser
	}
	if u.Staff && !me.IsStaff() {
		return errNoSuchUser
	}
	if err := s.keepAnOwner(ctx, u, nil); err != nil {
		return err
	}
	if err := s.endAccess(ctx, u.ID); err != nil {
		return err
	}
	if err := s.Users.DeleteUser(ctx, u); err != nil {
		return err
	}
	s.RecordAudit(ctx, "user.remove", "user:"+id, "", map[string]string{"member": u.MemberID})
	return nil
}

var errNoSuchUser = Errorf(ENOTFOUND, "No such user.")

// keepAnOwner refuses, with ECONFLICT, a change that would leave u's
// member without an owner who may sign in; after is u as changed, nil when
// u leaves.
func (s *Service) keepAnOwner(ctx context.Context, u, after *User) error {
	if u.MemberID == "" || u.Role != RoleOwner || u.Suspended {
		return nil // u is not one of the member's owners now
	}
	if after != nil && after.Role == RoleOwner && !after.Suspended {
		return nil
	}
	users, err := s.Users.FindUsersByMember(ctx, u.MemberID)
	if err != nil {
		return err
	}
	for _, o := range users {
		if o.ID != u.ID && o.Role == RoleOwner && !o.Suspended {
			return nil
		}
	}
	return Errorf(ECONFLICT, "A co-operative keeps at least one owner: make another user an owner first.")
}

// endAccess ends every session and API token of a user.
func (s *Service) endAccess(ctx context.Context, userID string) error {
	if err := s.Tokens.DeleteUserTokens(ctx, userID, ""); err != nil {
		return err
	}
	return s.Sessions.DeleteUserSessions(ctx, userID, "")
}

func boolWord(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
