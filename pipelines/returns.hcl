# Flow 6: a return the warehouse received becomes, in BigCommerce, one
# refund per parcel that came back (shipstation.return_parcels works them
# out), its stock put back as inventory_mode says (see inventory.hcl), an
# order metafield and a customer email; then the "Return Received" tag comes
# off. A refund names its parcel in its reason, so it is found again; one the
# payment provider refuses is dead at once for a person, and the tag stays.

variable "return_tag" {
  type    = string
  default = "Return Received"
}

pipeline "returns" {
  description = "Returns received in ShipStation are refunded, restocked and mailed in BigCommerce."
  # One instance per enabled store, given the orders tote imported from it.
  for_each = connection.bigcommerce

  trigger "shipstation_poll" "received" {
    resource = "tagged_orders"
    tag      = var.return_tag
    schedule = var.reconcile_schedule
  }

  # v2 return labels delivered back (quiet without a v2 key).
  trigger "shipstation_poll" "delivered" {
    resource = "delivered_returns"
    schedule = var.reconcile_schedule
  }

  # The store's orders (their first address) with a received return.
  transform "received" {
    for_each = { for o in trigger.orders : tostring(o.bigcommerce.order_id) => o if o.bigcommerce.address_id == null }
    value    = each.value
  }

  step "orders" {
    action = bigcommerce.get_orders
    ids    = [for k, o in transform.received : tonumber(k)]
  }

  transform "order" {
    for_each = { for o in step.orders.output : tostring(o.id) => o if contains(keys(transform.received), tostring(o.id)) }
    value    = each.value
  }

  # The order's refunds so far: a parcel's names its reference.
  step "refunds" {
    action   = bigcommerce.list_refunds
    for_each = transform.order
    order_id = each.value.id
  }

  # The order's parcels, each with the refund lines it is due and whether it
  # is refunded yet (see return_parcels in docs/connectors.md).
  step "parcels" {
    action      = shipstation.return_parcels
    for_each    = transform.order
    orderId     = transform.received[each.key].orderId
    orderNumber = transform.received[each.key].orderNumber
    order       = each.value
    refunds     = step.refunds[each.key].output
    delivered   = trigger.return_labels
  }

  transform "parcel" {
    for_each = { for p in flatten([for k, s in step.parcels : s.output]) : p.key => p }
    value    = merge(each.value, { customer = transform.order[each.value.order].billing_address })
  }

  # One refund per parcel due, paid the way the quote's first method says.
  step "refund" {
    action    = bigcommerce.create_refund
    for_each  = { for k, p in transform.parcel : k => p if p.due && length(p.items) > 0 }
    on_error  = "continue"
    order_id  = each.value.order_id
    items     = each.value.items
    reason    = "Return received"
    reference = each.value.ref
  }

  # Refunds never restock: the units of each parcel refunded go back.
  transform "restock" {
    value = flatten([for k, p in transform.parcel : p.restock if contains(keys(step.refund), k)])
  }

  # Absolute mode: ShipStation's stock of the returned SKUs becomes BigCommerce's.
  module "stock" {
    source      = "./modules/stock.hcl"
    enabled     = var.inventory_mode == "absolute"
    skus        = distinct([for u in transform.restock : u.sku])
    location_id = var.inventory_location
    reason      = "ShipStation stock after a return"
  }

  # Relative mode: each refunded parcel's units are added once.
  step "restock" {
    action      = bigcommerce.adjust_stock
    for_each    = var.inventory_mode != "relative" ? {} : { for u in transform.restock : u.key => u }
    on_error    = "continue"
    sku         = each.value.sku
    location_id = var.inventory_location
    quantity    = each.value.quantity
    reference   = each.value.note
  }

  # By order with a parcel refunded, its refunds that went through, oldest first.
  transform "refunded" {
    for_each = { for k, r in step.refund : transform.parcel[k].order => r... }
    value = { for r in concat([for r in step.refunds[each.key].output : r if !r.declined],
      [for k, r in step.refund : r.output if transform.parcel[k].order == each.key]) : format("%012d", r.id) => r...
    }
  }

  step "record" {
    action   = bigcommerce.upsert_order_metafield
    for_each = transform.refunded
    order_id = transform.order[each.key].id
    key      = "return"
    value = jsonencode({ refunds = [for id, rs in each.value :
      { refund_id = rs[0].id, reference = rs[0].reference, amount = rs[0].total_amount, items = rs[0].items }
    ] })
  }

  # One email per parcel refunded.
  step "email" {
    action   = email.send
    for_each = { for k, r in step.refund : k => r if transform.parcel[k].customer.email != "" }
    on_error = "continue"
    key      = "return:${each.key}"
    to       = transform.parcel[each.key].customer.email
    subject  = var.return_email_subject
    text     = var.return_email_text
    data     = { order_id = transform.parcel[each.key].order, name = transform.parcel[each.key].customer.first_name, amount = decimal(each.value.output.total_amount, 2) }
  }

  # Orders with a parcel neither refunded nor settled, or refunded and not
  # mailed, keep their tag, for the next run to finish or a person to see.
  transform "unfinished" {
    value = [for k, p in transform.parcel : p.order if !(p.settled || contains(keys(step.refund), k))
    || (contains(keys(step.refund), k) && !contains(keys(step.email), k) && p.customer.email != "")]
  }

  step "untag" {
    action     = shipstation.remove_tag
    for_each   = { for k, o in transform.order : k => transform.received[k] if !contains(transform.unfinished, k) }
    depends_on = [module.stock, step.restock, step.record, step.email]
    orderId    = each.value.orderId
    tag        = var.return_tag
  }
}
