package skillc.meta_test

import data.skillc.lib_test.base_volumes
import data.skillc.lib_test.check
import data.skillc.lib_test.full
import data.skillc.lib_test.host_job
import data.skillc.lib_test.job
import data.skillc.lib_test.sidecar
import rego.v1

test_meta_01_undeclared_host_access if check([
	{"obj": job([sidecar({"volumeMounts": [{"name": "data", "mountPath": "/d", "readOnly": true}]})], {"volumes": array.concat(base_volumes, [{"name": "data", "hostPath": {"path": "/srv"}}])}), "want": [["META-01", "deny"]]},
	{"obj": job([sidecar({})], {"volumes": array.concat(base_volumes, [{"name": "host-other-0", "hostPath": {"path": "/srv"}}])}), "want": [["META-01", "deny"]]},
	{"obj": job([sidecar({"volumeMounts": [{"name": "host-p-0", "mountPath": "/h", "readOnly": true}]}), sidecar({"name": "skill-q", "volumeMounts": [{"name": "host-p-0", "mountPath": "/h", "readOnly": true}]})], {"volumes": array.concat(base_volumes, [{"name": "host-p-0", "hostPath": {"path": "/srv"}}])}), "want": [["META-01", "deny"]]},
	{"obj": host_job(["/srv"], true), "absent": ["META-01"]},
	{"obj": job([sidecar({})], {}), "absent": ["META-01"]},
])

# With origins (skillc's Go gate), the two name-based host-volume checks are off: the gate decides
# them from compile's records. The token check is not name-based and stays.
origins := {"hostAccessFromOrigins": true}

undeclared_host := job([sidecar({"volumeMounts": [{"name": "data", "mountPath": "/d", "readOnly": true}]})], {"volumes": array.concat(base_volumes, [{"name": "data", "hostPath": {"path": "/srv"}}])})

borrowed_host := job([sidecar({"volumeMounts": [{"name": "host-p-0", "mountPath": "/h", "readOnly": true}]}), sidecar({"name": "skill-q", "volumeMounts": [{"name": "host-p-0", "mountPath": "/h", "readOnly": true}]})], {"volumes": array.concat(base_volumes, [{"name": "host-p-0", "hostPath": {"path": "/srv"}}])})

projected_token := job([sidecar({"volumeMounts": [{"name": "t", "mountPath": "/t", "readOnly": true}]})], {"volumes": array.concat(base_volumes, [{"name": "t", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}])})

test_meta_01_host_access_from_origins if check([
	{"obj": undeclared_host, "params": origins, "absent": ["META-01"]},
	{"obj": borrowed_host, "params": origins, "absent": ["META-01"]},
	{"obj": projected_token, "params": origins, "want": [["META-01", "deny"]]},
	{"obj": undeclared_host, "params": {"hostAccessFromOrigins": false}, "want": [["META-01", "deny"]]},
	{"obj": borrowed_host, "want": [["META-01", "deny"]]},
])

# The other rules still judge the host path itself.
test_meta_01_from_origins_keeps_the_host_path_rules if check([{"obj": undeclared_host, "params": origins, "want": [["POD-04", "deny"]]}])

test_meta_01_is_never_waivable if {
	some f in full(job([sidecar({})], {"volumes": [{"name": "x", "hostPath": {"path": "/srv"}}]}), {})
	f.rule == "META-01"
	not f.waivable
}

config(exceptions) := {"apiVersion": "skillc.dev/v1alpha1", "kind": "CompilerConfig", "metadata": {"name": "platform"}, "spec": {"policy": {"exceptions": exceptions}}}

good := {"id": "exc-1", "rules": ["IMG-02"], "skillPack": "node-probe", "owner": "platform-team", "justification": "vendor publishes no digests", "expires": "2099-12-31"}

test_meta_02_malformed_exceptions if check([
	{"obj": config([good]), "absent": ["META-02"]},
	{"obj": config([object.union(good, {"rules": []})]), "want": [["META-02", "deny"]]},
	{"obj": config([object.union(good, {"rules": ["*"]})]), "want": [["META-02", "deny"]]},
	{"obj": config([object.union(good, {"rules": ["RBAC-06"]})]), "want": [["META-02", "deny"]]},
	{"obj": config([object.remove(good, ["owner"])]), "want": [["META-02", "deny"]]},
	{"obj": config([object.union(good, {"justification": ""})]), "want": [["META-02", "deny"]]},
	{"obj": config([object.union(good, {"expires": "next year"})]), "want": [["META-02", "deny"]]},
	{"obj": config([object.union(good, {"expires": "2020-01-01"})]), "params": {"today": "2026-11-22"}, "want": [["META-02", "warn"]]},
	{"obj": config([good]), "params": {"today": "2100-01-01"}, "want": [["META-02", "warn"]]},
])

test_meta_02_ignores_other_kinds if check([{"obj": job([sidecar({})], {}), "absent": ["META-02"]}])
