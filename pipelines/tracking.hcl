# Flow 3: ShipStation shipments become BigCommerce shipments with exactly
# their items and tracking (BigCommerce then emails the customer); a voided
# label removes its shipment; cost, carrier, service and ship date are kept
# in order metafields for reporting. Marked-as-shipped orders (fulfillments)
# ship their remaining lines.

# The BigCommerce connector maps ShipStation carrier codes to a
# shipping_provider or an AfterShip tracking_carrier slug (a code it does not
# know ships with neither, named in the shipment's comments). Entries here
# replace its mapping for a carrier code, e.g.
# { "my_courier" = { provider = "", slug = "ontrac" } }.
variable "carrier_overrides" {
  type    = map(object({ provider = string, slug = string }))
  default = {}
}

pipeline "tracking" {
  description = "ShipStation shipments become BigCommerce shipments with tracking; voids remove them."
  # One instance per enabled BigCommerce store, each given the shipments of
  # the orders tote imported from it (by their orderKey).
  for_each = connection.bigcommerce

  trigger "shipstation_webhook" "shipped" {
    events = ["SHIP_NOTIFY"]
  }

  trigger "shipstation_poll" "shipments" {
    resource = "shipments"
    schedule = var.reconcile_schedule
  }

  trigger "shipstation_poll" "fulfillments" {
    resource = "fulfillments"
    schedule = var.reconcile_schedule
  }

  # Return labels are not shipments to the customer.
  transform "shipments" {
    for_each = { for s in trigger.shipments : tostring(s.shipmentId) => s if !coalesce(s.isReturnLabel, false) }
    value = {
      order_id         = each.value.bigcommerce.order_id
      order_address_id = each.value.bigcommerce.address_id
      tracking_number  = each.value.trackingNumber
      voided           = coalesce(each.value.voided, false)
      items            = [for i in coalesce(each.value.shipmentItems, []) : { order_product_id = tonumber(i.lineItemKey), quantity = i.quantity } if can(tonumber(i.lineItemKey))]
      carrier          = coalesce(each.value.carrierCode, "")
      service          = coalesce(each.value.serviceCode, "")
      report = jsonencode({
        shipment_id = each.value.shipmentId
        tracking    = each.value.trackingNumber
        carrier     = each.value.carrierCode
        service     = each.value.serviceCode
        cost        = each.value.shipmentCost
        ship_date   = each.value.shipDate
        voided      = coalesce(each.value.voided, false)
      })
    }
  }

  step "ship" {
    action            = bigcommerce.create_shipment
    for_each          = { for k, s in transform.shipments : k => s if !s.voided && length(s.items) > 0 }
    on_error          = "continue"
    order_id          = each.value.order_id
    order_address_id  = each.value.order_address_id
    tracking_number   = each.value.tracking_number
    items             = each.value.items
    carrier_code      = each.value.carrier
    shipping_provider = try(var.carrier_overrides[each.value.carrier].provider, null)
    tracking_carrier  = try(var.carrier_overrides[each.value.carrier].slug, null)
    shipping_method   = each.value.service
  }

  # A shipment recorded after a refund (a return back before tote recorded
  # the shipment) moves BigCommerce to Shipped: a refunded order stays
  # Refunded, or Partially Refunded.
  step "shipped_orders" {
    action = bigcommerce.get_orders
    when   = length(step.ship) > 0
    # Read after the shipments are made: their outputs are known only then.
    ids = distinct([for k, s in step.ship : transform.shipments[k].order_id if s.output != null])
  }

  step "keep_refunded" {
    action = bigcommerce.update_order
    for_each = { for o in coalesce(step.shipped_orders.output, []) : tostring(o.id) => o
    if contains([2, 3], o.status_id) && length([for l in o.lines : l if l.quantity_refunded > 0]) > 0 }
    on_error  = "continue"
    order_id  = each.value.id
    status_id = length([for l in each.value.lines : l if l.quantity_refunded < l.quantity]) == 0 ? 4 : 14
  }

  step "void" {
    action          = bigcommerce.delete_shipment
    for_each        = { for k, s in transform.shipments : k => s if s.voided }
    on_error        = "continue"
    order_id        = each.value.order_id
    tracking_number = each.value.tracking_number
  }

  step "report" {
    action     = bigcommerce.upsert_order_metafield
    for_each   = transform.shipments
    on_error   = "continue"
    depends_on = [step.ship, step.void]
    order_id   = each.value.order_id
    key        = "shipment:${each.key}"
    value      = each.value.report
  }

  # Marked as shipped in ShipStation: no label, no items; the order's lines
  # not shipped yet go out under the fulfillment's tracking number.
  step "fulfilled_orders" {
    action = bigcommerce.get_orders
    ids    = [for f in trigger.fulfillments : f.bigcommerce.order_id if !coalesce(f.voided, false)]
  }

  transform "fulfillments" {
    for_each = { for f in trigger.fulfillments : tostring(f.fulfillmentId) => f if !coalesce(f.voided, false) }
    value = {
      order_id        = each.value.bigcommerce.order_id
      tracking_number = coalesce(each.value.trackingNumber, "ss-fulfillment-${each.value.fulfillmentId}")
      carrier         = coalesce(each.value.carrierCode, "")
      items = flatten([for o in step.fulfilled_orders.output : [
        for l in o.lines : { order_product_id = l.id, quantity = l.quantity - l.quantity_shipped }
        if l.quantity > l.quantity_shipped
      ] if o.id == each.value.bigcommerce.order_id])
    }
  }

  step "fulfill" {
    action            = bigcommerce.create_shipment
    for_each          = { for k, f in transform.fulfillments : k => f if length(f.items) > 0 }
    on_error          = "continue"
    order_id          = each.value.order_id
    tracking_number   = each.value.tracking_number
    items             = each.value.items
    carrier_code      = each.value.carrier
    shipping_provider = try(var.carrier_overrides[each.value.carrier].provider, null)
    tracking_carrier  = try(var.carrier_overrides[each.value.carrier].slug, null)
  }
}
