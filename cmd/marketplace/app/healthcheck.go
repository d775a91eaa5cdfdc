package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/hibiken/asynq"
)

// Healthcheck checks the health of this host's role, serve or worker, for
// a container whose image has no shell or curl. For serve it asks this
// machine's /healthz on HTTP_ADDR's port; for worker it looks in Redis for
// the heartbeat that the job workers of this host (the container) keep
// while they run. It returns an error when unhealthy.
func (m *Main) Healthcheck(ctx context.Context, role string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	switch role {
	case "serve":
		host, port, _ := net.SplitHostPort(m.Config.HTTPAddr) // checked by ParseConfig
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			host = "127.0.0.1"
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
		if err != nil {
			return err
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("healthcheck: %w", err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("healthcheck: /healthz answered %d", res.StatusCode)
		}
		return nil
	case "worker":
		if m.Config.RedisURL == "" {
			return errors.New("healthcheck: workers on the embedded queue run inside serve: check serve")
		}
		hostname, err := os.Hostname()
		if err != nil {
			return err
		}
		insp := asynq.NewInspector(m.RedisOpt())
		defer insp.Close()
		servers, err := insp.Servers()
		if err != nil {
			return fmt.Errorf("healthcheck: %w", err)
		}
		for _, s := range servers {
			if s.Host == hostname && s.Status == "active" {
				return nil
			}
		}
		return fmt.Errorf("healthcheck: no running workers of host %s in Redis", hostname)
	default:
		return fmt.Errorf("healthcheck: %q is neither serve nor worker", role)
	}
}
