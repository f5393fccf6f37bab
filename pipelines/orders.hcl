# Flow 1 and 2: BigCommerce orders become ShipStation orders, every field
# mapped, routed to a store and a warehouse and tagged by priority. Edits to
# an open order are sent again whole; cancels follow.

# BigCommerce status id -> ShipStation orderStatus. Statuses not listed are
# never imported: Incomplete (0), Pending (1), Declined (6), Awaiting Pickup
# (8), and those that follow shipping (2, 3, 10, 14).
variable "order_status_map" {
  type = map(string)
  default = {
    "7"  = "awaiting_payment"  # Awaiting Payment
    "11" = "awaiting_shipment" # Awaiting Fulfillment
    "9"  = "awaiting_shipment" # Awaiting Shipment
    "12" = "on_hold"           # Manual Verification Required
    "13" = "on_hold"           # Disputed
    "5"  = "cancelled"         # Cancelled
    "4"  = "cancelled"         # Refunded
  }
}

# BigCommerce status ids, not in order_status_map, that must not ship: an
# order ShipStation already has that moves to one is put on hold there, with
# "[tote] hold: BigCommerce status <name>" in its internal notes, and the
# hold lifts when it moves to a status the map lists. Such an order is never
# created. Incomplete (0) and Pending (1): checkout not completed; Declined
# (6): payment failed; Awaiting Pickup (8): the customer collects it. Those
# that follow shipping (2, 3, 10, 14) are left out, so a parcel on its way
# is never held.
variable "hold_after_import" {
  type    = list(string)
  default = ["0", "1", "6", "8"]
}

# BigCommerce channel id -> ShipStation store name (stores are made in
# ShipStation). Channels not listed go to default_store; empty means
# ShipStation's default store.
variable "store_by_channel" {
  type    = map(string)
  default = {}
}

# BigCommerce store hash -> ShipStation store name, for channels not
# listed in store_by_channel; store_by_channel may also name
# "<store_hash>:<channel id>" for one store's channel.
variable "store_by_store_hash" {
  type    = map(string)
  default = {}
}

variable "default_store" {
  type    = string
  default = ""
}

# Ship-to country (ISO 2) -> ShipStation warehouse name.
variable "warehouse_by_country" {
  type    = map(string)
  default = { "CA" = "Reno DC" }
}

variable "default_warehouse" {
  type    = string
  default = "Denver DC"
}

# A shipping method containing any of these (case-insensitive) is expedited.
variable "expedited_methods" {
  type    = list(string)
  default = ["express", "overnight", "next day", "2-day", "priority"]
}

variable "priority_tag" {
  type    = string
  default = "Priority"
}

variable "standard_tag" {
  type    = string
  default = "Standard"
}

# ShipStation custom fields, each from a BigCommerce order attribute
# (empty: not set).
variable "custom_fields" {
  type = object({ customField1 = string, customField2 = string, customField3 = string })
  default = {
    customField1 = "channel_id"
    customField2 = "payment_method"
    customField3 = ""
  }
}

