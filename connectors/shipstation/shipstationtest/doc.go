// Package shipstationtest is a fake ShipStation server for tests, for
// `tote sandbox` and for users who test their own pipelines. It speaks the
// v1 API (Basic auth, orders, shipments, fulfillments, products, account
// lists, thin webhooks, Pacific-time dates, 40 requests a minute) and a v2
// subset (API-Key auth, 200 requests a minute: inventory, labels with
// return labels and tracking, shipments by id), as documented in the
// ShipStation reference. Its JSON models are its own, written from that
// reference, so that a field name spelt wrong in a client fails against it.
//
// Simulation verbs under /_sim/ stand in for what people do in the
// ShipStation UI (buy a label, void it, receive a return, hold or cancel an
// order, count stock), for carrier scans (move a v2 label's tracking) and
// for the shared fault and clock controls. The same verbs are methods on
// Server for Go tests.
//
// Where the reference marks a behaviour as inferred, Options has a knob.
package shipstationtest
