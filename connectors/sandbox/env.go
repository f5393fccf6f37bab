package sandbox

import (
	"fmt"
	"net"
	"time"
)

// Env is what the shipped pipelines' connections read from the
// environment, pointing them at these fakes with the sandbox credentials
// and the fakes' rate limits.
func (f *Fakes) Env(opts Options) map[string]string {
	bcQuota, ssQuota, ssV2Quota := opts.BigCommerceQuota, opts.ShipStationPerMinute, opts.ShipStationV2PerMinute
	if bcQuota == 0 {
		bcQuota = 150
	}
	if ssQuota == 0 {
		ssQuota = 40
	}
	if ssV2Quota == 0 {
		ssV2Quota = 200
	}
	if w := opts.ShipStationWindow; w > 0 && w < time.Minute {
		// The connections count per minute; the fakes count per window.
		ssQuota *= int(time.Minute / w)
		ssV2Quota *= int(time.Minute / w)
	}
	host, port, _ := net.SplitHostPort(f.Mail.SMTPAddr())
	return map[string]string{
		"BIGCOMMERCE_STORE_HASH": StoreHash, "BIGCOMMERCE_ACCESS_TOKEN": AccessToken,
		"BIGCOMMERCE_CLIENT_SECRET": ClientSecret, "BIGCOMMERCE_API_URL": f.BigCommerce.URL,
		"BIGCOMMERCE_RATE_QUOTA": fmt.Sprint(bcQuota),
		"SHIPSTATION_API_KEY":    ShipStationKey, "SHIPSTATION_API_SECRET": ShipStationPass,
		"SHIPSTATION_V2_API_KEY": ShipStationV2, "SHIPSTATION_API_URL": f.ShipStation.URL,
		"SHIPSTATION_V2_API_URL": f.ShipStation.URL, "SHIPSTATION_RATE_QUOTA": fmt.Sprint(ssQuota),
		"SHIPSTATION_V2_RATE_QUOTA": fmt.Sprint(ssV2Quota),
		"SMTP_HOST":                 host, "SMTP_PORT": port, "MAIL_URL": f.Mail.URL(),
		// The capture server speaks plain SMTP on loopback.
		"SMTP_STARTTLS": "none", "EMAIL_FROM": "Sandbox Store <orders@sandbox.example>",
	}
}
