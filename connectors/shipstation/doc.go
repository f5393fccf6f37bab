// Package shipstation is tote's ShipStation connector ("shipstation"). It
// speaks the v1 API (Basic auth: orders, shipments, fulfillments, products,
// tags, stores, warehouses, webhooks) and the v2 inventory API (API-Key),
// converting between ShipStation's offset-less US Pacific timestamps and the
// RFC 3339 times pipelines use.
//
// Every call goes through the shared rate budget of its credential
// (connectors/budget), following ShipStation's X-Rate-Limit-* headers (v1)
// and Retry-After (v2). Order upserts from concurrent runs are coalesced
// into /orders/createorders calls of up to 100 orders, and the reads that
// plan them are coalesced into a few /orders list calls.
//
// ShipStation's webhooks are unsigned and carry only a resource_url, so the
// webhook trigger checks a secret token in the delivery URL, fetches the
// resource (from an allow-listed host only) and turns it into events.
package shipstation
