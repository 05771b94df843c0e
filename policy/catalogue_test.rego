# The catalogue describes exactly the rules of lib.severities, each completely.
package skillc.catalogue_test

import data.skillc.catalogue
import data.skillc.lib
import rego.v1

test_catalogue_names_every_rule if {
	{id | some id, _ in catalogue.rules} == {id | some id, _ in lib.severities}
}

test_entries_are_complete if {
	every r in catalogue.rules {
		every k in ["title", "checks", "why", "fix", "precision"] {
			is_string(r[k])
			r[k] != ""
		}
		is_string(r.reference.name)
		r.reference.name != ""
		valid_url(r.reference.url)
		r.precision in {"very-high", "high", "medium", "low"}
		count(r.tags) > 0
		is_number(r.security_severity)
		r.security_severity >= 0.1
		r.security_severity <= 10
	}
}

# No exception can waive a rule that leads to node or cluster takeover: those are critical.
test_nonwaivable_rules_are_critical if {
	every id in lib.nonwaivable {
		catalogue.rules[id].security_severity >= 9
	}
}

test_titles_are_distinct if {
	count({r.title | some r in catalogue.rules}) == count(catalogue.rules)
}

valid_url(u) if u == ""

valid_url(u) if startswith(u, "https://")
