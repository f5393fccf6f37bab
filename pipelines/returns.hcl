# Flow 6: a return the warehouse received becomes, in BigCommerce, one
# refund for exactly the returned lines, stock put back, an order metafield
# and a customer email; then the "Return Received" tag comes off. A return
# is received when the warehouse tags the order "Return Received" in
# ShipStation, or (with SHIPSTATION_V2_API_KEY set) when a v2 return label's
# carrier tracking shows delivered (DE). Both feed the same steps, and the
# returned lines are worked out the same way for either, so whichever comes
# first does the work and the other finds it done. BigCommerce refunds are
# not idempotent: the connector finds an existing refund for the same lines,
# and the ledger guards the rest. A refund the payment provider refuses is
# dead at once, with BigCommerce's message, for a person to handle: nothing
# else happens for that order and the tag stays on. Stock goes back as
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
      for o in coalesce(trigger.orders, []) : split(":", o.orderKey)[2] => o
      if length(regexall("^bc:${step.store.output.store_hash}:[0-9]+$", coalesce(o.orderKey, ""))) > 0
    }
    value = each.value
  }

  # The order's return labels (v1 return shipments and, with a v2 key, the
  # v2 return labels naming it), whichever trigger fired: the same answer
  # for the tag and for a delivered label. Every live return label counts,
  # delivered yet or not.
  step "labels" {
    action      = shipstation.list_return_labels
    for_each    = transform.received
    orderId     = each.value.orderId
    orderNumber = each.value.orderNumber
  }

  # The units on the return labels, by order line (lineItemKey is the
  # BigCommerce order product id).
  transform "units" {
    for_each = transform.received
    value    = { for i in flatten([for l in step.labels[each.key].output : l.items]) : i.lineItemKey => i.quantity... }
  }

  step "orders" {
    action = bigcommerce.get_orders
    ids    = [for k, o in transform.received : tonumber(k)]
  }

  # The returned lines: the return labels' units (at most what shipped),
  # else every shipped line.
  transform "returned" {
    for_each = { for o in step.orders.output : tostring(o.id) => o if contains(keys(transform.received), tostring(o.id)) }
    value = {
      order_id = each.value.id
      email    = each.value.billing_address.email
      name     = each.value.billing_address.first_name
      items = (length(transform.units[each.key]) > 0
        ? [for l in each.value.lines : { item_id = l.id, item_type = "PRODUCT", quantity = min(sum(transform.units[each.key][tostring(l.id)]), l.quantity_shipped), amount = null, reason = "Returned" }
        if contains(keys(transform.units[each.key]), tostring(l.id)) && l.quantity_shipped > 0]
        : [for l in each.value.lines : { item_id = l.id, item_type = "PRODUCT", quantity = l.quantity_shipped, amount = null, reason = "Returned" }
      if l.quantity_shipped > 0])
      skus = { for l in each.value.lines : tostring(l.id) => l.sku }
    }
  }

  # One refund per order, quoted and paid the way the quote's first method
  # says. A refund of the same lines that went through is found instead.
  step "refund" {
    action   = bigcommerce.create_refund
    for_each = transform.returned
    on_error = "continue"
    order_id = each.value.order_id
    items    = each.value.items
    reason   = "Return received"
  }

  # BigCommerce refunds never restock: the units of each refund that went
  # through go back. A refund that failed (declined, say) restocks nothing.
  transform "restock" {
    value = flatten([for k, r in transform.returned : [for i in r.items : {
      key = "${k}:${i.item_id}", sku = r.skus[tostring(i.item_id)], quantity = i.quantity, order = k
    } if r.skus[tostring(i.item_id)] != ""] if contains(keys(step.refund), k)])
  }

  # Absolute mode: ShipStation's stock of the returned SKUs, read again
  # (the return is in it), becomes BigCommerce's, as in the inventory
  # pipeline. SKUs ShipStation keeps no stock for are left alone.
  step "stock" {
    action = shipstation.get_inventory
    when   = var.inventory_mode == "absolute" && length(transform.restock) > 0
    skus   = distinct([for u in transform.restock : u.sku])
  }

  transform "levels" {
    for_each = step.stock.output == null ? {} : {
      for sku in distinct([for l in step.stock.output : l.sku]) : sku => sum(concat([0], [for l in step.stock.output : l.available if l.sku == sku]))
    }
    value = each.value
  }

  step "set" {
    action      = bigcommerce.set_stock
    for_each    = transform.levels
    on_error    = "continue"
    sku         = each.key
    location_id = var.inventory_location
    quantity    = each.value
    reason      = "ShipStation stock after a return"
  }

  # Relative mode: the returned units are added, each refunded line once.
  step "restock" {
    action      = bigcommerce.adjust_stock
    for_each    = var.inventory_mode != "relative" ? {} : { for u in transform.restock : u.key => u }
    on_error    = "continue"
    sku         = each.value.sku
    location_id = var.inventory_location
    quantity    = each.value.quantity
    reference   = "return of order ${each.value.order}"
  }

  step "record" {
    action   = bigcommerce.upsert_order_metafield
    for_each = step.refund
    order_id = each.value.output.order_id
    key      = "return"
    value    = jsonencode({ refund_id = each.value.output.id, amount = each.value.output.total_amount, items = each.value.output.items })
  }

  step "email" {
    action   = email.send
    for_each = { for k, r in step.refund : k => r if coalesce(transform.returned[k].email, "") != "" }
    on_error = "continue"
    key      = "return:${each.key}"
    to       = transform.returned[each.key].email
    subject  = var.return_email_subject
    text     = var.return_email_text
    data     = { order_id = each.key, name = transform.returned[each.key].name, amount = decimal(each.value.output.total_amount, 2) }
  }

  step "untag" {
    action     = shipstation.remove_tag
    for_each   = step.refund
    depends_on = [step.set, step.restock, step.record, step.email]
    orderId    = transform.received[each.key].orderId
    tag        = var.return_tag
  }
}
