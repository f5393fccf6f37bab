// Package affinity keeps this process's threads to a set of CPUs, so that
// tote run's webhook intake can have a CPU the runs keep off while
// deliveries arrive.
package affinity

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Set is a set of CPUs by number, in increasing order without repeats.
type Set []int

// Parse reads a CPU list as Linux writes one ("3", "0-2,5").
func Parse(list string) (Set, error) {
	var s Set
	for part := range strings.SplitSeq(strings.TrimSpace(list), ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b < a || b >= maxCPU {
			return nil, fmt.Errorf("affinity: %q is not a CPU list such as 3 or 0-2,5", list)
		}
		for c := a; c <= b; c++ {
			s = append(s, c)
		}
	}
	slices.Sort(s)
	return slices.Compact(s), nil
}

// maxCPU bounds the CPU numbers Parse takes.
const maxCPU = 4096

// String writes s as Parse reads it, ranges joined.
func (s Set) String() string {
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j+1 < len(s) && s[j+1] == s[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(s[i]))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(s[j]))
		}
		i = j + 1
	}
	return b.String()
}

// Without is s less the CPUs in other.
func (s Set) Without(other Set) Set {
	var out Set
	for _, c := range s {
		if !slices.Contains(other, c) {
			out = append(out, c)
		}
	}
	return out
}

// Within reports whether every CPU of s is in other.
func (s Set) Within(other Set) bool { return len(s.Without(other)) == 0 }

// ErrUnsupported is returned where a process cannot choose its CPUs.
var ErrUnsupported = errors.ErrUnsupported

// Allowed is the set of CPUs this process may run on now.
func Allowed() (Set, error) { return allowed() }

// Keep keeps every thread of this process to the CPUs of s; threads
// started afterwards inherit it from the thread that starts them.
func Keep(s Set) error {
	if len(s) == 0 {
		return errors.New("affinity: no CPU to keep to")
	}
	return keep(s)
}
