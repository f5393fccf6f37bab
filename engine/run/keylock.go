package run

import "sync"

// keyLock serialises work per key: two runs writing the same record (a
// webhook and a poll reporting one shipment, say) take turns, and the
// second plans against what the first wrote.
type keyLock struct {
	mu      sync.Mutex
	holders map[string]*keyHolder
}

type keyHolder struct {
	mu      sync.Mutex
	waiting int
}

// Lock takes key's lock and returns its release.
func (k *keyLock) Lock(key string) func() {
	k.mu.Lock()
	if k.holders == nil {
		k.holders = map[string]*keyHolder{}
	}
	h := k.holders[key]
	if h == nil {
		h = &keyHolder{}
		k.holders[key] = h
	}
	h.waiting++
	k.mu.Unlock()
	h.mu.Lock()
	return func() {
		h.mu.Unlock()
		k.mu.Lock()
		if h.waiting--; h.waiting == 0 {
			delete(k.holders, key)
		}
		k.mu.Unlock()
	}
}
