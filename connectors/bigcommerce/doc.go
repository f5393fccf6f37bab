// Package bigcommerce is tote's BigCommerce connector ("bigcommerce"). It
// talks to the v2 and v3 REST APIs with the store's access token, paces every
// call through a rate budget shared by all connections using the same
// credential, coalesces reads of many orders into few list calls, and plans
// each write against the store's current record so a write that landed is
// never made twice. Its webhook trigger verifies Standard Webhooks
// signatures and a shared header secret; its poll trigger sweeps by
// date_modified with a cursor; as a Subscriber it keeps the store's hooks in
// step with the pipelines that need them.
package bigcommerce
