package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// The control plane every test of this package talks to: etcd, kube-apiserver and
// kube-controller-manager built from source into ../bin by `make e2e-tools`, started once by
// TestMain on loopback ports and stopped by PID when the tests end (also when they fail).
var cp *controlPlane

type controlPlane struct {
	dir        string // temporary: etcd data, keys, certificates, kubeconfig
	kubeconfig string
	admin      *rest.Config
	procs      []*exec.Cmd
	logs       []string
	startup    time.Duration // from starting etcd to the API server's /readyz
	auditLog   string        // the API server's audit log: requests of auditUser only (audit_test.go)
}

// repoRoot is the main module, one level up.
var repoRoot = func() string { p, _ := filepath.Abs(".."); return p }()

func binPath(name string) string { return filepath.Join(repoRoot, "bin", name) }

const adminToken = "skillc-e2e-admin-token" // loopback only, lives as long as the test run

// auditUser is a second admin whose requests alone the audit policy records (testdata/
// audit-policy.yaml): TestAuditProof impersonates runs' ServiceAccounts as it, and the other
// tests' traffic, and the controller-manager's, neither fills the log nor waits on its writes.
const auditUser, auditToken = "skillc-e2e-audit", "skillc-e2e-audit-token"

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	// controller-runtime's client (flux_test.go) prints a stack when no logger was set; the
	// tests read its errors, not its logs.
	ctrllog.SetLogger(logr.Discard())
	dir, err := os.MkdirTemp("", "skillc-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	c := &controlPlane{dir: dir}
	defer func() {
		c.stop()
		if os.Getenv("E2E_KEEP") == "" {
			_ = os.RemoveAll(dir)
		}
	}()
	if err := c.start(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: starting the control plane: %v\n", err)
		c.dumpLogs()
		return 1
	}
	fmt.Printf("e2e: control plane ready in %.1fs (etcd, kube-apiserver, kube-controller-manager)\n", c.startup.Seconds())
	if err := installCRDs(context.Background(), c.admin); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: installing the agent-sandbox CRDs: %v\n", err)
		c.dumpLogs()
		return 1
	}
	cp = c
	code := m.Run()
	if code != 0 {
		c.dumpLogs()
	}
	return code
}

// freePort asks the kernel for an unused loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (c *controlPlane) spawn(name string, args ...string) error {
	logPath := filepath.Join(c.dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(binPath(name), args...)
	cmd.Stdout, cmd.Stderr = f, f
	// Its own process group: stop() signals the group, so nothing it started outlives the tests.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("starting %s: %w", name, err)
	}
	c.procs = append(c.procs, cmd)
	c.logs = append(c.logs, logPath)
	return nil
}

// stop ends what start started, newest first, by PID: SIGTERM, then SIGKILL after 10 s.
func (c *controlPlane) stop() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		p := c.procs[i]
		_ = syscall.Kill(-p.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	c.procs = nil
}

func (c *controlPlane) dumpLogs() {
	for _, l := range c.logs {
		b, _ := os.ReadFile(l)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		fmt.Fprintf(os.Stderr, "---- last lines of %s\n%s\n", filepath.Base(l), strings.Join(lines, "\n"))
	}
}

