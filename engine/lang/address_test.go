package lang

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// Every state, DC and the territories by their USPS codes, as BigCommerce
// names them.
var usNames = map[string]string{
	"Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA", "Colorado": "CO",
	"Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID",
	"Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA",
	"Maine": "ME", "Maryland": "MD", "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN",
	"Mississippi": "MS", "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV",
	"New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY", "North Carolina": "NC",
	"North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA",
	"Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX",
	"Utah": "UT", "Vermont": "VT", "Virginia": "VA", "Washington": "WA", "West Virginia": "WV",
	"Wisconsin": "WI", "Wyoming": "WY",
	"District of Columbia": "DC", "Puerto Rico": "PR", "Guam": "GU", "Virgin Islands": "VI",
	"American Samoa": "AS", "Northern Mariana Islands": "MP",
	"Armed Forces Americas": "AA", "Armed Forces Europe": "AE", "Armed Forces Africa": "AE",
	"Armed Forces Canada": "AE", "Armed Forces Middle East": "AE", "Armed Forces Pacific": "AP",
}

var caNames = map[string]string{
	"Alberta": "AB", "British Columbia": "BC", "Manitoba": "MB", "New Brunswick": "NB",
	"Newfoundland and Labrador": "NL", "Nova Scotia": "NS", "Ontario": "ON", "Prince Edward Island": "PE",
	"Quebec": "QC", "Saskatchewan": "SK", "Northwest Territories": "NT", "Nunavut": "NU", "Yukon": "YT",
}

func TestStateCodeEveryStateAndProvince(t *testing.T) {
	if len(usNames) != 62 || len(caNames) != 13 {
		t.Fatalf("tables have %d US and %d Canadian names", len(usNames), len(caNames))
	}
	for country, names := range map[string]map[string]string{"US": usNames, "CA": caNames} {
		for name, code := range names {
			// The full name in BigCommerce's spelling and in other cases,
			// and the code itself, upper or lower case.
			for _, in := range []string{name, strings.ToUpper(name), strings.ToLower(name) + " ", code, strings.ToLower(code)} {
				if got := stateCode(country, in); got != code {
					t.Errorf("state_code(%q, %q) = %q, want %q", country, in, got, code)
				}
			}
		}
	}
}

func TestStateCode(t *testing.T) {
	runCases(t, Options{}, []evalCase{
		{src: `state_code("US", "California")`, want: str("CA")},
		{src: `state_code("us", "new  york")`, want: str("NY")},
		{src: `state_code("US", "Washington D.C.")`, want: str("DC")},
		{src: `state_code("US", "U.S. Virgin Islands")`, want: str("VI")},
		{src: `state_code("PR", "Puerto Rico")`, want: str("PR")},
		{src: `state_code("CA", "Québec")`, want: str("QC")},
		{src: `state_code("CA", "Newfoundland")`, want: str("NL")},
		{src: `state_code("CA", "Yukon Territory")`, want: str("YT")},
		// A name tote does not know, and other countries, keep what they have.
		{src: `state_code("US", "Atlantis")`, want: str("Atlantis")},
		{src: `state_code("GB", "Greater London")`, want: str("Greater London")},
		{src: `state_code("AU", "New South Wales")`, want: str("New South Wales")},
		{src: `state_code("MX", "California")`, want: str("California")},
		{src: `state_code("DE", "")`, want: str("")},
		{src: `state_code("US", "")`, want: str("")},
		{src: `state_code("US", null)`, want: cty.NullVal(cty.String)},
		{src: `state_code(null, "Texas")`, want: str("Texas")},
		{src: `state_code("US", var.unknown_str)`, want: cty.UnknownVal(cty.String)},
		{src: `state_code("US")`, wantErr: "Not enough function arguments"},
	})
}
