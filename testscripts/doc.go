// Package testscripts runs tote's end-to-end scripts: txtar files under
// testscripts/<area>/ that drive the real CLI against local servers and
// assert on its output, on what the servers received, and on state.
package testscripts
