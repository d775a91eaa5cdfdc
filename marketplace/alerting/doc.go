// Package alerting runs the saved searches ("alerts") of the marketplace's
// users: it evaluates each published listing against every alert (from a
// compiled cache that is reloaded only when an alert changes), stores the
// hits, sends instant alerts, and sends the daily and weekly digests. The
// job workers call it. Saving, changing and removing alerts are use cases
// of package marketplace.
//
// It imports only the domain (package marketplace): storage, the reading
// of queries and the sending of notifications come through the service.
package alerting
