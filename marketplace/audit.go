package marketplace

import (
	"context"
	"time"
)

// AuditEntry records who did what: every staff action, and the standing
// changes that payments make on their own.
type AuditEntry struct {
	ID      string            `json:"id"`
	At      time.Time         `json:"at"`
	ActorID string            `json:"actor_id"` // a user ID, or "system:<part>"
	Actor   string            `json:"actor"`    // e-mail address or name, for people reading the log
	Action  string            `json:"action"`   // e.g. "member.standing"
	Subject string            `json:"subject"`  // e.g. "member:65a1…"
	Reason  string            `json:"reason,omitempty"`
	Details map[string]string `json:"details,omitempty"`
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	Subject string
	Action  string
	Cursor  string
	Limit   int
}

// AuditStore keeps the audit log. Entries are only ever added.
type AuditStore interface {
	AddAudit(ctx context.Context, e *AuditEntry) error
	// FindAudit returns a page of entries and the next cursor; EINVALID
	// for a malformed cursor.
	FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, string, error)
}

// SystemUser is the actor of work the service does on its own, such as
// payments changing a standing when Stripe says a payment failed. It has
// staff rights.
func SystemUser(part string) *User {
	return &User{ID: "system:" + part, Name: part, Staff: true}
}

// RecordAudit records an action of the signed-in user (or system actor). The action has already
// happened, so a failure to record it is logged, not returned.
func (s *Service) RecordAudit(ctx context.Context, action, subject, reason string, details map[string]string) {
	me := UserFromContext(ctx)
	e := &AuditEntry{At: s.now(), Action: action, Subject: subject, Reason: reason, Details: details}
	if me != nil {
		e.ActorID, e.Actor = me.ID, me.Email
		if e.Actor == "" {
			e.Actor = me.Name
		}
	}
	if err := s.Audit.AddAudit(ctx, e); err != nil {
		s.logger().ErrorContext(ctx, "cannot write the audit log", "action", action, "subject", subject, "error", err)
	}
}

// FindAudit lists the audit log. Staff only.
func (s *Service) FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, string, error) {
	if UserFromContext(ctx) == nil {
		return nil, "", Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if !UserFromContext(ctx).IsStaff() {
		return nil, "", Errorf(EFORBIDDEN, "Only federation staff can read the audit log.")
	}
	f.Limit = clampLimit(f.Limit)
	return s.Audit.FindAudit(ctx, f)
}
