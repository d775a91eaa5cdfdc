package workers

import (
	"fmt"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// ParseRedisURL reads REDIS_URL: redis://, rediss:// (TLS),
// redis-socket:// or redis-sentinel://, as asynq understands them.
func ParseRedisURL(url string) (asynq.RedisConnOpt, error) {
	opt, err := asynq.ParseRedisURI(url)
	if err != nil {
		return nil, fmt.Errorf("workers: REDIS_URL: %w", err)
	}
	return opt, nil
}

// NewRedisClient returns a Redis client for opt, for the parts of the
// service that use Redis beside the queue (the candidate pool).
func NewRedisClient(opt asynq.RedisConnOpt) redis.UniversalClient {
	return opt.MakeRedisClient().(redis.UniversalClient)
}

// EmbeddedRedis is miniredis running in this process: the queue of a
// one-machine install. It keeps nothing across restarts, which the
// reconciler makes up for by enqueuing again, at start, whatever work the
// database says is still to do.
type EmbeddedRedis struct {
	server *miniredis.Miniredis
}

// StartEmbeddedRedis starts miniredis on a free loopback port.
func StartEmbeddedRedis() (*EmbeddedRedis, error) {
	s := miniredis.NewMiniRedis()
	if err := s.Start(); err != nil {
		return nil, fmt.Errorf("workers: start embedded redis: %w", err)
	}
	return &EmbeddedRedis{server: s}, nil
}

// Opt returns the options to connect asynq to it.
func (r *EmbeddedRedis) Opt() asynq.RedisConnOpt {
	return asynq.RedisClientOpt{Addr: r.server.Addr()}
}

// Close stops it.
func (r *EmbeddedRedis) Close() error {
	r.server.Close()
	return nil
}
