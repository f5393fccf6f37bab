package lang

import (
	"strings"
	"unicode"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// usStates are the USPS codes of the states, DC, the territories, the
// freely associated states and the armed forces, by name. BigCommerce
// names the armed forces regions Africa, Americas, Canada, Europe, Middle
// East and Pacific; USPS has AA (Americas), AP (Pacific) and AE for all the
// others. Puerto Rico and the other territories are also countries of their
// own in BigCommerce (country_iso2 PR, GU, VI, AS, MP) and use this table.
var usStates = codeTable(map[string][]string{
	"AL": {"Alabama"}, "AK": {"Alaska"}, "AZ": {"Arizona"}, "AR": {"Arkansas"}, "CA": {"California"},
	"CO": {"Colorado"}, "CT": {"Connecticut"}, "DE": {"Delaware"}, "FL": {"Florida"}, "GA": {"Georgia"},
	"HI": {"Hawaii"}, "ID": {"Idaho"}, "IL": {"Illinois"}, "IN": {"Indiana"}, "IA": {"Iowa"},
	"KS": {"Kansas"}, "KY": {"Kentucky"}, "LA": {"Louisiana"}, "ME": {"Maine"}, "MD": {"Maryland"},
	"MA": {"Massachusetts"}, "MI": {"Michigan"}, "MN": {"Minnesota"}, "MS": {"Mississippi"}, "MO": {"Missouri"},
	"MT": {"Montana"}, "NE": {"Nebraska"}, "NV": {"Nevada"}, "NH": {"New Hampshire"}, "NJ": {"New Jersey"},
	"NM": {"New Mexico"}, "NY": {"New York"}, "NC": {"North Carolina"}, "ND": {"North Dakota"}, "OH": {"Ohio"},
	"OK": {"Oklahoma"}, "OR": {"Oregon"}, "PA": {"Pennsylvania"}, "RI": {"Rhode Island"}, "SC": {"South Carolina"},
	"SD": {"South Dakota"}, "TN": {"Tennessee"}, "TX": {"Texas"}, "UT": {"Utah"}, "VT": {"Vermont"},
	"VA": {"Virginia"}, "WA": {"Washington"}, "WV": {"West Virginia"}, "WI": {"Wisconsin"}, "WY": {"Wyoming"},
	"DC": {"District of Columbia", "Washington DC", "Washington D.C."},
	"PR": {"Puerto Rico"}, "GU": {"Guam"}, "AS": {"American Samoa"},
	"VI": {"Virgin Islands", "US Virgin Islands", "U.S. Virgin Islands", "Virgin Islands, U.S.", "United States Virgin Islands"},
	"MP": {"Northern Mariana Islands", "Commonwealth of the Northern Mariana Islands"},
	"FM": {"Federated States of Micronesia", "Micronesia"}, "MH": {"Marshall Islands"}, "PW": {"Palau"},
	"AA": {"Armed Forces Americas", "Armed Forces Americas (except Canada)"},
	"AE": {"Armed Forces Europe", "Armed Forces Africa", "Armed Forces Canada", "Armed Forces Middle East",
		"Armed Forces Europe, the Middle East, and Canada"},
	"AP": {"Armed Forces Pacific"},
})

// caProvinces are Canada Post's codes of the provinces and territories.
var caProvinces = codeTable(map[string][]string{
	"AB": {"Alberta"}, "BC": {"British Columbia", "Colombie-Britannique"}, "MB": {"Manitoba"},
	"NB": {"New Brunswick", "Nouveau-Brunswick"}, "NL": {"Newfoundland and Labrador", "Newfoundland", "Terre-Neuve-et-Labrador"},
	"NS": {"Nova Scotia", "Nouvelle-Écosse"}, "ON": {"Ontario"}, "PE": {"Prince Edward Island", "Île-du-Prince-Édouard"},
	"QC": {"Quebec", "Québec"}, "SK": {"Saskatchewan"}, "NT": {"Northwest Territories", "Territoires du Nord-Ouest"},
	"NU": {"Nunavut"}, "YT": {"Yukon", "Yukon Territory"},
})

// stateTables are the countries whose states ShipStation wants as codes.
var stateTables = map[string]map[string]string{
	"US": usStates, "PR": usStates, "GU": usStates, "VI": usStates, "AS": usStates, "MP": usStates,
	"CA": caProvinces,
}

// codeTable indexes codes by their normalized names and by themselves.
func codeTable(names map[string][]string) map[string]string {
	t := map[string]string{}
	for code, ns := range names {
		t[normalizeState(code)] = code
		for _, n := range ns {
			t[normalizeState(n)] = code
		}
	}
	return t
}

// normalizeState folds case, dots, commas, hyphens and runs of spaces, so
// "QUEBEC", "quebec " and "Quebec" are one name. Accented spellings are
// listed in the tables as they are.
func normalizeState(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == '.':
			continue
		case unicode.IsSpace(r), r == ',', r == '-':
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// stateCode returns the 2-letter code of a US state, DC, territory or
// armed forces region, or of a Canadian province or territory, given its
// name or code; anything else comes back as given.
func stateCode(country, state string) string {
	table, ok := stateTables[strings.ToUpper(strings.TrimSpace(country))]
	if !ok {
		return state
	}
	if code, ok := table[normalizeState(state)]; ok {
		return code
	}
	return state
}

// stateCodeFunc is state_code(country_iso2, state). A null state stays
// null; a null country keeps the state as it is.
var stateCodeFunc = function.New(&function.Spec{
	Description: "The 2-letter code of a US or Canadian state, province or territory, given its name; other states unchanged.",
	Params: []function.Parameter{
		{Name: "country_iso2", Type: cty.String, AllowNull: true},
		{Name: "state", Type: cty.String, AllowNull: true},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[1].IsNull() || args[0].IsNull() {
			return args[1], nil
		}
		return cty.StringVal(stateCode(args[0].AsString(), args[1].AsString())), nil
	},
})
