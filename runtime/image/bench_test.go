package image_test

import (
	"bytes"
	"testing"

	"github.com/berth-dev/berth/runtime/image"
	"github.com/berth-dev/berth/runtime/image/imagetest"
)

// BenchmarkUnpackBusybox unpacks the busybox root file system (about 2 MB,
// 400 entries) into a fresh directory.
func BenchmarkUnpackBusybox(b *testing.B) {
	data, err := imagetest.BusyboxTar()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := image.Unpack(b.Context(), bytes.NewReader(data), b.TempDir()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPullBusybox pulls busybox from an in-process registry into an
// empty store: download, verification, unpacking and the index update.
func BenchmarkPullBusybox(b *testing.B) {
	ref := imagetest.Busybox(b, imagetest.Registry(b))
	for b.Loop() {
		s, err := image.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Pull(b.Context(), ref, image.PullOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
