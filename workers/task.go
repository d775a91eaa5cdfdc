package workers

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
)

// Task types.
const (
	TypeListingIndex    = "listing:index"
	TypeListingMatch    = "listing:match"
	TypeOutboxReconcile = "outbox:reconcile"
	TypeTokensSweep     = "tokens:sweep"
	TypeSessionsSweep   = "sessions:sweep"
	TypeRetention       = "retention:apply"
	TypeExportBuild     = "privacy:export"
	TypeMemberReindex   = "member:reindex"
)

// Queue names, by priority.
const (
	QueueCritical = "critical" // payments
	QueueIndex    = "index"    // the search index
	QueueDefault  = "default"  // matching, alerts, notifications
	QueueLow      = "low"      // digests and housekeeping
)

// ListingPayload names the version of a listing a task is about.
type ListingPayload struct {
	ListingID string `json:"listing_id"`
	Version   int64  `json:"version"`
}

// NewListingIndexTask returns the task that brings the search index up to
// the given version of a listing. Its ID is unique per listing and version,
// so enqueuing the same work twice while it waits adds nothing.
func NewListingIndexTask(listingID string, version int64) (*asynq.Task, error) {
	return newListingTask(TypeListingIndex, listingID, version)
}

// NewListingMatchTask returns the task that matches the given version of a
// listing against its counterparts, unique per listing and version.
func NewListingMatchTask(listingID string, version int64) (*asynq.Task, error) {
	return newListingTask(TypeListingMatch, listingID, version)
}

func newListingTask(typ, listingID string, version int64) (*asynq.Task, error) {
	payload, err := json.Marshal(ListingPayload{ListingID: listingID, Version: version})
	if err != nil {
		return nil, err
	}
	id := typ + ":" + listingID + ":" + strconv.FormatInt(version, 10)
	queue := QueueDefault
	if typ == TypeListingIndex {
		queue = QueueIndex
	}
	return asynq.NewTask(typ, payload,
		asynq.TaskID(id), asynq.Queue(queue), asynq.MaxRetry(10),
		asynq.Timeout(time.Minute)), nil
}

// MemberPayload names a version of a member.
type MemberPayload struct {
	MemberID string `json:"member_id"`
	Version  int64  `json:"version"`
}

// NewMemberReindexTask returns the task that brings the search entries of
// all a member's listings in line with the member (its standing, its
// name). Its ID is unique per member and version: a change made while an
// older version's task runs gets a task of its own.
func NewMemberReindexTask(memberID string, version int64) (*asynq.Task, error) {
	payload, err := json.Marshal(MemberPayload{MemberID: memberID, Version: version})
	if err != nil {
		return nil, err
	}
	id := TypeMemberReindex + ":" + memberID + ":" + strconv.FormatInt(version, 10)
	return asynq.NewTask(TypeMemberReindex, payload, asynq.TaskID(id), asynq.Queue(QueueIndex),
		asynq.MaxRetry(10), asynq.Timeout(5*time.Minute)), nil
}

// NewOutboxReconcileTask returns the task that enqueues again the work of
// listings whose index entry or matches lag behind their version.
func NewOutboxReconcileTask() *asynq.Task {
	return asynq.NewTask(TypeOutboxReconcile, nil, asynq.Queue(QueueDefault),
		asynq.MaxRetry(3), asynq.Timeout(5*time.Minute), asynq.Unique(time.Minute))
}

// NewTokensSweepTask returns the task that deletes expired API tokens.
func NewTokensSweepTask() *asynq.Task {
	return asynq.NewTask(TypeTokensSweep, nil, asynq.Queue(QueueLow),
		asynq.MaxRetry(3), asynq.Timeout(5*time.Minute), asynq.Unique(time.Minute))
}

// NewSessionsSweepTask returns the task that deletes the pages' expired
// sessions.
func NewSessionsSweepTask() *asynq.Task {
	return asynq.NewTask(TypeSessionsSweep, nil, asynq.Queue(QueueLow),
		asynq.MaxRetry(3), asynq.Timeout(5*time.Minute), asynq.Unique(time.Minute))
}

// parseListingPayload reads a listing task's payload; a bad one is not
// worth retrying.
func parseListingPayload(t *asynq.Task) (ListingPayload, error) {
	var p ListingPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ListingID == "" || p.Version < 1 {
		return p, fmt.Errorf("workers: bad %s payload %q: %w", t.Type(), t.Payload(), asynq.SkipRetry)
	}
	return p, nil
}

// ExportPayload names an export request a task builds.
type ExportPayload struct {
	Hash string `json:"hash"`
}

// NewExportBuildTask returns the task that builds a requested export of
// personal data. Its ID is unique per request.
func NewExportBuildTask(hash string) (*asynq.Task, error) {
	payload, err := json.Marshal(ExportPayload{Hash: hash})
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeExportBuild, payload, asynq.TaskID(TypeExportBuild+":"+hash), asynq.Queue(QueueLow),
		asynq.MaxRetry(5), asynq.Timeout(10*time.Minute)), nil
}
