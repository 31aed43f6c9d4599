// Package server is a stand-in for nats-server's server package, used by
// tools/natsgo_suite/run.sh to build nats.go's own tests without the
// nats-server Go module. It declares only what those tests touch; a Server
// is an external server process (nats-server or our gateway, chosen by the
// NATSGO_SUITE_SERVER environment variable) started with a configuration
// file written from the Options.
package server

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// JSApiStreamLeaderStepDownT is the stream leader step-down API subject.
const JSApiStreamLeaderStepDownT = "$JS.API.STREAM.LEADER.STEPDOWN.%s"

// ClusterOpts are the route listener settings; any makes the test "n/a".
type ClusterOpts struct {
	Name string
	Host string
	Port int
}

// JSLimitOpts are the server-wide JetStream limits.
type JSLimitOpts struct {
	MaxRequestBatch int
	MaxAckPending   int
	MaxHAAssets     int
	Duplicates      time.Duration
}

// Options holds the settings the tests set; they become a config file.
type Options struct {
	ConfigFile            string
	ServerName            string
	Host                  string
	Port                  int
	NoLog                 bool
	NoSigs                bool
	Debug                 bool
	Trace                 bool
	MaxControlLine        int32
	MaxPayload            int32
	DisableShortFirstPing bool
	JetStream             bool
	JetStreamDomain       string
	JetStreamMaxMemory    int64
	JetStreamMaxStore     int64
	JetStreamLimits       JSLimitOpts
	StoreDir              string
	Cluster               ClusterOpts
	Routes                []*url.URL
	Tags                  []string
	LameDuckDuration      time.Duration
	LameDuckGracePeriod   time.Duration
}

// JetStreamConfig reports where the server keeps its streams.
type JetStreamConfig struct {
	MaxMemory int64
	MaxStore  int64
	StoreDir  string
	Domain    string
}

// Server is a running external server process.
type Server struct {
	cmd      *exec.Cmd
	done     chan struct{}
	work     string
	url      string
	js       *JetStreamConfig
	shutdown bool
}

// RoutesFromStr parses a comma separated list of route URLs.
func RoutesFromStr(routesStr string) []*url.URL {
	var urls []*url.URL
	for _, r := range strings.Split(routesStr, ",") {
		if u, err := url.Parse(strings.TrimSpace(r)); err == nil {
			urls = append(urls, u)
		}
	}
	return urls
}

// NotApplicable marks the running test as needing what the suite does not
// provide (routes, server internals) and ends the test binary.
func NotApplicable(why string) {
	fmt.Printf("\nNATSGO_SUITE_NA: %s\n", why)
	os.Exit(77)
}

func ours() bool { return os.Getenv("NATSGO_SUITE_KIND") == "ours" }

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

