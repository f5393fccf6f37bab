package intake

import (
	"os"
	"time"
)

// The intake process is tote run itself, started again with these
// variables set; it finds its listener and its report pipe at these file
// descriptors (os/exec's ExtraFiles start at 3).
const (
	envJournal  = "TOTE_INTAKE_JOURNAL"
	envUpstream = "TOTE_INTAKE_UPSTREAM"
	envCPUs     = "TOTE_INTAKE_CPUS"
	listenerFD  = 3
	reportFD    = 4
)

// RemoteAddrHeader carries a client's address from the intake process to
// the serving process's own server, whose clients are otherwise all the
// intake process on loopback (the status page lets loopback clients in
// without a token).
const RemoteAddrHeader = "X-Tote-Intake-Remote-Addr"

// ReportsHeader carries, on a request the intake process passes on, how
// many reports it had queued before it: the serving process reads that
// many before it answers, so /metrics counts every delivery the intake
// answered before the scrape (the reports are otherwise asynchronous).
const ReportsHeader = "X-Tote-Intake-Reports"

// message is a line the intake process reports on its pipe, as JSON.
type message struct {
	Ready     bool       `json:"ready,omitempty"`
	Delivered *delivered `json:"delivered,omitempty"`
	Rejected  *rejected  `json:"rejected,omitempty"`
}

type delivered struct {
	Pipeline   string        `json:"pipeline"`
	Trigger    string        `json:"trigger"`
	Accepted   int           `json:"accepted"`
	Duplicates int           `json:"duplicates"`
	Took       time.Duration `json:"took"`
}

type rejected struct {
	Path   string `json:"path"`
	Status int    `json:"status"`
	Reason string `json:"reason"`
}

// Control lines from the serving process, on the intake process's stdin:
// "forget LANE N" drops the lane's payloads up to N. The end of stdin stops the intake.
const forgetCommand = "forget"

// childFile is the inherited descriptor fd.
func childFile(fd int, name string) *os.File { return os.NewFile(uintptr(fd), name) }
