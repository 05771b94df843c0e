# POD-13 volume types and service-account tokens from sidecar.volumes (issue 12).
package skillc.volumes_test

import data.skillc.lib_test.base_volumes
import data.skillc.lib_test.cronjob
import data.skillc.lib_test.findings
import data.skillc.lib_test.full
import data.skillc.lib_test.job
import data.skillc.lib_test.rules_of
import data.skillc.lib_test.sidecar
import rego.v1

restricted := {"profile": "restricted"}

# vol: pack p's sidecar mounts a volume "v" with source src.
vol(src) := job(
	[sidecar({"volumeMounts": [{"name": "v", "mountPath": "/v"}]})],
	{"volumes": array.concat(base_volumes, [object.union({"name": "v"}, src)])},
)

test_nfs_denied_in_restricted if ["POD-13", "deny"] in findings(vol({"nfs": {"server": "nfs", "path": "/x"}}), restricted)

test_nfs_warned_in_baseline if ["POD-13", "warn"] in findings(vol({"nfs": {"server": "nfs", "path": "/x"}}), {})

test_iscsi_denied_in_restricted if ["POD-13", "deny"] in findings(vol({"iscsi": {"targetPortal": "10.0.0.1:3260", "iqn": "iqn.x", "lun": 0}}), restricted)

test_flexvolume_denied_in_restricted if ["POD-13", "deny"] in findings(vol({"flexVolume": {"driver": "example.com/lvm"}}), restricted)

test_cephfs_denied_in_restricted if ["POD-13", "deny"] in findings(vol({"cephfs": {"monitors": ["m"]}}), restricted)

test_rbd_denied_in_restricted if ["POD-13", "deny"] in findings(vol({"rbd": {"monitors": ["m"], "image": "i"}}), restricted)

test_glusterfs_denied_in_restricted if ["POD-13", "deny"] in findings(vol({"glusterfs": {"endpoints": "g", "path": "v"}}), restricted)

test_image_volume_denied_in_restricted if ["POD-13", "deny"] in findings(vol({"image": {"reference": "ghcr.io/x/data:1"}}), restricted)

test_restricted_types_pass if {
	every src in [
		{"configMap": {"name": "c"}}, {"secret": {"secretName": "s"}}, {"emptyDir": {}},
		{"projected": {"sources": [{"configMap": {"name": "c"}}]}}, {"downwardAPI": {"items": []}},
		{"csi": {"driver": "d"}}, {"persistentVolumeClaim": {"claimName": "c"}},
		{"ephemeral": {"volumeClaimTemplate": {"spec": {}}}},
	] {
		not "POD-13" in rules_of(vol(src), restricted)
	}
}

test_host_path_is_judged_by_its_own_rules if not "POD-13" in rules_of(vol({"hostPath": {"path": "/srv"}}), restricted)

test_git_repo_denied_in_baseline if ["POD-13", "deny"] in findings(vol({"gitRepo": {"repository": "https://x/r.git"}}), {})

test_git_repo_denied_in_restricted if ["POD-13", "deny"] in findings(vol({"gitRepo": {"repository": "https://x/r.git"}}), restricted)

test_volume_type_finding_names_field_and_pack if {
	some f in full(vol({"nfs": {"server": "nfs", "path": "/x"}}), restricted)
	f.rule == "POD-13"
	f.field == "spec.template.spec.volumes[2].nfs"
	f.pack == "p"
}

test_volume_type_in_a_cronjob if {
	obj := cronjob([sidecar({})], {"volumes": [{"name": "v", "nfs": {"server": "s", "path": "/"}}]})
	some f in full(obj, restricted)
	f.rule == "POD-13"
	startswith(f.field, "spec.jobTemplate.spec.template.spec.volumes[0]")
}

token_volume(name) := {"name": name, "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}

test_token_from_sidecar_volumes_denied if ["META-01", "deny"] in findings(vol(token_volume("v")), {})

test_token_from_sidecar_volumes_denied_per_run if {
	obj := job([sidecar({})], {"automountServiceAccountToken": false, "volumes": array.concat(base_volumes, [token_volume("tok")])})
	["META-01", "deny"] in findings(obj, {})
}

test_generated_token_volume_passes if {
	obj := job([sidecar({})], {"automountServiceAccountToken": false, "volumes": array.concat(base_volumes, [token_volume("kube-api-access")])})
	not "META-01" in rules_of(obj, {})
}

test_token_volume_named_like_skillc_without_per_run_denied if {
	obj := job([sidecar({})], {"volumes": array.concat(base_volumes, [token_volume("kube-api-access")])})
	["META-01", "deny"] in findings(obj, {})
}

test_token_among_other_sources_denied if {
	src := {"projected": {"sources": [{"configMap": {"name": "c"}}, {"serviceAccountToken": {"path": "t", "audience": "vault"}}]}}
	some f in full(vol(src), {})
	f.rule == "META-01"
	f.field == "spec.template.spec.volumes[2].projected.sources[1].serviceAccountToken"
	not f.waivable
}

test_projected_config_map_is_not_a_token if not "META-01" in rules_of(vol({"projected": {"sources": [{"configMap": {"name": "c"}}]}}), {})
