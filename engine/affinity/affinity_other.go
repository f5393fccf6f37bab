//go:build !linux

package affinity

func allowed() (Set, error) { return nil, ErrUnsupported }

func keep(Set) error { return ErrUnsupported }
