package shim

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// create makes the container through the runtime's Creator, with the
// container's stdio, and returns init's pid, the streams to log and, with
// an open stdin, the write end of init's stdin to hold.
func create(dir string, cfg *Config, creator Creator) (int, []stream, *os.File, error) {
	std, err := newStdio(cfg)
	if err != nil {
		return 0, nil, nil, err
	}
	// init has its own copies of the child ends once it is started.
	defer std.closeChildEnds()
	childEnds := Stdio{Stdin: std.stdin, Stdout: std.stdout, Stderr: std.stderr, Console: std.consoleChild}
	pid, err := creator(dir, cfg, childEnds)
	if err != nil {
		std.closeParentEnds()
		return 0, nil, nil, err
	}
	streams, err := std.streams()
	return pid, streams, std.stdinKeep, err
}

// stdio are the container's standard streams: the child ends go to init,
// the parent ends stay with the shim.
type stdio struct {
	stdin, stdout, stderr *os.File // child ends
	consoleChild          *os.File
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
	s.consoleChild = os.NewFile(uintptr(fds[1]), "console-child")
	return nil
}

func (s *stdio) closeChildEnds() {
	for _, f := range []*os.File{s.stdin, s.stdout, s.stderr, s.consoleChild} {
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
