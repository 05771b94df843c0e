package skillc.resources_test

import data.skillc.lib_test.check
import data.skillc.lib_test.job
import data.skillc.lib_test.sidecar
import rego.v1

limits(cpu, mem) := job([sidecar({"resources": {"limits": {"cpu": cpu, "memory": mem}, "requests": {"cpu": cpu, "memory": mem}}})], {})

ceilings := {"resourceCeilings": {"cpu": "2", "memory": "4Gi"}}

test_res_01_ceilings if check([
	{"obj": limits("2500m", "1Gi"), "params": ceilings, "want": [["RES-01", "deny"]]},
	{"obj": limits("1", "5Gi"), "params": ceilings, "want": [["RES-01", "deny"]]},
	{"obj": limits("2", "4Gi"), "params": ceilings, "absent": ["RES-01"]},
	{"obj": limits("64", "512Gi"), "absent": ["RES-01"]},
	{"obj": limits("100m", "4096Mi"), "params": ceilings, "absent": ["RES-01"]},
	{"obj": limits("100m", "4097Mi"), "params": {"resourceCeilings": {"memory": "4Gi"}, "profile": "restricted"}, "want": [["RES-01", "deny"]]},
])
