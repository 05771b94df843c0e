package compile

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skillc-dev/skillc/api"
)

// sharedServiceAccount is the seed's one identity per namespace for every run.
const sharedServiceAccount = "sympozium-agent"

// serviceAccountName is the identity a pod runs as: shared, or one per run so that concurrent
// runs never hold the union of each other's permissions.
func serviceAccountName(identity api.Identity, run string) string {
	if identity == api.IdentityPerRun {
		return "sympozium-run-" + run
	}
	return sharedServiceAccount
}

func buildServiceAccount(name, ns string, l map[string]string) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: objectMeta(name, ns, l),
	}
}
