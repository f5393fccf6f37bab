package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/compile"
	"github.com/zclconf/go-cty/cty"
)

// cmdDoctor checks what tote run would need before it needs it: each
// connection's base URL and credentials with one cheap call, and the
// webhook settings. Each failure comes with its fix; any failure exits 1.
func cmdDoctor(ctx context.Context, env Env, args []string) int {
	fs := newFlags("doctor", "doctor [-public-url URL] [-timeout 30s]", env.Stderr)
	var c common
	c.register(fs, env, false)
	public := fs.String("public-url", "", "where vendors reach tote run ($TOTE_PUBLIC_URL, else var.public_url)")
	timeout := fs.Duration("timeout", 30*time.Second, "give each check this long")
	pos, err := parse(fs, args)
	if err != nil {
		return exitError
	}
	if len(pos) == 1 {
		c.dir = pos[0]
	}
	prog, ok := load(env, c.dir, c.vars, false)
	if !ok {
		return exitError
	}
	d := doctor{w: env.Stdout}
	for _, conn := range prog.Connections {
		d.connection(ctx, conn, *timeout)
	}
	d.webhooks(prog, publicURL(env, *public, prog))
	if d.failed > 0 {
		fmt.Fprintf(env.Stdout, "\n%d %s failed: fix %s and run tote doctor again.\n", d.failed, plural(d.failed, "check", "checks"), plural(d.failed, "it", "them"))
		return exitError
	}
	fmt.Fprintln(env.Stdout, "\nEverything tote needs answers.")
	return exitOK
}

type doctor struct {
	w      io.Writer
	failed int
}

func (d *doctor) ok(subject, detail string) {
	fmt.Fprintf(d.w, "ok    %s: %s\n", subject, detail)
}

func (d *doctor) skip(subject, detail string) {
	fmt.Fprintf(d.w, "-     %s: %s\n", subject, detail)
}

func (d *doctor) fail(subject, problem, fix string) {
	d.failed++
	fmt.Fprintf(d.w, "FAIL  %s: %s\n", subject, problem)
	if fix != "" {
		fmt.Fprintf(d.w, "      fix: %s\n", fix)
	}
}

func (d *doctor) connection(ctx context.Context, c *compile.Connection, timeout time.Duration) {
	subject := c.Addr()
	if !c.Enabled {
		d.skip(subject, "disabled")
		return
	}
	sources := settingSources(c)
	values, _ := c.Values.UnmarkDeep()
	if !values.IsWhollyKnown() {
		var missing []string
		for _, attr := range c.Spec.Config.Attrs {
			if v := values.GetAttr(attr.Name); !v.IsKnown() {
				missing = append(missing, attr.Name)
			}
		}
		sort.Strings(missing)
		d.fail(subject, "settings not known: "+strings.Join(missing, ", "), "set "+nameSettings(strings.Join(missing, " and "), missing, sources))
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := c.Connector.Open(ctx, connectors.Config{Name: c.Name, Values: values, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		d.checkFailed(subject, err, sources)
		return
	}
	defer conn.Close()
	checker, ok := conn.(connectors.Checker)
	if !ok {
		d.skip(subject, "not checked (the "+c.Type+" connector has no check)")
		return
	}
	if err := checker.Check(ctx); err != nil {
		d.checkFailed(subject, err, sources)
		return
	}
	d.ok(subject, "settings and credentials accepted")
}

// checkFailed prints a failed check with its fix, naming the environment
// variables the settings at fault come from.
func (d *doctor) checkFailed(subject string, err error, sources map[string]string) {
	var ce *connectors.CheckError
	if !errors.As(err, &ce) {
		d.fail(subject, err.Error(), "")
		return
	}
	problem := ce.Problem
	var vars []string
	for _, s := range ce.Settings {
		if v := sources[s]; v != "" {
			vars = append(vars, v)
		}
	}
	if len(vars) > 0 {
		problem += " [from " + strings.Join(vars, ", ") + "]"
	}
	d.fail(subject, problem, nameSettings(ce.Fix, ce.Settings, sources))
}

// nameSettings writes each setting named in text as VARIABLE (setting)
// where the setting comes from an environment variable.
func nameSettings(text string, settings []string, sources map[string]string) string {
	for _, s := range settings {
		if v := sources[s]; v != "" {
			text = regexp.MustCompile(`\b`+regexp.QuoteMeta(s)+`\b`).ReplaceAllLiteralString(text, v+" ("+s+")")
		}
	}
	return text
}

// settingSources maps each setting of a connection block to the
// environment variable it reads with env() or secret(), where it does.
func settingSources(c *compile.Connection) map[string]string {
	out := map[string]string{}
	body, ok := c.Decl.Body.(*hclsyntax.Body)
	if !ok {
		return out
	}
	for name, attr := range body.Attributes {
		if v := envVariable(attr.Expr); v != "" {
			out[name] = v
		}
	}
	return out
}

// envVariable returns the variable an expression reads with env() or
// secret(), or "".
func envVariable(expr hclsyntax.Expression) string {
	found := ""
	hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		call, ok := n.(*hclsyntax.FunctionCallExpr)
		if !ok || found != "" || (call.Name != "env" && call.Name != "secret") || len(call.Args) == 0 {
			return nil
		}
		if v, diags := call.Args[0].Value(nil); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
			found = v.AsString()
		}
		return nil
	})
	return found
}

// webhooks checks what webhook delivery needs: a public https URL, and a
// ShipStation connection with a webhook token where a ShipStation webhook
// trigger exists.
func (d *doctor) webhooks(prog *compile.Program, public string) {
	var needs []*compile.Trigger
	for _, pl := range prog.Pipelines {
		for _, t := range pl.Triggers {
			if t.Mode == compile.ModeWebhook && t.Conn != nil && t.Conn.Enabled {
				needs = append(needs, t)
			}
		}
	}
	if len(needs) == 0 {
		d.skip("webhooks", "no webhook triggers")
		return
	}
	if public == "" {
		d.skip("webhooks", "no public URL (-public-url, $TOTE_PUBLIC_URL or var.public_url): tote run will not register webhooks, and only polls catch changes")
		return
	}
	u, err := url.Parse(public)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		d.fail("public URL", fmt.Sprintf("%q is not a URL", public), "set -public-url or $TOTE_PUBLIC_URL to where the vendors reach tote run, e.g. https://tote.example.com")
		return
	case u.Scheme != "https":
		d.fail("public URL", fmt.Sprintf("%s is not https: BigCommerce and ShipStation deliver webhooks to https only", public),
			"put tote run behind a TLS-terminating proxy and set -public-url or $TOTE_PUBLIC_URL to its https address")
	default:
		d.ok("public URL", public)
	}
	seen := map[string]bool{}
	for _, t := range needs {
		c := t.Conn
		if c.Type != "shipstation" || seen[c.Addr()] {
			continue
		}
		seen[c.Addr()] = true
		values, _ := c.Values.UnmarkDeep()
		token := values.GetAttr("webhook_token")
		if token.IsKnown() && !token.IsNull() && token.AsString() != "" {
			d.ok(c.Addr()+" webhooks", "webhook_token is set")
			continue
		}
		variable := settingSources(c)["webhook_token"]
		what := "webhook_token on " + c.Addr()
		if variable != "" {
			what = variable
		}
		d.fail(c.Addr()+" webhooks", fmt.Sprintf("trigger %q receives ShipStation webhooks at %s, but %s is empty: every delivery would be refused", t.Name, public, what),
			"set "+what+" to a long random value (e.g. openssl rand -hex 32); tote puts it in the webhook URLs it registers")
	}
}
