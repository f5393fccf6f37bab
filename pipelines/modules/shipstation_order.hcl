# The ShipStation order of one ship-to address of a BigCommerce order, every
# field mapped. Used by orders.hcl, once per entry of its transform.shipments.

# Address key -> the consignment (number, index, address, lines) with its
# order, ShipStation status and shipping method.
variable "shipments" {}

# The store's weight unit (bigcommerce.get_store's weight_units).
variable "weight_units" {
  type = string
}

# ShipStation custom fields, each from a BigCommerce order attribute
# (empty: not set).
variable "custom_fields" {
  type = object({ customField1 = string, customField2 = string, customField3 = string })
}

transform "order" {
  for_each = var.shipments

  value = {
    orderNumber      = each.value.number
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
      weight      = { value = weight_oz(tonumber(l.weight), var.weight_units), units = "ounces" }
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
}

# Address key -> its ShipStation order.
output "orders" {
  value = transform.order
}