pipeline "orders" {
  description = "BigCommerce orders become ShipStation orders; edits and cancels follow."
  # One instance per enabled BigCommerce store: its triggers and
  # bigcommerce steps use that store's connection.
  for_each = connection.bigcommerce

  trigger "bigcommerce_webhook" "changed" {
    scopes = ["store/order/created", "store/order/updated", "store/order/statusUpdated"]
  }

  trigger "bigcommerce_poll" "sweep" {
    resource = "orders"
    schedule = var.reconcile_schedule
  }

  step "orders" {
    action = bigcommerce.get_orders
    ids    = trigger.order_ids
  }

  step "store" {
    action = bigcommerce.get_store
  }

  # One ShipStation order per BigCommerce order and ship-to address; the
  # first address keeps the plain order number. An order at a status in
  # hold_after_import is only held, and only if ShipStation has it.
  transform "shipments" {
    for_each = merge(concat([{}], [
      for o in step.orders.output : {
        for i, a in o.shipping_addresses :
        (i == 0 ? tostring(o.id) : "${o.id}:${a.id}") => { order = o, address = a, index = i }
      } if contains(concat(keys(var.order_status_map), var.hold_after_import), tostring(o.status_id))
    ])...)

    value = {
      order    = each.value.order
      address  = each.value.address
      index    = each.value.index
      lines    = [for l in each.value.order.lines : l if l.order_address_id == each.value.address.id || length(each.value.order.shipping_addresses) == 1]
      method   = lower(coalesce(each.value.address.shipping_method, ""))
      imported = contains(keys(var.order_status_map), tostring(each.value.order.status_id))
      status   = lookup(var.order_status_map, tostring(each.value.order.status_id), "on_hold")
    }
  }

  transform "shipstation_order" {
    for_each = transform.shipments

    value = {
      orderKey = order_key(each.value.order.store_hash, each.value.order.id, each.value.index == 0 ? null : each.value.address.id)
      order = {
        orderNumber      = each.value.index == 0 ? tostring(each.value.order.id) : "${each.value.order.id}-${each.value.index + 1}"
        orderDate        = each.value.order.date_created
        paymentDate      = contains([0, 1, 6, 7], each.value.order.status_id) ? null : each.value.order.date_created
        orderStatus      = each.value.status
        customerUsername = each.value.order.billing_address.email
        customerEmail    = each.value.order.billing_address.email
        billTo = {
          name       = trimspace("${each.value.order.billing_address.first_name} ${each.value.order.billing_address.last_name}")
          company    = each.value.order.billing_address.company
          street1    = each.value.order.billing_address.street_1
          street2    = each.value.order.billing_address.street_2
          city       = each.value.order.billing_address.city
          state      = state_code(each.value.order.billing_address.country_iso2, each.value.order.billing_address.state)
          postalCode = each.value.order.billing_address.zip
          country    = each.value.order.billing_address.country_iso2
          phone      = each.value.order.billing_address.phone
        }
        shipTo = {
          name        = trimspace("${each.value.address.first_name} ${each.value.address.last_name}")
          company     = each.value.address.company
          street1     = each.value.address.street_1
          street2     = each.value.address.street_2
          city        = each.value.address.city
          state       = state_code(each.value.address.country_iso2, each.value.address.state)
          postalCode  = each.value.address.zip
          country     = each.value.address.country_iso2
          phone       = each.value.address.phone
          residential = each.value.address.company == ""
        }
        items = [for l in each.value.lines : {
          lineItemKey = tostring(l.id)
          sku         = l.sku
          name        = l.name
          quantity    = l.quantity
          unitPrice   = tonumber(l.price_inc_tax)
          weight      = { value = weight_oz(tonumber(l.weight), step.store.output.weight_units), units = "ounces" }
          options     = [for opt in l.product_options : { name = opt.display_name, value = opt.display_value }]
        }]
        amountPaid               = each.value.index == 0 ? tonumber(each.value.order.total_inc_tax) : 0
        taxAmount                = each.value.index == 0 ? tonumber(each.value.order.total_tax) : 0
        shippingAmount           = tonumber(each.value.address.cost_inc_tax)
        customerNotes            = each.value.order.customer_message
        internalNotes            = each.value.order.staff_notes
        gift                     = length([for l in each.value.lines : l if l.wrapping_name != ""]) > 0
        giftMessage              = join("\n", compact([for l in each.value.lines : l.wrapping_message]))
        requestedShippingService = each.value.address.shipping_method
        paymentMethod            = each.value.order.payment_method
        advancedOptions = {
          source       = "tote"
          customField1 = var.custom_fields.customField1 == "" ? null : try(tostring(each.value.order[var.custom_fields.customField1]), null)
          customField2 = var.custom_fields.customField2 == "" ? null : try(tostring(each.value.order[var.custom_fields.customField2]), null)
          customField3 = var.custom_fields.customField3 == "" ? null : try(tostring(each.value.order[var.custom_fields.customField3]), null)
        }
      }
      # The first store named: by store and channel, channel, store, default.
      store = try(compact([
        lookup(var.store_by_channel, "${each.value.order.store_hash}:${each.value.order.channel_id}", ""),
        lookup(var.store_by_channel, tostring(each.value.order.channel_id), ""),
        lookup(var.store_by_store_hash, each.value.order.store_hash, ""),
        var.default_store,
      ])[0], null)
      warehouse = lookup(var.warehouse_by_country, each.value.address.country_iso2, var.default_warehouse)
      tags = [
        length([for m in var.expedited_methods : m if length(regexall(lower(m), each.value.method)) > 0]) > 0 ? var.priority_tag : var.standard_tag
      ]
      hold_reason = each.value.status == "on_hold" ? "BigCommerce status ${each.value.order.status}" : null
      create      = each.value.imported
    }
  }

  step "upsert" {
    action    = shipstation.upsert_order
    for_each  = transform.shipstation_order
    on_error  = "continue"
    orderKey  = each.value.orderKey
    order     = each.value.order
    store     = each.value.store
    warehouse = each.value.warehouse
    tags      = each.value.tags

    # A hold put on in ShipStation stays, unless BigCommerce lifts its own
    # verification or dispute status. Holds tote makes for those statuses
    # say so in ShipStation's internal notes, so that a sweep or catch-up
    # that never saw the statusUpdated lifts them too.
    release_hold = contains([12, 13], coalesce(trigger.previous_status_id, 0))
    hold_reason  = each.value.hold_reason
    # A status in hold_after_import holds an order ShipStation has and
    # never creates one.
    create = each.value.create
  }
}
