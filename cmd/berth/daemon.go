package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-dev/berth/api"
	"github.com/berth-dev/berth/netdns"
	"github.com/berth-dev/berth/project"
	"github.com/berth-dev/berth/runtime/image"
	"github.com/berth-dev/berth/runtime/libct"
	"github.com/berth-dev/berth/scheduler"
	"github.com/berth-dev/berth/volumes"
)

func init() { verbs = append(verbs, newDaemonCommand) }

func newDaemonCommand(global *globalOptions, streams Streams) *cobra.Command {
	var socket string
	cmd := &cobra.Command{
		Use:    "daemon",
		Short:  "Run the berth daemon (started on demand by the other commands)",
		Args:   cobra.NoArgs,
		Hidden: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if socket == "" {
				socket = global.socket()
			}
			return runDaemon(cmd.Context(), global.stateRoot(), socket, streams)
		},
	}
	cmd.Flags().StringVar(&socket, "socket", "", "unix socket to listen on (default /run/berth/berth.sock)")
	return cmd
}

// runDaemon opens every part of the engine on root — each re-adopts what
// its state on disk records: containers keep running under their shims,
// networks keep their bridges, rules and names — and serves the API on
// socket until ctx ends.
func runDaemon(ctx context.Context, root, socket string, streams Streams) error {
	log := slog.New(slog.NewTextHandler(streams.Err, nil))
	ensureSystemPath()
	engine, closeAll, err := openEngine(ctx, root)
	if err != nil {
		return err
	}
	defer closeAll()
	if err := engine.Readopt(ctx); err != nil {
		return err
	}
	l, err := api.Listen(ctx, socket)
	if err != nil {
		return err
	}
	// The pid file lets tools (and tests) end exactly this daemon.
	pidFile := filepath.Join(filepath.Dir(socket), "daemon.pid")
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return err
	}
	defer os.Remove(pidFile)
	log.Info("berth daemon listening", "socket", socket, "root", root)
	return api.NewServer(&api.EngineBackend{Engine: engine}).Serve(ctx, l)
}

func openEngine(ctx context.Context, root string) (*scheduler.Engine, func(), error) {
	rt, err := libct.New(filepath.Join(root, "runtime"), libct.Options{Exe: runtimeExe})
	if err != nil {
		return nil, nil, fmt.Errorf("open runtime: %w", err)
	}
	releaseRuntimeExe() // copied into the runtime's memfd: not needed again
	images, err := image.Open(filepath.Join(root, "images"))
	if err != nil {
		return nil, nil, fmt.Errorf("open image store: %w", err)
	}
	vols, err := volumes.Open(root)
	if err != nil {
		return nil, nil, fmt.Errorf("open volume store: %w", err)
	}
	vols.Version = project.ComposeVersion
	nets, err := netdns.Open(ctx, netdns.Options{Root: filepath.Join(root, "network")})
	if err != nil {
		return nil, nil, fmt.Errorf("open networks: %w", err)
	}
	engine, err := scheduler.NewEngine(ctx, scheduler.EngineConfig{Root: filepath.Join(root, "engine"),
		Runtime: rt, Images: images, Volumes: vols, Networks: nets})
	if err != nil {
		nets.Close()
		return nil, nil, err
	}
	return engine, func() { nets.Close() }, nil
}

// ensureSystemPath adds the system binary directories to PATH when the
// caller's lacks them: the daemon runs tools such as nft, which Debian
// keeps in /usr/sbin, and a user's PATH often leaves that out.
func ensureSystemPath() {
	path := os.Getenv("PATH")
	have := map[string]bool{}
	for _, dir := range filepath.SplitList(path) {
		have[dir] = true
	}
	for _, dir := range []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"} {
		if !have[dir] {
			path += string(filepath.ListSeparator) + dir
		}
	}
	os.Setenv("PATH", strings.TrimPrefix(path, string(filepath.ListSeparator)))
}
