package intake

import "crypto/sha256"

// keyHash names a delivery's (pipeline, trigger, key) in 16 bytes: a
// SHA-256 prefix, so that two keys meet only by a chance too small to
// plan for (a delivery taken for a duplicate would not be journalled).
type keyHash [16]byte

func hashKey(pipeline, trigger, key string) keyHash {
	h := sha256.New()
	for _, s := range []string{pipeline, trigger, key} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var k keyHash
	copy(k[:], h.Sum(nil))
	return k
}

// keySet holds the last n keys added.
type keySet struct {
	held  map[keyHash]struct{}
	order []keyHash // a ring, oldest at next once full
	next  int
}

func newKeySet(n int) keySet {
	return keySet{held: make(map[keyHash]struct{}), order: make([]keyHash, 0, n)}
}

func (s *keySet) has(k keyHash) bool {
	_, ok := s.held[k]
	return ok
}

// add holds k, forgetting the oldest key when n are held.
func (s *keySet) add(k keyHash) {
	if s.has(k) {
		return
	}
	if len(s.order) < cap(s.order) {
		s.order = append(s.order, k)
	} else {
		delete(s.held, s.order[s.next])
		s.order[s.next] = k
		s.next = (s.next + 1) % len(s.order)
	}
	s.held[k] = struct{}{}
}
