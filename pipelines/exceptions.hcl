# Flow 5: holds, backorders, exceptions and cancels made in ShipStation reach
# BigCommerce: a cancel cancels the order there; every exception leaves a
# staff note and an order metafield with the reason and the expected date,
# and the customer gets one email saying what happened. Holds and cancels
# tote made itself, following BigCommerce, are left alone.

variable "backorder_tag" {
  type    = string
  default = "Backorder"
}

variable "exception_tag" {
  type    = string
  default = "Exception"
}

# The BigCommerce status a ShipStation cancel sets.
variable "cancelled_status" {
  type    = number
  default = 5
}

pipeline "exceptions" {
  description = "Holds, backorders, exceptions and cancels in ShipStation reach BigCommerce and the customer."
  # One instance per enabled BigCommerce store, each given the ShipStation
  # orders tote imported from it (by their orderKey).
  for_each = connection.bigcommerce

  trigger "shipstation_poll" "changed" {
    resource = "orders"
    schedule = var.reconcile_schedule
  }

  # Tagging an order need not move its modifyDate, so the tags are also
  # looked up by name.
  trigger "shipstation_poll" "backorder" {
    resource = "tagged_orders"
    tag      = var.backorder_tag
    schedule = var.reconcile_schedule
  }

  trigger "shipstation_poll" "exception" {
    resource = "tagged_orders"
    tag      = var.exception_tag
    schedule = var.reconcile_schedule
  }

  step "tags" {
    action = shipstation.list_tags
  }

  # The store's orders (their first address) that ShipStation holds, tags
  # as backordered or exceptional, or cancelled.
  transform "exceptions" {
    for_each = {
      for o in trigger.orders : tostring(o.bigcommerce.order_id) => {
        order_id = o.bigcommerce.order_id
        email    = o.customerEmail
        name     = o.shipTo.name
        expected = o.holdUntilDate
        reason = (o.orderStatus == "cancelled" ? "cancelled" :
          length(setintersection(toset(coalesce(o.tagIds, [])), toset([for t in step.tags.output : t.tagId if t.name == var.backorder_tag]))) > 0 ? "backorder" :
          length(setintersection(toset(coalesce(o.tagIds, [])), toset([for t in step.tags.output : t.tagId if t.name == var.exception_tag]))) > 0 ? "exception" :
          o.orderStatus == "on_hold" ? "on_hold" :
        o.orderStatus == "awaiting_shipment" ? "maybe_released" : "")
      } if o.bigcommerce.address_id == null
    }
    value = each.value
  }

  step "orders" {
    action = bigcommerce.get_orders
    ids    = [for e in transform.exceptions : e.order_id if e.reason != ""]
  }

  # Holds and cancels that tote itself made in ShipStation, following
  # BigCommerce (a status the orders pipeline maps to on_hold or cancelled,
  # or holds for in hold_after_import), are no news to BigCommerce or the
  # customer. A ShipStation cancel tote already noted stays in, so a failed
  # email is still retried.
  transform "echoes" {
    value = [for o in step.orders.output : tostring(o.id) if contains(keys(transform.exceptions), tostring(o.id)) && (
      (transform.exceptions[tostring(o.id)].reason == "on_hold" && contains(concat(
        [for k, v in var.order_status_map : tonumber(k) if v == "on_hold"],
        [for k in var.hold_after_import : tonumber(k) if !contains(keys(var.order_status_map), k)]
      ), o.status_id)) ||
      (transform.exceptions[tostring(o.id)].reason == "cancelled" && contains([for k, v in var.order_status_map : tonumber(k) if v == "cancelled"], o.status_id))
    ) && length(regexall("\\[tote\\] ShipStation: ${transform.exceptions[tostring(o.id)].reason}", coalesce(o.staff_notes, ""))) == 0]
  }

  # A hold is released when ShipStation has the order awaiting shipment
  # again after tote noted the hold in BigCommerce.
  transform "open" {
    for_each = {
      for k, e in transform.exceptions : k => (e.reason != "maybe_released" ? e : merge(e, { reason = "released", expected = null }))
      if e.reason != "" && !contains(transform.echoes, k) && (e.reason != "maybe_released" || length([
        for o in step.orders.output : o if tostring(o.id) == k &&
        length(regexall("\\[tote\\] ShipStation: on_hold", coalesce(o.staff_notes, ""))) > 0 &&
        length(regexall("\\[tote\\] ShipStation: released", coalesce(o.staff_notes, ""))) == 0
      ]) > 0)
    }
    value = each.value
  }

  step "note" {
    action   = bigcommerce.update_order
    for_each = { for o in step.orders.output : tostring(o.id) => o if contains(keys(transform.open), tostring(o.id)) }
    on_error = "continue"
    order_id = each.value.id
    status_id = (transform.open[each.key].reason == "cancelled" && !contains([2, 3, 4, 5], each.value.status_id)
    ? var.cancelled_status : null)
    staff_notes = (length(regexall("\\[tote\\] ShipStation: ${transform.open[each.key].reason}", coalesce(each.value.staff_notes, ""))) > 0
      ? each.value.staff_notes
      : trimspace(join("\n", [coalesce(each.value.staff_notes, ""),
        "[tote] ShipStation: ${transform.open[each.key].reason}${transform.open[each.key].expected == null ? "" : " until ${transform.open[each.key].expected}"}"
    ])))
  }

  step "record" {
    action   = bigcommerce.upsert_order_metafield
    for_each = transform.open
    on_error = "continue"
    order_id = each.value.order_id
    key      = "exception"
    value    = jsonencode({ reason = each.value.reason, expected = each.value.expected })
  }

  step "email" {
    action   = email.send
    for_each = { for k, e in transform.open : k => e if coalesce(e.email, "") != "" && (e.reason != "released" || var.email_on_release) }
    on_error = "continue"
    key      = "exception:${each.value.order_id}:${each.value.reason}:${coalesce(each.value.expected, "")}"
    to       = each.value.email
    subject  = var.exception_email_subject
    text     = var.exception_email_text
    data     = each.value
  }
}
