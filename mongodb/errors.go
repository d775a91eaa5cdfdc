package mongodb

import (
	"context"
	"errors"
	"fmt"
	"net"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/x/mongo/driver/topology"

	"cooptrade/marketplace"
)

// Wrap turns driver errors into application errors where the caller can
// act on them (an unreachable server is EUNAVAILABLE) and wraps the rest
// with what was being done. Callers handle mongo.ErrNoDocuments themselves.
func Wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if Unreachable(err) {
		return marketplace.Errorf(marketplace.EUNAVAILABLE, "The database is not reachable; try again shortly.")
	}
	return fmt.Errorf("mongo: "+format+": %w", append(args, err)...)
}

// Unreachable reports whether err says that no server could be reached:
// none was selected, a connection could not be dialled, or time ran out.
// A connection that broke during an operation is not enough: a server
// that drops the connection of one bad query is reachable, and saying
// otherwise would hide the bad query behind a 503.
func Unreachable(err error) bool {
	var sse topology.ServerSelectionError
	if errors.As(err, &sse) || errors.Is(err, mongo.ErrClientDisconnected) ||
		errors.Is(err, context.DeadlineExceeded) || mongo.IsTimeout(err) {
		return true
	}
	var op *net.OpError
	return mongo.IsNetworkError(err) && errors.As(err, &op) && op.Op == "dial"
}

// NotFound is the ENOTFOUND error of a missing document.
func NotFound(what string) error {
	return marketplace.Errorf(marketplace.ENOTFOUND, "No such %s.", what)
}

// Stale is the EPRECONDITION error of a write naming an old version.
func Stale(what string, version int64) error {
	return marketplace.Errorf(marketplace.EPRECONDITION, "The %s has changed since version %d; fetch it again.", what, version)
}
