package shipstation

import (
	"sync"
	"time"
)

// An orderIndex remembers what complete listings of order-number prefixes
// proved absent, so that a burst of new orders costs one lookup per range
// of numbers rather than one per batch of runs.
//
// A listing of every order whose number starts with p, read in full at
// time t, proves that an orderKey it did not contain did not exist at t.
// Only tote writes the keys it looks up (bc:<store>:<id>), and it notes
// each key it writes or sees, so the proof holds for a key until tote
// itself touches it. Proofs still expire after absentTTL, in case another
// process writes the same keys; even then createorders upserts by
// orderKey, so a stale proof can turn an update into a "create" in a plan
// but never duplicate an order.
//
// The index also keeps the last known number of orders under each prefix
// it listed, so lookups ask for the widest prefix that fits in one page.
type orderIndex struct {
	now func() time.Time

	mu      sync.Mutex
	listed  map[string]time.Time // prefix -> start of its last complete listing
	sizes   map[string]int       // prefix -> orders under it, last known
	touched map[string]time.Time // orderKey -> when tote last saw or wrote it
	pruned  time.Time            // when touched was last pruned
	// prune is how many keys make touched pruned before absentTTL is up:
	// maxTouched, or twice what the last pruning kept, so that keys all
	// too young to forget are not scanned again at every touch.
	prune int
}

// absentTTL bounds how long a complete listing proves keys absent.
const absentTTL = 5 * time.Minute

// maxTouched is how many keys the index keeps before pruning old ones.
const maxTouched = 100000

func newOrderIndex(now func() time.Time) *orderIndex {
	return &orderIndex{now: now, listed: map[string]time.Time{}, sizes: map[string]int{}, touched: map[string]time.Time{}}
}

// absent reports whether a fresh complete listing proves that no order has
// orderKey key; number is the order's number (or what it starts with).
func (x *orderIndex) absent(key, number string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	now := x.now()
	touched, seen := x.touched[key]
	for i := 0; i <= len(number); i++ {
		t, ok := x.listed[number[:i]]
		if ok && now.Sub(t) < absentTTL && (!seen || touched.Before(t)) {
			return true
		}
	}
	return false
}

// widest returns the shortest prefix of prefix that is not known to match
// more than one page of orders; prefix itself when every shorter one is.
func (x *orderIndex) widest(prefix string) string {
	x.mu.Lock()
	defer x.mu.Unlock()
	for i := 0; i < len(prefix); i++ {
		if n, ok := x.sizes[prefix[:i]]; !ok || n <= pageSize {
			return prefix[:i]
		}
	}
	return prefix
}

// large reports whether prefix is known to match more than one page.
func (x *orderIndex) large(prefix string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.sizes[prefix] > pageSize
}

// sized records how many orders, over how many pages, a listing of prefix
// reported.
func (x *orderIndex) sized(prefix string, total, pages int) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if pages > 1 {
		total = max(total, pageSize+1) // ShipStation may page smaller than asked
	}
	x.sizes[prefix] = total
}

// listedAt records that every order under prefix was read by a listing
// that started at t, and the keys it found.
func (x *orderIndex) listedAt(prefix string, t time.Time, keys []string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.listed[prefix] = t
	for _, k := range keys {
		x.touch(k, t)
	}
}

// writing notes that tote is about to send the order with orderKey key;
// created says whether it is new, which grows the prefixes it falls under.
func (x *orderIndex) writing(key, number string, created bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.touch(key, x.now())
	if !created {
		return
	}
	for i := 0; i <= len(number); i++ {
		if n, ok := x.sizes[number[:i]]; ok {
			x.sizes[number[:i]] = n + 1
		}
	}
}

// touch needs x.mu. Keys last touched before every fresh listing began can
// be forgotten: a listing that found them would have touched them again.
// They are, every absentTTL, so that the keys kept follow the rate of
// reads and writes, not the size of the account.
func (x *orderIndex) touch(key string, t time.Time) {
	if now := x.now(); len(x.touched) >= max(x.prune, maxTouched) || now.Sub(x.pruned) >= absentTTL {
		cutoff := now.Add(-absentTTL)
		for k, at := range x.touched {
			if at.Before(cutoff) {
				delete(x.touched, k)
			}
		}
		x.pruned, x.prune = now, 2*len(x.touched)
	}
	if at, ok := x.touched[key]; !ok || t.After(at) {
		x.touched[key] = t
	}
}
