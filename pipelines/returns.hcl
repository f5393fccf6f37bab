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

  # The order's return labels (v1 return shipments and, with a v2 key, the
  # v2 return labels naming it), whichever trigger fired: the same answer
  # for the tag and for a delivered label.
  step "labels" {
    action      = shipstation.list_return_labels
    for_each    = transform.received
    orderId     = each.value.orderId
    orderNumber = each.value.orderNumber
  }

  step "orders" {
    action = bigcommerce.get_orders
    ids    = [for k, o in transform.received : tonumber(k)]
  }

  transform "order" {
    for_each = { for o in step.orders.output : tostring(o.id) => o if contains(keys(transform.received), tostring(o.id)) }
    value    = each.value
  }

  # What left the warehouse, by order line: ShipStation's labels for the
  # order, or BigCommerce's shipped quantities when they say more (orders
  # marked as shipped). BigCommerce may not have recorded a shipment yet
  # when its return comes back (tote was down, say): its return is still
  # refunded, not taken for nothing to refund.
  step "outbound" {
    action        = shipstation.list_shipments
    for_each      = transform.received
    orderId       = each.value.orderId
    includeVoided = false
  }

  transform "shipped" {
    for_each = transform.order
    value = { for l in each.value.lines : tostring(l.id) => max(l.quantity_shipped, sum(concat([0], flatten([
      for sh in step.outbound[each.key].output : [for i in coalesce(sh.shipmentItems, []) : i.quantity if i.lineItemKey == tostring(l.id)]
      if !coalesce(sh.isReturnLabel, false)
    ])))) }
  }

  # The order's refunds so far: a parcel's names its tracking number.
  step "refunds" {
    action   = bigcommerce.list_refunds
    for_each = transform.order
    order_id = each.value.id
  }

  # The delivered labels this run is for; none when the tag fired.
  transform "delivered" {
    value = {
      any      = length(trigger.return_labels) > 0
      ids      = [for t in trigger.return_labels : t.labelId if coalesce(t.labelId, "") != ""]
      tracking = [for t in trigger.return_labels : t.trackingNumber if coalesce(t.trackingNumber, "") != ""]
    }
  }

  # The order's parcels: one per return label, named by its tracking number
  # (else its label or shipment id), with the units on it by order line
  # (lineItemKey is the BigCommerce order product id); or, without labels,
  # one named "order <id>". A delivered label's run is due to refund that
  # label's parcel; the tag's run, every parcel.
  transform "parcels" {
    for_each = transform.order
    value = concat([for l in step.labels[each.key].output : {
      order = each.key
      label = true
      ref = (coalesce(l.trackingNumber, "") != "" ? l.trackingNumber
      : coalesce(l.labelId, "") != "" ? "label ${l.labelId}" : "shipment ${coalesce(l.shipmentId, 0)}")
      units = { for i in l.items : i.lineItemKey => i.quantity... }
      due = (!transform.delivered.any || contains(transform.delivered.ids, coalesce(l.labelId, ""))
      || contains(transform.delivered.tracking, coalesce(l.trackingNumber, "")))
      }], length(step.labels[each.key].output) > 0 ? [] : [{
      order = each.key, label = false, ref = "order ${each.key}", units = {}, due = true
    }])
  }

  # Each parcel, by "<order>:<ref>" ("<order>" without labels), with what
  # it holds by order line: the label's units, at most what shipped; every
  # shipped unit for a label that lists no items, or without labels.
  transform "parcel" {
    for_each = { for p in flatten(values(transform.parcels)) : (p.label ? "${p.order}:${p.ref}" : p.order) => p }
    value = merge(each.value, {
      whole = length(each.value.units) == 0
      holds = { for id, n in {
        for l in transform.order[each.value.order].lines : tostring(l.id) => (length(each.value.units) == 0 ? transform.shipped[each.value.order][tostring(l.id)]
        : min(sum(try(each.value.units[tostring(l.id)], [])), transform.shipped[each.value.order][tostring(l.id)]))
      } : id => n if n > 0 }
    })
  }

  # The parcel's refund so far, if any: the one naming it that went
  # through, else one naming it that was declined; else one naming no
  # parcel (made by hand) of exactly what the parcel holds.
  transform "earlier" {
    for_each = transform.parcel
    value = try(concat(
      [for r in step.refunds[each.value.order].output : r if r.reference == each.value.ref && !r.declined],
      [for r in step.refunds[each.value.order].output : r if r.reference == each.value.ref && r.declined],
      [for r in step.refunds[each.value.order].output : r if r.reference == "" && length(each.value.holds) > 0
        && join(",", sort([for i in r.items : "${i.item_type}/${i.item_id}:${coalesce(i.quantity, 0)}"]))
      == join(",", sort([for id, n in each.value.holds : "PRODUCT/${id}:${n}"]))],
    )[0], null)
  }

  # A parcel's refund lines. Once it has a refund, that refund's lines, so
  # a replay asks for the very same refund. Before, what it holds, each line
  # at most what is still refundable; for a whole parcel, every shipped
  # unit not refunded yet. A parcel with nothing left to refund is left
  # alone.
  transform "returns" {
    for_each = transform.parcel
    value = {
      order_id = transform.order[each.value.order].id
      order    = each.value.order
      ref      = each.value.ref
      due      = each.value.due
      note     = each.value.label ? "return of order ${each.value.order}, parcel ${each.value.ref}" : "return of order ${each.value.order}"
      email    = transform.order[each.value.order].billing_address.email
      name     = transform.order[each.value.order].billing_address.first_name
      done     = transform.earlier[each.key] != null ? !transform.earlier[each.key].declined : false
      items = (transform.earlier[each.key] != null
        ? [for l in transform.order[each.value.order].lines : {
          item_id  = l.id, item_type = "PRODUCT", amount = null, reason = "Returned",
          quantity = sum([for i in transform.earlier[each.key].items : i.quantity if i.item_type == "PRODUCT" && i.item_id == l.id])
        } if contains([for i in transform.earlier[each.key].items : i.item_id if i.item_type == "PRODUCT"], l.id)]
        : [for x in [for l in transform.order[each.value.order].lines : {
          item_id = l.id, item_type = "PRODUCT", amount = null, reason = "Returned",
          quantity = (each.value.whole ? transform.shipped[each.value.order][tostring(l.id)] - l.quantity_refunded
          : min(each.value.holds[tostring(l.id)], l.quantity - l.quantity_refunded))
      } if contains(keys(each.value.holds), tostring(l.id))] : x if x.quantity > 0])
      skus = { for l in transform.order[each.value.order].lines : tostring(l.id) => l.sku }
    }
  }

  # One refund per parcel due, quoted and paid the way the quote's first
  # method says. The parcel's name is its reference, written into the
  # refund's reason: a refund naming it, or one a person made by hand for
  # it (or for its declined refund), is found instead.
  step "refund" {
    action    = bigcommerce.create_refund
    for_each  = { for k, r in transform.returns : k => r if r.due && length(r.items) > 0 }
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
    value = flatten([for k, r in transform.returns : [for sku in distinct([for i in r.items : r.skus[tostring(i.item_id)]]) : {
      key      = "${k}:${sku}"
      sku      = sku
      quantity = sum([for i in r.items : i.quantity if r.skus[tostring(i.item_id)] == sku])
      note     = r.note
    } if sku != ""] if contains(keys(step.refund), k)])
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

  # One metafield per order with a parcel refunded: the order's refunds
  # that went through, oldest first.
  step "record" {
    action   = bigcommerce.upsert_order_metafield
    for_each = { for k, r in step.refund : transform.returns[k].order => r... }
    order_id = transform.order[each.key].id
    key      = "return"
    value = jsonencode({ refunds = [for id, rs in {
      for r in concat([for r in step.refunds[each.key].output : r if !r.declined],
      [for k, r in step.refund : r.output if transform.returns[k].order == each.key]) : format("%012d", r.id) => r...
    } : { refund_id = rs[0].id, reference = rs[0].reference, amount = rs[0].total_amount, items = rs[0].items }] })
  }

  # One email per parcel refunded.
  step "email" {
    action   = email.send
    for_each = { for k, r in step.refund : k => r if coalesce(transform.returns[k].email, "") != "" }
    on_error = "continue"
    key      = "return:${each.key}"
    to       = transform.returns[each.key].email
    subject  = var.return_email_subject
    text     = var.return_email_text
    data     = { order_id = transform.returns[each.key].order, name = transform.returns[each.key].name, amount = decimal(each.value.output.total_amount, 2) }
  }

  # The tag comes off once every parcel of the order is refunded (or has
  # nothing left to refund) and its customer mailed: a parcel whose refund
  # or email failed keeps it on, for the next run to finish or a person to
  # see.
  step "untag" {
    action = shipstation.remove_tag
    for_each = {
      for k, o in transform.received : k => o if contains(keys(transform.order), k) && length([
        for pk, r in transform.returns : pk if r.order == k && !(
          (r.done || contains(keys(step.refund), pk) || (transform.earlier[pk] == null && length(r.items) == 0))
          && (!contains(keys(step.refund), pk) || coalesce(r.email, "") == "" || contains(keys(step.email), pk))
        )
      ]) == 0
    }
    depends_on = [step.set, step.restock, step.record, step.email]
    orderId    = each.value.orderId
    tag        = var.return_tag
  }
}
