package workers

import (
	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
)

// NewQueueMonitor returns asynqmon, the web UI of the queues, served under
// root (e.g. "/staff/queues"). The caller guards who may reach it and
// closes it.
func NewQueueMonitor(opt asynq.RedisConnOpt, root string) *asynqmon.HTTPHandler {
	return asynqmon.New(asynqmon.Options{RootPath: root, RedisConnOpt: opt})
}
