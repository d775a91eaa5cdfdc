package app

import (
	"context"
	"fmt"
	"strings"

	"cooptrade/marketplace/mongo"
	"cooptrade/mongodb"
	paymongo "cooptrade/payments/mongo"
)

// migrations are every store's changes of its documents between schema
// versions.
func migrations() []mongodb.Migration {
	return append(mongo.Migrations(), paymongo.Migrations()...)
}

// Migrate brings the database's documents to this program's schema
// version (mongodb.SchemaVersion), or with dryRun says what it would do;
// an error, changing nothing, when the database is newer than the
// program. It opens the database if need be.
func (m *Main) Migrate(ctx context.Context, dryRun bool) (mongodb.MigrationPlan, error) {
	if m.DB == nil {
		if err := m.openDB(ctx); err != nil {
			return mongodb.MigrationPlan{}, err
		}
	}
	return m.DB.Migrate(ctx, migrations(), dryRun)
}

// migrateAtStart upgrades the database before anything reads it, and
// refuses to go on with a database written by a newer program.
func (m *Main) migrateAtStart(ctx context.Context) error {
	plan, err := m.Migrate(ctx, false)
	if err != nil {
		return err
	}
	if plan.From != plan.To {
		m.Logger.Info("database upgraded", "from_schema", plan.From, "to_schema", plan.To, "steps", len(plan.Steps))
	}
	return nil
}

// DescribePlan writes a migration plan for people, one line a step.
func DescribePlan(plan mongodb.MigrationPlan) string {
	var b strings.Builder
	switch {
	case plan.From == plan.To:
		fmt.Fprintf(&b, "the database is at schema version %d, this program's: nothing to do\n", plan.To)
	default:
		fmt.Fprintf(&b, "the database is at schema version %d; this program's is %d\n", plan.From, plan.To)
		for _, s := range plan.Steps {
			fmt.Fprintf(&b, "  to version %d: %-18s %6d document(s): %s\n", s.Version, s.Collection, s.Documents, s.Summary)
		}
	}
	return b.String()
}