func (c *controlPlane) start() error {
	began := time.Now()
	for _, b := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kubectl"} {
		if _, err := os.Stat(binPath(b)); err != nil {
			return fmt.Errorf("%w (run `make e2e`, which builds it)", err)
		}
	}
	ports := make([]int, 3)
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return err
		}
		ports[i] = p
	}
	etcdClient, etcdPeer, apiPort := ports[0], ports[1], ports[2]
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(etcdClient)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(etcdPeer)
	if err := c.spawn("etcd",
		"--data-dir="+filepath.Join(c.dir, "etcd"),
		"--listen-client-urls="+etcdURL, "--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=default="+peerURL,
		"--unsafe-no-fsync", // a throwaway store: durability buys nothing here
	); err != nil {
		return err
	}
	if err := waitHTTP(etcdURL+"/health", nil, 60*time.Second); err != nil {
		return fmt.Errorf("etcd: %w", err)
	}

	saKey, saPub := filepath.Join(c.dir, "sa.key"), filepath.Join(c.dir, "sa.pub")
	if err := writeServiceAccountKey(saKey, saPub); err != nil {
		return err
	}
	tokens := filepath.Join(c.dir, "tokens.csv")
	if err := os.WriteFile(tokens, []byte(adminToken+`,skillc-e2e-admin,skillc-e2e-admin,"system:masters"`+"\n"+
		auditToken+","+auditUser+","+auditUser+`,"system:masters"`+"\n"), 0o600); err != nil {
		return err
	}
	c.auditLog = filepath.Join(c.dir, "audit.log")
	certDir := filepath.Join(c.dir, "certs")
	if err := c.spawn("kube-apiserver",
		"--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(apiPort),
		// A loopback advertise address cannot be published as the kubernetes Service's endpoint.
		"--endpoint-reconciler-type=none",
		"--cert-dir="+certDir,
		"--authorization-mode=RBAC",
		"--token-auth-file="+tokens,
		"--service-account-key-file="+saPub,
		"--service-account-signing-key-file="+saKey,
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-cluster-ip-range=10.96.0.0/24",
		// Pods with allow-listed host access are applied into a privileged namespace: the API
		// server must allow privileged containers at all for PodSecurity to be what decides.
		"--allow-privileged=true",
		// Metadata of auditUser's requests, written before the response returns (blocking).
		"--audit-policy-file="+filepath.Join(repoRoot, "e2e", "testdata", "audit-policy.yaml"),
		"--audit-log-path="+c.auditLog, "--audit-log-format=json", "--audit-log-mode=blocking",
	); err != nil {
		return err
	}
	host := "https://127.0.0.1:" + strconv.Itoa(apiPort)
	// The API server writes its self-signed serving certificate (and the CA that signed it) at
	// startup; wait for it, then trust exactly that.
	var ca []byte
	deadline := time.Now().Add(120 * time.Second)
	for {
		b, err := os.ReadFile(filepath.Join(certDir, "apiserver.crt"))
		if err == nil && len(b) > 0 {
			ca = b
			break
		}
		if time.Now().After(deadline) {
			return errors.New("kube-apiserver wrote no serving certificate in 120 s")
		}
		if err := c.exited(); err != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.admin = &rest.Config{Host: host, BearerToken: adminToken, TLSClientConfig: rest.TLSClientConfig{CAData: ca}, QPS: 200, Burst: 400}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if err := c.waitReady(host+"/readyz", hc, 180*time.Second); err != nil {
		return fmt.Errorf("kube-apiserver: %w", err)
	}
	c.startup = time.Since(began)

	c.kubeconfig = filepath.Join(c.dir, "kubeconfig")
	if err := os.WriteFile(c.kubeconfig, kubeconfig(host, ca, adminToken), 0o600); err != nil {
		return err
	}
	// The Job controller creates each run's Pod (so PodSecurity is enforced on what a Job really
	// produces); the garbage collector deletes a recreated Job's Pods; the namespace controller
	// empties deleted namespaces. No scheduler, no kubelet: Pods stay Pending.
	return c.spawn("kube-controller-manager",
		"--kubeconfig="+c.kubeconfig,
		"--bind-address=127.0.0.1", "--secure-port=0",
		"--leader-elect=false",
		"--controllers=job-controller,cronjob-controller,garbage-collector-controller,namespace-controller,serviceaccount-controller",
		"--concurrent-job-syncs=10",
	)
}

// exited reports a process that has died during startup.
func (c *controlPlane) exited() error {
	for _, p := range c.procs {
		if p.ProcessState != nil {
			return fmt.Errorf("%s exited: %v", filepath.Base(p.Path), p.ProcessState)
		}
		var ws syscall.WaitStatus
		pid, _ := syscall.Wait4(p.Process.Pid, &ws, syscall.WNOHANG, nil)
		if pid == p.Process.Pid {
			return fmt.Errorf("%s exited during startup (%v)", filepath.Base(p.Path), ws)
		}
	}
	return nil
}

func (c *controlPlane) waitReady(url string, hc *http.Client, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if err := c.exited(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s (last: %v)", url, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func waitHTTP(url string, hc *http.Client, timeout time.Duration) error {
	if hc == nil {
		hc = http.DefaultClient
	}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := hc.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not healthy after %s (last: %v)", url, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func writeServiceAccountKey(keyPath, pubPath string) error {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return err
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o600)
}

func kubeconfig(host string, ca []byte, token string) []byte {
	return fmt.Appendf(nil, `apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: e2e
  user:
    token: %s
contexts:
- name: e2e
  context: {cluster: e2e, user: e2e}
current-context: e2e
`, host, b64(ca), token)
}

// clientset returns a typed client as the admin, recording API warnings into w (nil: dropped).
func clientset(t *testing.T, w *warnings) *kubernetes.Clientset {
	t.Helper()
	cfg := rest.CopyConfig(cp.admin)
	if w != nil {
		cfg.WarningHandler = w
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
