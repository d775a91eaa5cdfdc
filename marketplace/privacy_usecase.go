package marketplace

import (
	"context"
	"errors"
)

// The rights of access, portability and erasure (UK GDPR articles 15, 17
// and 20): a person downloads and erases what is held about them, an owner
// what is held about its co-op, and staff either, for a request made to
// the federation.

var errNoSubject = Errorf(ENOTFOUND, "No such user or member.")

// mayReach checks that the signed-in user may export (or, with erase, erase)
// the subject's data, and returns the user when the subject is one.
func (s *Service) mayReach(ctx context.Context, sub Subject, erase bool) (*User, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	switch sub.Kind {
	case SubjectUser:
		if !me.IsStaff() && me.ID != sub.ID {
			return nil, errNoSubject
		}
		u, err := s.Users.FindUserByID(ctx, sub.ID)
		if ErrorCode(err) == ENOTFOUND {
			return nil, errNoSubject
		}
		return u, err
	case SubjectMember:
		if !me.IsStaff() && (erase || !me.IsOwnerOf(sub.ID)) {
			if erase && me.IsOwnerOf(sub.ID) {
				return nil, Errorf(EFORBIDDEN, "Only federation staff can close a co-operative's membership and erase its data; write to them.")
			}
			return nil, errNoSubject
		}
		if _, err := s.Members.FindMemberByID(ctx, sub.ID); ErrorCode(err) == ENOTFOUND {
			return nil, errNoSubject
		} else if err != nil {
			return nil, err
		}
		return nil, nil
	}
	return nil, errNoSubject
}

// ExportPersonalData returns everything held about a subject, without
// secrets: a user may have their own, an owner its member's, and staff any
// (which is audited, as answering a subject access request).
func (s *Service) ExportPersonalData(ctx context.Context, sub Subject) (*PersonalExport, error) {
	if _, err := s.mayReach(ctx, sub, false); err != nil {
		return nil, err
	}
	if len(s.PersonalData) == 0 {
		return nil, Errorf(EUNAVAILABLE, "Personal data cannot be exported here.")
	}
	out, err := s.exportSubject(ctx, sub)
	if err != nil {
		return nil, err
	}
	me := UserFromContext(ctx)
	if me.IsStaff() && !(sub.Kind == SubjectUser && sub.ID == me.ID) {
		s.RecordAudit(ctx, "privacy.export", string(sub.Kind)+":"+sub.ID, "", nil)
	}
	return out, nil
}

// exportSubject collects what every store holds about the subject.
func (s *Service) exportSubject(ctx context.Context, sub Subject) (*PersonalExport, error) {
	out := &PersonalExport{Subject: sub, MadeAt: s.now(), Records: PersonalRecords{}}
	for _, d := range s.PersonalData {
		if err := d.ExportSubject(ctx, sub, out.Records); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CloseAccount erases the signed-in user: their account, sessions, tokens,
// notifications and saved searches go, and the audit log names them by a
// pseudonym. A co-op's last owner is refused while the co-op is a member:
// someone must stay to answer for it.
func (s *Service) CloseAccount(ctx context.Context) error {
	me := UserFromContext(ctx)
	if me == nil {
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	return s.ErasePersonalData(ctx, UserSubject(me.ID))
}

// ErasePersonalData erases a subject everywhere its data is kept: a user
// themselves (CloseAccount), staff any user or member. An erased member's
// users go with it, and its listings leave matching and search at once.
// Dues payments stay, as the law requires, under the member's ID alone.
// The erasure is audited under a pseudonym, without what was erased.
func (s *Service) ErasePersonalData(ctx context.Context, sub Subject) error {
	u, err := s.mayReach(ctx, sub, true)
	if err != nil {
		return err
	}
	if len(s.PersonalData) == 0 {
		return Errorf(EUNAVAILABLE, "Personal data cannot be erased here.")
	}
	if u != nil {
		if err := s.keepAnOwnerOfMember(ctx, u); err != nil {
			return err
		}
		sub.Email = u.Email
	}
	var listings []*Listing
	if sub.Kind == SubjectMember {
		if listings, err = s.memberListings(ctx, sub.ID); err != nil {
			return err
		}
		// Out of matching before anything else goes: the pool takes a
		// listing that is not open as gone.
		for _, l := range listings {
			gone := *l
			gone.Status = StatusRemoved
			if err := s.Pool.Put(ctx, &gone, false); err != nil {
				return err
			}
		}
		users, err := s.Users.FindUsersByMember(ctx, sub.ID)
		if err != nil {
			return err
		}
		for _, mu := range users {
			if err := s.eraseEverywhere(ctx, Subject{Kind: SubjectUser, ID: mu.ID, Email: mu.Email}); err != nil {
				return err
			}
		}
	}
	if err := s.eraseEverywhere(ctx, sub); err != nil {
		return err
	}
	// Each listing's index job finds it gone and takes it out of search.
	var errs []error
	for _, l := range listings {
		errs = append(errs, s.Queue.EnqueueListingChanged(ctx, l.ID, l.Version+1))
	}
	if err := errors.Join(errs...); err != nil {
		s.logger().ErrorContext(ctx, "cannot queue an erased member's listings out of search; the reconciler will not find them", "error", err)
		return err
	}
	return nil
}

// eraseEverywhere erases a subject from every store, under a pseudonym of
// its own, and audits it under that pseudonym.
func (s *Service) eraseEverywhere(ctx context.Context, sub Subject) error {
	pseudonym := NewPseudonym()
	for _, d := range s.PersonalData {
		if err := d.EraseSubject(ctx, sub, pseudonym); err != nil {
			return err
		}
	}
	details := map[string]string{"kind": string(sub.Kind)}
	if me := UserFromContext(ctx); me != nil && sub.Kind == SubjectUser && me.ID == sub.ID {
		// Closing one's own account: the entry names its actor by the
		// pseudonym too, or it would keep what was just erased.
		e := &AuditEntry{At: s.now(), ActorID: pseudonym, Actor: pseudonym, Action: "privacy.erase", Subject: pseudonym, Details: details}
		if err := s.Audit.AddAudit(ctx, e); err != nil {
			s.logger().ErrorContext(ctx, "cannot write the audit log", "action", e.Action, "error", err)
		}
		return nil
	}
	s.RecordAudit(ctx, "privacy.erase", pseudonym, "", details)
	return nil
}

// keepAnOwnerOfMember refuses to erase a member's last owner while the
// member is not cancelled.
func (s *Service) keepAnOwnerOfMember(ctx context.Context, u *User) error {
	if u.MemberID == "" {
		return nil
	}
	m, err := s.Members.FindMemberByID(ctx, u.MemberID)
	if ErrorCode(err) == ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if m.Standing == StandingCancelled {
		return nil
	}
	if err := s.keepAnOwner(ctx, u, nil); err != nil {
		return Errorf(ECONFLICT, "This account is the last owner of %s, which is still a member: make another user an owner first, or ask federation staff to close the membership.", m.Name)
	}
	return nil
}

// memberListings returns every listing of a member.
func (s *Service) memberListings(ctx context.Context, memberID string) ([]*Listing, error) {
	var all []*Listing
	cursor := ""
	for {
		page, next, err := s.Listings.FindListings(ctx, ListingFilter{MemberID: memberID, Cursor: cursor, Limit: MaxPageSize})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if next == "" {
			return all, nil
		}
		cursor = next
	}
}