func configText(o *Options, storeDir string) string {
	var b strings.Builder
	host := o.Host
	if host == "" {
		host = "127.0.0.1"
	}
	port := o.Port
	if port == 0 {
		port = 4222
	}
	fmt.Fprintf(&b, "listen: %s\n", quote(fmt.Sprintf("%s:%d", host, port)))
	if o.ServerName != "" {
		fmt.Fprintf(&b, "server_name: %s\n", quote(o.ServerName))
	}
	if o.MaxPayload > 0 {
		fmt.Fprintf(&b, "max_payload: %d\n", o.MaxPayload)
	}
	if o.JetStream {
		fmt.Fprintf(&b, "jetstream {\n  store_dir: %s\n", quote(storeDir))
		if o.JetStreamDomain != "" {
			fmt.Fprintf(&b, "  domain: %s\n", quote(o.JetStreamDomain))
		}
		if o.JetStreamMaxMemory != 0 {
			fmt.Fprintf(&b, "  max_mem: %d\n", o.JetStreamMaxMemory)
		}
		if o.JetStreamMaxStore != 0 {
			fmt.Fprintf(&b, "  max_file: %d\n", o.JetStreamMaxStore)
		}
		if l := o.JetStreamLimits; l != (JSLimitOpts{}) {
			b.WriteString("  limits {\n")
			if l.MaxAckPending != 0 {
				fmt.Fprintf(&b, "    max_ack_pending: %d\n", l.MaxAckPending)
			}
			if l.MaxRequestBatch != 0 {
				fmt.Fprintf(&b, "    max_request_batch: %d\n", l.MaxRequestBatch)
			}
			if l.MaxHAAssets != 0 {
				fmt.Fprintf(&b, "    max_ha_assets: %d\n", l.MaxHAAssets)
			}
			if l.Duplicates != 0 {
				fmt.Fprintf(&b, "    duplicate_window: %q\n", l.Duplicates.String())
			}
			b.WriteString("  }\n")
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// Start runs the server of NATSGO_SUITE_SERVER with either the given
// Options or, when configFile is set, that file.
func Start(o *Options, configFile string) (*Server, error) {
	if o != nil && (o.Cluster.Port != 0 || len(o.Routes) > 0) {
		NotApplicable("cluster (routes between servers)")
	}
	if configFile != "" {
		if text, err := os.ReadFile(configFile); err == nil {
			for _, block := range []string{"leafnodes", "cluster", "gateway"} {
				if strings.Contains(string(text), block) {
					NotApplicable(block + " in the configuration file")
				}
			}
		}
	}
	exe := os.Getenv("NATSGO_SUITE_SERVER")
	if exe == "" {
		return nil, fmt.Errorf("NATSGO_SUITE_SERVER is not set")
	}
	work, err := os.MkdirTemp("", "natsgo_srv_")
	if err != nil {
		return nil, err
	}
	s := &Server{work: work, done: make(chan struct{})}
	storeDir := ""
	if o != nil && configFile == "" {
		storeDir = o.StoreDir
		if storeDir == "" && o.JetStream {
			if storeDir, err = os.MkdirTemp("", "natsgo_js_"); err != nil {
				return nil, err
			}
		}
		configFile = filepath.Join(work, "server.conf")
		if err := os.WriteFile(configFile, []byte(configText(o, storeDir)), 0644); err != nil {
			return nil, err
		}
	}
	ports := filepath.Join(work, "ports")
	if err := os.Mkdir(ports, 0755); err != nil {
		return nil, err
	}
	args := []string{"-c", configFile, "--ports_file_dir", ports}
	if ours() {
		args = append(args, "--grpc_listen=127.0.0.1:0")
	}
	log, err := os.Create(filepath.Join(work, "server.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, args...)
	cmd.Stdout, cmd.Stderr = log, log
	// A configuration without store_dir puts streams under $TMPDIR.
	cmd.Env = append(os.Environ(), "TMPDIR="+work)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s.cmd = cmd
	go func() { cmd.Wait(); log.Close(); close(s.done) }()
	if err := s.waitReady(); err != nil {
		s.Shutdown()
		text, _ := os.ReadFile(log.Name())
		return nil, fmt.Errorf("%v; server log:\n%s", err, text)
	}
	if s.js != nil {
		switch {
		case storeDir != "":
			s.js.StoreDir = storeDir
		case ours():
			s.js.StoreDir = filepath.Join(work, "jsengine", "jetstream")
		default:
			s.js.StoreDir = filepath.Join(work, "nats", "jetstream")
		}
	}
	return s, nil
}

func (s *Server) waitReady() error {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("server exited at start")
		default:
		}
		files, _ := filepath.Glob(filepath.Join(s.work, "ports", "*.ports"))
		if len(files) > 0 {
			var p struct {
				Nats []string `json:"nats"`
			}
			if data, err := os.ReadFile(files[0]); err == nil && json.Unmarshal(data, &p) == nil && len(p.Nats) > 0 {
				if err := s.readInfo(p.Nats[0]); err == nil {
					return nil
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("server not ready in 20s")
}

// readInfo connects once to learn whether JetStream is on.
func (s *Server) readInfo(u string) error {
	pu, err := url.Parse(u)
	if err != nil {
		return err
	}
	c, err := net.DialTimeout("tcp", pu.Host, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "INFO ") {
		return fmt.Errorf("no INFO: %v", err)
	}
	var info struct {
		JetStream bool `json:"jetstream"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(line[5:])), &info); err != nil {
		return err
	}
	if info.JetStream {
		s.js = &JetStreamConfig{}
	}
	s.url = fmt.Sprintf("nats://%s", pu.Host)
	return nil
}

// ClientURL is the URL clients connect to.
func (s *Server) ClientURL() string { return s.url }

// JetStreamConfig is nil when JetStream is off.
func (s *Server) JetStreamConfig() *JetStreamConfig {
	if s.js == nil {
		return nil
	}
	c := *s.js
	return &c
}

// Shutdown stops the process (SIGTERM, then SIGKILL after 10s) and waits.
func (s *Server) Shutdown() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	if !s.shutdown {
		s.shutdown = true
		s.cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	os.RemoveAll(filepath.Join(s.work, "ports"))
}

// WaitForShutdown waits for the process to exit.
func (s *Server) WaitForShutdown() {
	if s.cmd != nil {
		<-s.done
	}
}
