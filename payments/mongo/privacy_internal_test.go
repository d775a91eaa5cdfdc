package mongo

import "testing"

// TestPersonalDataCovered holds each of payments' collections to account:
// exported and erased by a store, or declared to hold no personal data.
func TestPersonalDataCovered(t *testing.T) {
	covered := map[string]bool{accountsCollection: true, applicationsCollection: true}
	for name := range collections {
		_, without := withoutPersonalData[name]
		if covered[name] == without {
			t.Errorf("collection %s: covered %v, declared without personal data %v; want exactly one", name, covered[name], without)
		}
	}
}
