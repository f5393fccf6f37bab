package lang

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestEnv(t *testing.T) {
	runCases(t, Options{}, []evalCase{
		{src: `env("STORE_HASH")`, want: str("abc123")},
		{src: `env("STORE_HASH", "fallback")`, want: str("abc123")},
		{src: `env("MISSING", "https://api.bigcommerce.com")`, want: str("https://api.bigcommerce.com")},
		{src: `env("EMPTY", "fallback")`, want: str("")}, // set, though empty
		{src: `env("MISSING")`, wantErr: `environment variable "MISSING" is not set and no default was given`},
		{src: `env("MISSING", "a", "b")`, wantErr: "at most one default may be given"},
		{src: `env("")`, wantErr: "the variable name must not be empty"},
		{src: `env()`, wantErr: "Not enough function arguments"},
	})
}

func TestSecret(t *testing.T) {
	runCases(t, Options{}, []evalCase{
		{src: `secret("API_TOKEN")`, want: str("tok-SECRET-9f8e7d").Mark(Sensitive)},
		{src: `secret("MISSING", "")`, want: str("").Mark(Sensitive)},
		{src: `secret("MISSING")`, wantErr: `environment variable "MISSING" is not set and no default was given`},
		{src: `secret("API_TOKEN", "a", "b")`, wantErr: "at most one default may be given"},
	})
}

func TestEnvDefaultsToProcessEnvironment(t *testing.T) {
	t.Setenv("TOTE_LANG_TEST_VAR", "from-process")
	fns := Functions(Options{})
	got, err := fns["env"].Call([]cty.Value{str("TOTE_LANG_TEST_VAR")})
	if err != nil || !got.RawEquals(str("from-process")) {
		t.Fatalf("env = %#v, %v; want the process environment", got, err)
	}
}

// No failing call may quote a secret, whichever function fails and however
// the secret reached it.
func TestSecretNeverInErrors(t *testing.T) {
	secrets := []string{"tok-SECRET-9f8e7d", "pa55w0rd", "hunter2"}
	for _, src := range []string{
		`tonumber(secret("NOT_A_NUMBER"))`,
		`tobool(secret("API_TOKEN"))`,
		`jsondecode(secret("SECRET_JSON"))`,
		`regex(secret("SECRET_PATTERN"), "x")`,
		`regex_replace("x", secret("SECRET_PATTERN"), "y")`,
		`weight_oz(1, secret("API_TOKEN"))`,
		`length_cm(1, secret("API_TOKEN"))`,
		`parsetime(secret("API_TOKEN"), "rfc3339", "UTC")`,
		`parsetime("2024-07-01", "2006-01-02", secret("API_TOKEN"))`,
		`formattime(secret("API_TOKEN"), "rfc3339", "UTC")`,
		`formatdate(secret("API_TOKEN"), "2024-07-01T12:00:00Z")`,
		`formatdate("YYYY", secret("API_TOKEN"))`,
		`timeadd("2024-07-01T12:00:00Z", secret("API_TOKEN"))`,
		`parseint(secret("API_TOKEN"), 10)`,
		`format("%d", secret("API_TOKEN"))`,
		`csvdecode(secret("SECRET_JSON"))`,
		`try(tonumber(secret("NOT_A_NUMBER")), jsondecode(secret("SECRET_JSON")))`,
		`index(["a"], secret("API_TOKEN"))`,
		`lookup({a = 1}, secret("API_TOKEN"))`,
	} {
		t.Run(src, func(t *testing.T) {
			v, err := eval(t, src, Options{})
			if err == nil {
				t.Fatalf("got %#v, want an error", v)
			}
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) {
					t.Fatalf("error quotes the secret %q: %s", s, err)
				}
			}
		})
	}
}

// The guard only hides messages when a secret is involved.
func TestErrorsWithoutSecretsKeepTheirMessage(t *testing.T) {
	runCases(t, Options{}, []evalCase{
		{src: `tonumber("abc")`, wantErr: `cannot convert "abc" to number`},
		{src: `tonumber(secret("NOT_A_NUMBER"))`, wantErr: "the reason is hidden because an argument is sensitive"},
		{src: `weight_oz(1, secret("API_TOKEN"))`, wantErr: `Invalid value for "unit" parameter`},
	})
}

func TestCanWithSecret(t *testing.T) {
	runCases(t, Options{}, []evalCase{
		{src: `can(tonumber(secret("NOT_A_NUMBER")))`, want: cty.False},
		{src: `can(tonumber(secret("SECRET_NUM")))`, want: cty.True},
	})
}
