# Flow 6: a return the warehouse received becomes, in BigCommerce, one
# refund per parcel that came back, for exactly that parcel's lines, its
# stock put back, an order metafield and a customer email; then the "Return
# Received" tag comes off. Each return label of an order (by tracking
# number) is a parcel of its own; an order without return labels is one
# parcel of every shipped line not refunded yet. A parcel is received when
# its own v2 return label's carrier tracking shows delivered (DE, with
# SHIPSTATION_V2_API_KEY set), or when the warehouse tags the order "Return
# Received" in ShipStation: a tag is on the order, not on a parcel, so it
# says everything the order's labels cover has come back, and every parcel
# not refunded yet is refunded. Both work a parcel's lines out the same way,
# so whichever comes first does the work and the other finds it done.
# BigCommerce refunds are not idempotent: a parcel's refund names its
# tracking number in its reason, the connector finds it by that, and the
# ledger guards the rest. A refund the payment provider refuses is dead at
# once, with BigCommerce's message, for a person to handle: nothing else
# happens for that parcel and the tag stays on. Stock goes back as
# inventory_mode says (see inventory.hcl).

variable "return_tag" {
  type    = string
  default = "Return Received"
}

variable "return_email_subject" {
  type    = string
  default = "Your return for order {{.order_id}} is refunded"
}

variable "return_email_text" {
  type    = string
  default = <<-EOT
    Hello {{.name}},

    We received your return for order {{.order_id}} and refunded {{.amount}}.
    It can take a few days to show on your statement.
  EOT
}

pipeline "returns" {
  description = "Returns received in ShipStation are refunded, restocked and mailed in BigCommerce."

  trigger "shipstation_poll" "received" {
    resource = "tagged_orders"
    tag      = var.return_tag
    schedule = var.reconcile_schedule
  }

  # v2 return labels delivered back to the warehouse, each with the order it
  # names (the order whose number is the label's shipment_number, else its
  # rma_number). Quiet without a v2 key.
  trigger "shipstation_poll" "delivered" {
    resource = "delivered_returns"
    schedule = var.reconcile_schedule
  }

  step "store" {
    action = bigcommerce.get_store
  }

  # The orders with a received return, by BigCommerce order id.
  transform "received" {
    for_each = {
      for o in trigger.orders : tostring(o.bigcommerce.order_id) => o
      if try(o.bigcommerce.store_hash == step.store.output.store_hash && o.bigcommerce.address_id == null, false)
    }
    value = each.value
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
  # is refunded yet (see return_parcels in docs/connectors.md). A delivered
  # label's run is due to refund that label's parcel; the tag's, every one.
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
    value    = each.value
  }

  # One refund per parcel due, quoted and paid the way the quote's first
  # method says. The parcel's ref goes into the refund's reason: a refund
  # naming it, or one a person made by hand for it (or for its declined
  # refund), is found instead.
  step "refund" {
    action    = bigcommerce.create_refund
    for_each  = { for k, p in transform.parcel : k => p if p.due && length(p.items) > 0 }
    on_error  = "continue"
    order_id  = each.value.order_id
    items     = each.value.items
    reason    = "Return received"
    reference = each.value.ref
  }

  # BigCommerce refunds never restock: the units of each parcel whose
  # refund went through go back, by SKU. A refund that failed (declined,
  # say) restocks nothing.
  transform "restock" {
    value = flatten([for k, p in transform.parcel : [for u in p.restock : merge(u, { note = p.note })] if contains(keys(step.refund), k)])
  }

  # Absolute mode: ShipStation's stock of the returned SKUs, read again
  # (the return is in it), becomes BigCommerce's, as in the inventory
  # pipeline. SKUs ShipStation keeps no stock for are left alone.
  step "stock" {
    action = shipstation.get_stock_levels
    when   = var.inventory_mode == "absolute" && length(transform.restock) > 0
    skus   = distinct([for u in transform.restock : u.sku])
  }

  step "set" {
    action      = bigcommerce.set_stock
    for_each    = step.stock.output == null ? {} : step.stock.output
    on_error    = "continue"
    sku         = each.key
    location_id = var.inventory_location
    quantity    = each.value
    reason      = "ShipStation stock after a return"
  }

  # Relative mode: the returned units are added, each refunded parcel's
  # once.
  step "restock" {
    action      = bigcommerce.adjust_stock
    for_each    = var.inventory_mode != "relative" ? {} : { for u in transform.restock : u.key => u }
    on_error    = "continue"
    sku         = each.value.sku
    location_id = var.inventory_location
    quantity    = each.value.quantity
    reference   = each.value.note
  }

  # The order's refunds that went through, oldest first, by order with a
  # parcel refunded.
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
    action = email.send
    for_each = {
      for k, r in step.refund : k => merge(transform.order[transform.parcel[k].order].billing_address, { order = transform.parcel[k].order, amount = r.output.total_amount })
      if coalesce(transform.order[transform.parcel[k].order].billing_address.email, "") != ""
    }
    on_error = "continue"
    key      = "return:${each.key}"
    to       = each.value.email
    subject  = var.return_email_subject
    text     = var.return_email_text
    data     = { order_id = each.value.order, name = each.value.first_name, amount = decimal(each.value.amount, 2) }
  }

  # The tag comes off once every parcel of the order is refunded (or has
  # nothing left to refund) and its customer mailed: a parcel whose refund
  # or email failed keeps it on, for the next run to finish or a person to
  # see.
  step "untag" {
    action = shipstation.remove_tag
    for_each = {
      for k, o in transform.received : k => o if contains(keys(transform.order), k) && length([
        for pk, p in transform.parcel : pk if p.order == k && !((p.settled || contains(keys(step.refund), pk))
        && (!contains(keys(step.refund), pk) || coalesce(transform.order[k].billing_address.email, "") == "" || contains(keys(step.email), pk)))
      ]) == 0
    }
    depends_on = [step.set, step.restock, step.record, step.email]
    orderId    = each.value.orderId
    tag        = var.return_tag
  }
}
