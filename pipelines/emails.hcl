# The emails tote sends customers, as Go templates: the exceptions
# pipeline's (over order_id, name, reason and expected) and the returns
# pipeline's (over order_id, name and amount). They are sent through
# connection.email.customers (connections.hcl).

# Whether the customer gets another email when a hold is released.
variable "email_on_release" {
  type    = bool
  default = false
}

variable "exception_email_subject" {
  type    = string
  default = "An update on your order {{.order_id}}"
}

variable "exception_email_text" {
  type    = string
  default = <<-EOT
    Hello {{.name}},

    {{if eq .reason "cancelled"}}Your order {{.order_id}} has been cancelled. If you did not ask for this, reply to this email and we will sort it out.
    {{else if eq .reason "released"}}Good news: your order {{.order_id}} is on its way to being shipped.
    {{else if eq .reason "backorder"}}Part of your order {{.order_id}} is on backorder.{{if .expected}} We expect to ship it on {{.expected}}.{{end}}
    {{else}}Your order {{.order_id}} is delayed.{{if .expected}} We expect to ship it on {{.expected}}.{{end}}
    {{end}}
    Thank you for your patience.
  EOT
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
