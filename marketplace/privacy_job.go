package marketplace

import (
	"context"
	"encoding/json"
	"time"
)

// Exports too large to build while a person waits are built by a job and
// fetched from a link that expires. Only a hash of the link's secret is
// kept, as for tokens: the link is the secret.

// ExportPrefix starts every export link's secret.
const ExportPrefix = "cmx_"

// ExportTTL is how long a prepared export can be fetched.
const ExportTTL = 7 * Day

// Export statuses.
const (
	ExportPending = "pending"
	ExportReady   = "ready"
)

// ExportRequest is an export a job builds.
type ExportRequest struct {
	Hash        string    `json:"-"` // HashToken of the link's secret; its ID
	Subject     Subject   `json:"subject"`
	RequestedBy string    `json:"-"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	// Body is the export as JSON, once ready.
	Body []byte `json:"-"`
}

// ExportStore keeps export requests.
type ExportStore interface {
	CreateExport(ctx context.Context, e *ExportRequest) error
	// FindExport returns ENOTFOUND when there is none.
	FindExport(ctx context.Context, hash string) (*ExportRequest, error)
	// FinishExport stores the built export and marks it ready.
	FinishExport(ctx context.Context, hash string, body []byte) error
}

// ExportQueue is where export requests wait for the job that builds them.
type ExportQueue interface {
	EnqueueExport(ctx context.Context, hash string) error
}

// RequestExport asks for the subject's export to be built by a job (for
// whoever may export it, see ExportPersonalData) and returns the request
// with the secret of the link to fetch it from, shown this once.
func (s *Service) RequestExport(ctx context.Context, sub Subject) (string, *ExportRequest, error) {
	if _, err := s.mayReach(ctx, sub, false); err != nil {
		return "", nil, err
	}
	q, ok := s.Queue.(ExportQueue)
	if s.Exports == nil || !ok {
		return "", nil, Errorf(EUNAVAILABLE, "Exports cannot be prepared here.")
	}
	secret, err := randomSecret(ExportPrefix)
	if err != nil {
		return "", nil, err
	}
	now := s.now()
	e := &ExportRequest{Hash: HashToken(secret), Subject: sub, RequestedBy: UserFromContext(ctx).ID,
		Status: ExportPending, CreatedAt: now, ExpiresAt: now.Add(ExportTTL)}
	if err := s.Exports.CreateExport(ctx, e); err != nil {
		return "", nil, err
	}
	if err := q.EnqueueExport(ctx, e.Hash); err != nil {
		return "", nil, err
	}
	me := UserFromContext(ctx)
	if me.IsStaff() && !(sub.Kind == SubjectUser && sub.ID == me.ID) {
		s.RecordAudit(ctx, "privacy.export", string(sub.Kind)+":"+sub.ID, "", map[string]string{"by": "job"})
	}
	return secret, e, nil
}

// BuildExport builds a requested export: the job's work. It is idempotent.
func (s *Service) BuildExport(ctx context.Context, hash string) error {
	e, err := s.Exports.FindExport(ctx, hash)
	if err != nil {
		return err
	}
	if e.Status == ExportReady || !s.now().Before(e.ExpiresAt) {
		return nil
	}
	out, err := s.exportSubject(ctx, e.Subject)
	if err != nil {
		return err
	}
	body, err := json.Marshal(out)
	if err != nil {
		return err
	}
	return s.Exports.FinishExport(ctx, hash, body)
}

// FetchExport returns a requested export by its link's secret, to the
// user who asked for it: ENOTFOUND for anyone else, an unknown or expired
// link; the request with no body while it is being built.
func (s *Service) FetchExport(ctx context.Context, secret string) (*ExportRequest, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	gone := Errorf(ENOTFOUND, "This download does not exist or has expired; ask for another.")
	if len(secret) > 100 || len(secret) < len(ExportPrefix)+10 || secret[:len(ExportPrefix)] != ExportPrefix || s.Exports == nil {
		return nil, gone
	}
	e, err := s.Exports.FindExport(ctx, HashToken(secret))
	if ErrorCode(err) == ENOTFOUND {
		return nil, gone
	} else if err != nil {
		return nil, err
	}
	if e.RequestedBy != me.ID || !s.now().Before(e.ExpiresAt) {
		return nil, gone
	}
	return e, nil
}
