package needs

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// short writes a request as "verb group/resource[/sub] ns|cl", "?" appended when optional.
func short(q Request) string {
	res := q.Group + "/" + q.Resource
	if q.Subresource != "" {
		res += "/" + q.Subresource
	}
	s := q.Verb + " " + res + " " + map[Scope]string{ScopeNamespace: "ns", ScopeCluster: "cl"}[q.Scope]
	if q.Optional {
		s += "?"
	}
	return s
}

func resolveOne(t *testing.T, line string) Command {
	t.Helper()
	cmds := Extract("t.md", 1, "```sh\n"+line+"\n```\n")
	if len(cmds) != 1 {
		t.Fatalf("%s: %d commands, want 1: %+v", line, len(cmds), cmds)
	}
	return cmds[0]
}

func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		want []string
	}{
		// get: names, short names, plurals, TYPE/NAME, TYPE1,TYPE2, selectors, -A, -w.
		{"kubectl get deployments", []string{"list apps/deployments ns"}},
		{"kubectl get deploy web", []string{"get apps/deployments ns"}},
		{"kubectl get Deployment.apps web", []string{"get apps/deployments ns"}},
		{"kubectl get deployments.v1.apps", []string{"list apps/deployments ns"}},
		{"kubectl get po,svc", []string{"list /pods ns", "list /services ns"}},
		{"kubectl get pod/a svc/b", []string{"get /pods ns", "get /services ns"}},
		{"kubectl get pods -l app=web", []string{"list /pods ns"}},
		{"kubectl get pods -A", []string{"list /pods cl"}},
		{"kubectl get pods --all-namespaces -w", []string{"list /pods cl", "watch /pods cl"}},
		{"kubectl get pod web -w", []string{"get /pods ns", "watch /pods ns"}},
		{`kubectl get pods -n "$NAMESPACE"`, []string{"list /pods ns"}},
		{"kubectl get pods -n <namespace>", []string{"list /pods ns"}},
		{"kubectl get pods -n kube-system", []string{"list /pods cl"}},
		{"kubectl get pods --namespace=kube-system", []string{"list /pods cl"}},
		{"kubectl get nodes", []string{"list /nodes cl"}},
		{"kubectl get ns", []string{"list /namespaces cl"}},
		{"kubectl get events", []string{"list /events ns"}},
		{"kubectl get ev.events.k8s.io", []string{"list events.k8s.io/events ns"}},
		{"kubectl get sandboxes", []string{"list agents.x-k8s.io/sandboxes ns"}},
		{"kubectl -n prod get pods", []string{"list /pods cl"}},
		// describe: the object, its events and what its describer lists.
		{"kubectl describe pod web", []string{"list /events ns?", "get /pods ns"}},
		{"kubectl describe deployment", []string{"list /events ns?", "get apps/deployments ns", "list apps/deployments ns", "list apps/replicasets ns?"}},
		{"kubectl describe rs web", []string{"list /events ns?", "list /pods ns", "get apps/replicasets ns"}},
		{"kubectl describe node n1", []string{"list /events cl?", "get /nodes cl", "list /pods cl?", "get coordination.k8s.io/leases cl?", "list resource.k8s.io/resourceslices cl?"}},
		{"kubectl describe svc web --show-events=false", []string{"get /services ns", "list discovery.k8s.io/endpointslices ns?"}},
		{`kubectl describe ns "$NAMESPACE"`, []string{"list /limitranges ns", "list /resourcequotas ns", "get /namespaces cl"}},
		{"kubectl describe secret s", []string{"get /secrets ns"}},
		{"kubectl describe cm c", []string{"get /configmaps ns", "list /events ns"}},
		{"kubectl describe sandbox s", []string{"get agents.x-k8s.io/sandboxes ns", "list /events ns?"}},
		// logs: pods/log; TYPE/NAME reads the owner and lists its pods.
		{"kubectl logs web", []string{"get /pods ns", "get /pods/log ns"}},
		{"kubectl logs deploy/web", []string{"list /pods ns", "watch /pods ns", "get /pods/log ns", "get apps/deployments ns"}},
		{"kubectl logs -l app=web --all-containers", []string{"list /pods ns", "get /pods/log ns"}},
		{"kubectl logs -f -p web -c app", []string{"get /pods ns", "get /pods/log ns"}},
		// top reads metrics.k8s.io, and the pods or nodes when no metrics come back.
		{"kubectl top pods", []string{"list /pods ns", "list metrics.k8s.io/pods ns"}},
		{"kubectl top node n1", []string{"get /nodes cl", "get metrics.k8s.io/nodes cl"}},
		{"kubectl events -A", []string{"list /events cl"}},
		{"kubectl events --for pod/web -w", []string{"watch /events ns"}},
		{"kubectl explain pods.spec", nil},
		{"kubectl api-resources", nil},
		{"kubectl auth can-i list pods", []string{"create authorization.k8s.io/selfsubjectaccessreviews cl"}},
		{"kubectl auth can-i --list", []string{"create authorization.k8s.io/selfsubjectrulesreviews cl"}},
		// rollout
		{"kubectl rollout status deployment/web", []string{"get apps/deployments ns", "watch apps/deployments ns"}},
		{"kubectl rollout history deployment web", []string{"get apps/deployments ns", "list apps/replicasets ns"}},
		{"kubectl rollout history sts web", []string{"get apps/statefulsets ns", "list apps/controllerrevisions ns"}},
		{"kubectl rollout restart deployment web", []string{"get apps/deployments ns", "patch apps/deployments ns"}},
		{"kubectl rollout undo deployment web", []string{"get apps/deployments ns", "patch apps/deployments ns", "list apps/replicasets ns"}},
		{"kubectl rollout pause deployment web", []string{"get apps/deployments ns", "patch apps/deployments ns"}},
		{"kubectl rollout resume deploy/web", []string{"get apps/deployments ns", "patch apps/deployments ns"}},
		// writes
		{"kubectl scale deployment web --replicas=3", []string{"get apps/deployments ns", "patch apps/deployments/scale ns"}},
		{"kubectl scale --current-replicas=2 --replicas=3 deployment/web", []string{"get apps/deployments ns", "get apps/deployments/scale ns", "update apps/deployments/scale ns"}},
		{"kubectl delete pod web", []string{"delete /pods ns", "get /pods ns?", "watch /pods ns?"}},
		{"kubectl delete pods -l app=web --wait=false", []string{"delete /pods ns", "list /pods ns"}},
		{"kubectl label pods web tier=fe", []string{"get /pods ns", "patch /pods ns"}},
		{"kubectl label nodes n1 disk-", []string{"get /nodes cl", "patch /nodes cl"}},
		{"kubectl annotate deploy web a=b --overwrite", []string{"get apps/deployments ns", "patch apps/deployments ns"}},
		{`kubectl patch deployment web -p '{"spec":{}}'`, []string{"get apps/deployments ns", "patch apps/deployments ns"}},
		{"kubectl edit cm cfg", []string{"get /configmaps ns", "patch /configmaps ns"}},
		{"kubectl set image deployment/web app=nginx:1.27", []string{"get apps/deployments ns", "patch apps/deployments ns"}},
		{"kubectl set image deployment web app=nginx:1.27", []string{"get apps/deployments ns", "patch apps/deployments ns"}},
		{"kubectl create deployment web --image=nginx", []string{"create apps/deployments ns"}},
		{"kubectl create job once --from=cronjob/nightly", []string{"get batch/cronjobs ns", "create batch/jobs ns"}},
		{"kubectl create token agent", []string{"create /serviceaccounts/token ns"}},
		// nodes
		{"kubectl cordon n1", []string{"get /nodes cl", "patch /nodes cl"}},
		{"kubectl uncordon n1", []string{"get /nodes cl", "patch /nodes cl"}},
		{"kubectl drain n1 --ignore-daemonsets --delete-emptydir-data", []string{"get /nodes cl", "patch /nodes cl", "get /pods cl", "list /pods cl", "create /pods/eviction cl", "get apps/daemonsets cl"}},
		// streams on pods
		{"kubectl exec web -- ls /", []string{"get /pods ns", "get /pods/exec ns", "create /pods/exec ns"}},
		{"kubectl exec -it deploy/web -c app -- sh", []string{"list /pods ns", "watch /pods ns", "get /pods/exec ns", "create /pods/exec ns", "get apps/deployments ns"}},
		{"kubectl cp web:/tmp/x ./x", []string{"get /pods ns", "get /pods/exec ns", "create /pods/exec ns"}},
		{"kubectl cp ./x other/web:/tmp/x", []string{"get /pods cl", "get /pods/exec cl", "create /pods/exec cl"}},
		{"kubectl port-forward svc/web 8080:80", []string{"get /pods ns", "list /pods ns", "watch /pods ns", "get /pods/portforward ns", "create /pods/portforward ns", "get /services ns"}},
		{"kubectl debug web -it --image=busybox", []string{"get /pods ns", "watch /pods ns", "get /pods/attach ns", "create /pods/attach ns", "patch /pods/ephemeralcontainers ns"}},
		{"kubectl debug node/n1 --image=busybox", []string{"create /pods ns", "get /nodes cl"}},
		{"kubectl autoscale deployment web --max=5", []string{"get apps/deployments ns", "create autoscaling/horizontalpodautoscalers ns"}},
		{"kubectl kustomize overlays/prod", nil},
		{"kubectl wait --for=condition=Ready pod/web", []string{"get /pods ns", "watch /pods ns"}},
	} {
		c := resolveOne(t, tc.cmd)
		if !c.Analysed {
			t.Errorf("%s: not analysed: %s", tc.cmd, c.Reason)
			continue
		}
		var got []string
		for _, q := range c.Requests {
			got = append(got, short(q))
		}
		want := slicesSorted(tc.want)
		if d := cmp.Diff(want, slicesSorted(got)); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.cmd, d)
		}
	}
}

