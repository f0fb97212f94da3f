package shim

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// create runs the helper that creates the container with the container's
// stdio, and returns init's pid, the streams to log and, with an open
// stdin, the write end of init's stdin to hold. The helper writes
// "ok <pid>" or "error <reason>" on its fd 3.
func create(cfg *Config) (int, []stream, *os.File, error) {
	std, err := newStdio(cfg)
	if err != nil {
		return 0, nil, nil, err
	}
	defer std.closeChildEnds()
	result, resultW, err := os.Pipe()
	if err != nil {
		return 0, nil, nil, fmt.Errorf("result pipe: %w", err)
	}
	defer result.Close()
	cmd := &exec.Cmd{
		Path:       "/proc/self/exe",
		Args:       cfg.Helper,
		Stdin:      std.stdin,
		Stdout:     std.stdout,
		Stderr:     std.stderr,
		ExtraFiles: append([]*os.File{resultW}, std.extra...),
	}
	if err := cmd.Start(); err != nil {
		resultW.Close()
		return 0, nil, nil, fmt.Errorf("start create helper: %w", err)
	}
	resultW.Close()
	line, _ := bufio.NewReader(result).ReadString('\n')
	waitErr := cmd.Wait()
	pid, err := parseResult(line, waitErr)
	if err != nil {
		std.closeParentEnds()
		return 0, nil, nil, err
	}
	streams, err := std.streams()
	return pid, streams, std.stdinKeep, err
}

func parseResult(line string, waitErr error) (int, error) {
	line = strings.TrimSuffix(line, "\n")
	if rest, ok := strings.CutPrefix(line, "ok "); ok {
		return strconv.Atoi(rest)
	}
	if rest, ok := strings.CutPrefix(line, "error "); ok {
		return 0, fmt.Errorf("%s", rest)
	}
	return 0, fmt.Errorf("create helper: %w", waitErr)
}

// stdio are the container's standard streams: the child ends go to the
// helper (and so to init), the parent ends stay with the shim.
type stdio struct {
	stdin, stdout, stderr *os.File // child ends
	extra                 []*os.File
	stdinKeep             *os.File // write end of an open stdin, never written
	outR, errR            *os.File
	console               *os.File // our end of the console socket
}

func newStdio(cfg *Config) (*stdio, error) {
	s := &stdio{}
	var err error
	if s.stdin, err = openStdin(cfg.OpenStdin, &s.stdinKeep); err != nil {
		return nil, err
	}
	if cfg.TTY {
		return s, s.consoleSocket()
	}
	if s.outR, s.stdout, err = os.Pipe(); err != nil {
		return nil, fmt.Errorf("stdout pipe: %w", err)
	}
	if s.errR, s.stderr, err = os.Pipe(); err != nil {
		return nil, fmt.Errorf("stderr pipe: %w", err)
	}
	return s, nil
}

func openStdin(open bool, keep **os.File) (*os.File, error) {
	if !open {
		return os.Open(os.DevNull)
	}
	r, w, err := os.Pipe()
	*keep = w
	return r, err
}

// consoleSocket makes the socket on which libcontainer's init sends the
// master end of the container's terminal.
func (s *stdio) consoleSocket() error {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("console socket: %w", err)
	}
	s.console = os.NewFile(uintptr(fds[0]), "console")
	s.extra = []*os.File{os.NewFile(uintptr(fds[1]), "console-child")}
	return nil
}

func (s *stdio) closeChildEnds() {
	for _, f := range append([]*os.File{s.stdin, s.stdout, s.stderr}, s.extra...) {
		if f != nil {
			f.Close()
		}
	}
}

func (s *stdio) closeParentEnds() {
	for _, f := range []*os.File{s.outR, s.errR, s.console, s.stdinKeep} {
		if f != nil {
			f.Close()
		}
	}
}

// streams returns what to log: the two pipes, or the terminal's master.
func (s *stdio) streams() ([]stream, error) {
	if s.console == nil {
		return []stream{{"stdout", s.outR}, {"stderr", s.errR}}, nil
	}
	defer s.console.Close()
	master, err := RecvFile(s.console)
	if err != nil {
		return nil, fmt.Errorf("receive console: %w", err)
	}
	return []stream{{"stdout", master}}, nil
}

// RecvFile receives one file descriptor sent with SCM_RIGHTS (unix(7)):
// the master end of a terminal, which libcontainer's init sends on its
// console socket.
func RecvFile(sock *os.File) (*os.File, error) {
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := unix.Recvmsg(int(sock.Fd()), buf, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		return nil, err
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return nil, fmt.Errorf("no control message: %w", err)
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return nil, fmt.Errorf("no file descriptor: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "console-master"), nil
}
