package orderkey

import "testing"

func TestParse(t *testing.T) {
	addr := int64(7)
	for _, c := range []struct {
		key  string
		want *Key
	}{
		{"bc:abc123:100", &Key{StoreHash: "abc123", OrderID: 100}},
		{"bc:abc123:100:7", &Key{StoreHash: "abc123", OrderID: 100, AddressID: &addr}},
		{"100", nil},
		{"e896cd19be7342a488d07a53d1efd446", nil},
		{"bc::100", nil},
		{"bc:abc123:", nil},
		{"bc:abc123:0100", nil},
		{"bc:abc123:-1", nil},
		{"bc:abc123:+1", nil},
		{"bc:abc123:100:", nil},
		{"bc:abc123:100:7:1", nil},
		{"BC:abc123:100", nil},
		{"amazon:abc123:100", nil},
	} {
		got, ok := Parse(c.key)
		switch {
		case c.want == nil && ok:
			t.Errorf("Parse(%q) = %+v, want not tote's", c.key, got)
		case c.want != nil && !ok:
			t.Errorf("Parse(%q) refused", c.key)
		case c.want != nil && got.String() != c.key:
			t.Errorf("Parse(%q).String() = %q", c.key, got.String())
		}
	}
}

func TestStringValid(t *testing.T) {
	addr, zero := int64(7), int64(0)
	for _, c := range []struct {
		k     Key
		want  string
		valid bool
	}{
		{Key{StoreHash: "s", OrderID: 1}, "bc:s:1", true},
		{Key{StoreHash: "s", OrderID: 1, AddressID: &addr}, "bc:s:1:7", true},
		{Key{StoreHash: "", OrderID: 1}, "bc::1", false},
		{Key{StoreHash: "a:b", OrderID: 1}, "bc:a:b:1", false},
		{Key{StoreHash: "s", OrderID: 0}, "bc:s:0", false},
		{Key{StoreHash: "s", OrderID: 1, AddressID: &zero}, "bc:s:1:0", false},
	} {
		if got := c.k.String(); got != c.want {
			t.Errorf("%+v.String() = %q, want %q", c.k, got, c.want)
		}
		if got := c.k.Valid(); got != c.valid {
			t.Errorf("%+v.Valid() = %v, want %v", c.k, got, c.valid)
		}
		if _, ok := Parse(c.k.String()); ok != c.valid {
			t.Errorf("Parse(%q) ok = %v, want %v", c.k.String(), ok, c.valid)
		}
	}
}
