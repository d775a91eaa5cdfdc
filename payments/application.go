package payments

import (
	"context"
	"time"
)

// ApplicationKind says what a member asks of staff.
type ApplicationKind string

// Kinds of application.
const (
	// ApplicationDeclaration declares the previous year's labour costs, on
	// which the dues are worked out (or, for a worker member, asks to join
	// without dues).
	ApplicationDeclaration ApplicationKind = "declaration"
	// ApplicationHardship asks to pay a smaller amount, with a reason.
	ApplicationHardship ApplicationKind = "hardship"
)

// ApplicationStatus is where an application is in staff's review.
type ApplicationStatus string

// Statuses of an application.
const (
	ApplicationPending  ApplicationStatus = "pending"
	ApplicationApproved ApplicationStatus = "approved"
	ApplicationAdjusted ApplicationStatus = "adjusted"
	ApplicationRefused  ApplicationStatus = "refused"
)

// Valid reports whether s is a known status.
func (s ApplicationStatus) Valid() bool {
	switch s {
	case ApplicationPending, ApplicationApproved, ApplicationAdjusted, ApplicationRefused:
		return true
	}
	return false
}

// Application is a member's declaration of its labour costs for a year of
// dues, or its request for hardship dues, and staff's decision on it.
type Application struct {
	ID       string          `json:"id"`
	MemberID string          `json:"member_id"`
	Year     int             `json:"year"`
	Kind     ApplicationKind `json:"kind"`
	// LabourCostsPence is the previous year's labour costs declared
	// (payroll plus members' drawings).
	LabourCostsPence int64 `json:"labour_costs_pence"`
	// HardshipAmountPence and Reason are what a member in hardship asks to
	// pay a year, before VAT, and why.
	HardshipAmountPence int64  `json:"hardship_amount_pence,omitempty"`
	Reason              string `json:"reason,omitempty"`
	// Dues is the yearly amount: as applied for while pending, as decided
	// once approved or adjusted.
	Dues       Dues              `json:"dues"`
	Status     ApplicationStatus `json:"status"`
	StaffNotes string            `json:"staff_notes,omitempty"`
	DecidedBy  string            `json:"decided_by,omitempty"`
	DecidedAt  *time.Time        `json:"decided_at,omitempty"`
	Version    int64             `json:"version"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// ApplicationFilter selects applications, newest first.
type ApplicationFilter struct {
	MemberID string
	Status   ApplicationStatus
	Year     int
	Cursor   string
	Limit    int
}

// ApplicationStore keeps the applications.
type ApplicationStore interface {
	// FindApplicationByID returns ENOTFOUND when there is no such
	// application.
	FindApplicationByID(ctx context.Context, id string) (*Application, error)
	// FindApplications returns a page of applications and the cursor of the
	// next page ("" at the end); EINVALID for a malformed cursor.
	FindApplications(ctx context.Context, f ApplicationFilter) ([]*Application, string, error)
	// CreateApplication stores a new application and sets its ID.
	CreateApplication(ctx context.Context, a *Application) error
	// UpdateApplication writes a if the stored version is still version and
	// sets a.Version to the new version; EPRECONDITION when someone else
	// wrote first, ENOTFOUND when there is no such application.
	UpdateApplication(ctx context.Context, a *Application, version int64) error
}
