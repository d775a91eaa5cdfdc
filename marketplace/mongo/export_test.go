package mongo

// What the external tests read of the package's insides.

// CollectionNames are the collections stores.go declares.
func CollectionNames() []string {
	names := make([]string, 0, len(collections))
	for name := range collections {
		names = append(names, name)
	}
	return names
}

// WithoutPersonalData are the collections declared to hold nothing about people.
var WithoutPersonalData = withoutPersonalData

// PersonalCollections names, for each collection a store covers, the
// stores that cover it.
func (s *Stores) PersonalCollections() map[string]int {
	covered := map[string]int{}
	for _, p := range s.personalStores() {
		for _, c := range p.personalCollections() {
			covered[c]++
		}
	}
	return covered
}