func slicesSorted(xs []string) []string {
	out := append([]string(nil), xs...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestNotAnalysed(t *testing.T) {
	for _, tc := range []struct{ cmd, reason string }{
		{"kubectl get $KIND", "resource type is a variable"},
		{"kubectl get <resource>", "resource type is a variable"},
		{"kubectl get", "no resource type"},
		{"kubectl apply -f deploy.yaml", "from files"},
		{"kubectl get -f deploy.yaml", "from a file"},
		{"kubectl krew install ctx", "not a kubectl command skillc knows"},
		{"kubectl foo bar", "not a kubectl command skillc knows"},
		{"kubectl get widgets", "unknown resource type `widgets`"},
		{"kubectl get pods --frobnicate", "unknown flag --frobnicate"},
		{"kubectl --context prod get pods", "another cluster"},
		{"kubectl get pods --as=admin", "another identity"},
		{"kubectl get --raw /api/v1/pods", "--raw"},
		{"helm list -A", "`helm` calls the API itself"},
		{"kubectl proxy --port=8001", "forwards whatever requests"},
		{`curl -k "https://$KUBERNETES_SERVICE_HOST/api/v1/pods"`, "HTTP client"},
		{"./triage.sh", "a script"},
		{"bash fix.sh", "a script"},
		{"kubectl-foo bar", "kubectl plugin"},
		{"$KUBECTL get pods", "the program is a variable"},
	} {
		c := resolveOne(t, tc.cmd)
		if c.Analysed || !strings.Contains(c.Reason, tc.reason) {
			t.Errorf("%s: analysed=%v reason %q; want not analysed, reason containing %q", tc.cmd, c.Analysed, c.Reason, tc.reason)
		}
	}
}

func TestXargsAndVerbosity(t *testing.T) {
	cmds := Extract("t.md", 1, "```sh\nkubectl get pods -o name | xargs -n1 kubectl delete pod --wait=false\nkubectl get pods -o name | xargs -I{} kubectl delete {}\nkubectl -v=6 get pods\n```\n")
	if len(cmds) != 5 {
		t.Fatalf("%d commands: %+v", len(cmds), cmds)
	}
	if !cmds[1].Analysed || len(cmds[1].Requests) != 1 || short(cmds[1].Requests[0]) != "delete /pods ns" {
		t.Errorf("xargs kubectl delete pod: %+v", cmds[1])
	}
	if cmds[3].Analysed || !strings.Contains(cmds[3].Reason, "variable") {
		t.Errorf("xargs -I{} kubectl delete {}: %+v", cmds[3])
	}
	if !cmds[4].Analysed {
		t.Errorf("kubectl -v=6 get pods: %s", cmds[4].Reason)
	}
}
