package worker

// stackReserve is how much stack a runner keeps in use while it waits
// for its next item: about half of what a run grows it to.
const stackReserve = 16 << 10

// keepStack runs f below a frame of stackReserve bytes. The garbage
// collector halves the stack of a goroutine that uses less than a quarter
// of it, so a runner waiting between two items lost the stack its last run
// had grown at every collection, and its next run grew it again, copying
// it at each doubling (several copies a run). Waiting with this frame in
// use, a runner keeps a stack a run fits in.
//
//go:noinline
func keepStack(f func()) {
	var reserve [stackReserve]byte
	use(&reserve)
	f()
}

// use keeps reserve on the stack; it must not let it escape.
//
//go:noinline
func use(*[stackReserve]byte) {}
