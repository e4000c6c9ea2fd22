// Package s3test runs a real S3-compatible server, versitygw over a
// temporary folder, on a free loopback port for tests. It does not install
// versitygw: scripts/versitygw.sh does, and tests that need a server skip
// with a message saying so when the binary is missing.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"go/build"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// ErrNoBinary is returned by Start when versitygw is not installed.
var ErrNoBinary = errors.New("versitygw is not installed (scripts/versitygw.sh install)")

// Server is a running versitygw.
type Server struct {
	// Endpoint is http://127.0.0.1:PORT; AccessKey and SecretKey are its
	// root user's keys.
	Endpoint  string
	AccessKey string
	SecretKey string
	// Dir holds the buckets, one folder each.
	Dir string

	addr string
	bin  string
	mu   sync.Mutex
	cmd  *exec.Cmd
	log  *os.File
}

// Binary returns the path of versitygw: on PATH, else in GOPATH/bin.
func Binary() (string, error) {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	p := filepath.Join(build.Default.GOPATH, "bin", "versitygw")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", ErrNoBinary
}

// Start runs versitygw over a new folder in dir on a free loopback port and
// waits until it answers.
func Start(dir string) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s := &Server{Endpoint: "http://" + addr, AccessKey: randomHex(10),
		SecretKey: randomHex(20), Dir: filepath.Join(dir, "data"), addr: addr, bin: bin}
	for _, d := range []string{s.Dir, filepath.Join(dir, "meta")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	if s.log, err = os.Create(filepath.Join(dir, "versitygw.log")); err != nil {
		return nil, err
	}
	return s, s.start()
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	meta := filepath.Join(filepath.Dir(s.Dir), "meta")
	cmd := exec.Command(s.bin, "--port", s.addr, "--quiet", "--keep-alive",
		"--health", "/health", "posix", "--sidecar", meta, s.Dir)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY_ID="+s.AccessKey,
		"ROOT_SECRET_ACCESS_KEY="+s.SecretKey)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting versitygw: %w", err)
	}
	s.cmd = cmd
	return waitHealthy(s.Endpoint + "/health")
}

func waitHealthy(url string) error {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("versitygw did not answer on %s within 20 s", url)
}

// Stop kills the server; its folder stays.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Restart stops the server, waits for pause, and starts it again on the
// same port over the same folder.
func (s *Server) Restart(pause time.Duration) error {
	s.Stop()
	time.Sleep(pause)
	return s.start()
}

// Close stops the server and closes its log.
func (s *Server) Close() {
	s.Stop()
	s.log.Close()
}

// Bucket creates a bucket with a fresh name and returns the name.
func (s *Server) Bucket(ctx context.Context) (string, error) {
	name := "b" + randomHex(8)
	if err := s.Client().MakeBucket(ctx, name, minio.MakeBucketOptions{}); err != nil {
		return "", fmt.Errorf("creating bucket %s: %w", name, err)
	}
	return name, nil
}

// Client returns an S3 client with the root user's keys.
func (s *Server) Client() *minio.Client {
	c, err := minio.New(s.addr, &minio.Options{
		Creds:        credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""),
		BucketLookup: minio.BucketLookupPath,
		Region:       "us-east-1",
	})
	if err != nil {
		panic(err) // only a malformed address fails, and addr comes from a listener
	}
	return c
}

// Env returns the AWS_* variables that point a client at the server.
func (s *Server) Env() map[string]string {
	return map[string]string{
		"AWS_ACCESS_KEY_ID":     s.AccessKey,
		"AWS_SECRET_ACCESS_KEY": s.SecretKey,
		"AWS_ENDPOINT_URL":      s.Endpoint,
		"AWS_REGION":            "us-east-1",
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
