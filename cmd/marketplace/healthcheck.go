package main

import "context"

// Healthcheck runs `marketplace healthcheck [serve|worker]`, the health
// check of a container (app.Main.Healthcheck): serve unless told. It exits
// non-zero when unhealthy.
func (m *Main) Healthcheck(ctx context.Context, args []string) error {
	role := "serve"
	if len(args) > 0 {
		role = args[0]
	}
	return m.Main.Healthcheck(ctx, role)
}
