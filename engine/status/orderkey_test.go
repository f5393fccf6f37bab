package status

import "testing"

// Only keys tote writes name an order: another channel's key that happens
// to have the same shape around the id does not.
func TestOrderKeyNames(t *testing.T) {
	for _, c := range []struct {
		key, q string
		want   bool
	}{
		{"bc:store:101", "101", true},
		{"bc:store:101:7", "101", true},
		{"bc:store:1101", "101", false},
		{"bc:store:101", "7", false},
		{"bc::101", "101", false},
		{"bc:store:101:7:1", "101", false},
		{"bc:store:101:x", "101", false},
		{"amazon:store:101", "101", false},
	} {
		if got := orderKeyNames(c.key, c.q); got != c.want {
			t.Errorf("orderKeyNames(%q, %q) = %v, want %v", c.key, c.q, got, c.want)
		}
	}
}
