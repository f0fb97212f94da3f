package image

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/zstd"
)

// ErrDigestMismatch: a blob's content does not hash to its digest.
var ErrDigestMismatch = errors.New("digest mismatch")

// addLayer makes sure layer's blob is stored and its content unpacked under
// its diff ID, downloading and extracting only what is missing.
func (s *Store) addLayer(ctx context.Context, layer v1.Layer, diffID v1.Hash, progress *reporter) (layerRecord, error) {
	digest, err := layer.Digest()
	if err != nil {
		return layerRecord{}, fmt.Errorf("layer digest: %w", err)
	}
	rec := layerRecord{Digest: digest, DiffID: diffID}
	id := shortID(digest.Hex)
	downloaded := false
	if !exists(s.blobPath(digest)) {
		if err := s.download(ctx, layer, digest, progress); err != nil {
			return rec, fmt.Errorf("download layer %s: %w", digest, err)
		}
		downloaded = true
	}
	if rec.Size, err = s.layerSize(diffID); err == nil {
		status := StatusExists
		if downloaded {
			status = StatusDone
		}
		progress.send(Event{Layer: id, Status: status})
		return rec, nil
	}
	progress.send(Event{Layer: id, Status: StatusExtracting})
	if rec.Size, err = s.extract(ctx, digest, diffID); err != nil {
		return rec, fmt.Errorf("extract layer %s: %w", digest, err)
	}
	progress.send(Event{Layer: id, Status: StatusDone})
	return rec, nil
}

// download copies layer's compressed content into the blob store,
// verifying it hashes to digest; a blob that does not is never stored.
func (s *Store) download(ctx context.Context, layer v1.Layer, digest v1.Hash, progress *reporter) error {
	rc, err := layer.Compressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	total, _ := layer.Size()
	counter := &progressReader{r: rc, id: shortID(digest.Hex), total: total, progress: progress}
	return s.writeBlob(ctx, counter, digest)
}

// writeBlob stores r's content as blob digest if it hashes to digest.
func (s *Store) writeBlob(ctx context.Context, r io.Reader, digest v1.Hash) error {
	dir := filepath.Dir(s.blobPath(digest))
	f, err := os.CreateTemp(dir, ".tmp-"+digest.Hex+"-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), contextReader{ctx, r})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := verify(h.Sum(nil), digest); err != nil {
		return err
	}
	return os.Rename(f.Name(), s.blobPath(digest))
}

func verify(sum []byte, want v1.Hash) error {
	if got := hex.EncodeToString(sum); want.Algorithm != "sha256" || got != want.Hex {
		return fmt.Errorf("%w: content is sha256:%s, want %s", ErrDigestMismatch, got, want)
	}
	return nil
}

// extract unpacks blob digest into a temporary directory beside its place,
// checks the uncompressed stream against diffID and renames it into place;
// on any failure nothing is left. If another process won the race, its
// directory is kept and ours dropped. It returns the uncompressed size.
func (s *Store) extract(ctx context.Context, digest, diffID v1.Hash) (int64, error) {
	blob, err := os.Open(s.blobPath(digest))
	if err != nil {
		return 0, err
	}
	defer blob.Close()
	tmp, err := os.MkdirTemp(s.path("layers"), ".tmp-"+diffID.Hex+"-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	size, err := unpackVerified(ctx, blob, filepath.Join(tmp, "diff"), diffID)
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(filepath.Join(tmp, "size"), []byte(strconv.FormatInt(size, 10)), 0o600); err != nil {
		return 0, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp, s.layerPath(diffID)); err != nil && !exists(s.layerPath(diffID)) {
		return 0, err
	}
	return size, nil
}

// unpackVerified decompresses r, unpacks it into dir and checks the tar
// hashes to diffID, returning the tar's size.
func unpackVerified(ctx context.Context, r io.Reader, dir string, diffID v1.Hash) (int64, error) {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return 0, err
	}
	tarStream, err := decompress(r)
	if err != nil {
		return 0, err
	}
	defer tarStream.Close()
	h := sha256.New()
	counted := &countingWriter{w: h}
	tee := io.TeeReader(tarStream, counted)
	if err := Unpack(ctx, tee, dir); err != nil {
		return 0, err
	}
	// The tar's end-of-archive padding belongs to the diff ID too.
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return 0, err
	}
	if err := verify(h.Sum(nil), diffID); err != nil {
		return 0, fmt.Errorf("diff ID: %w", err)
	}
	return counted.n, nil
}

// decompress recognizes gzip and zstd by their magic numbers; anything
// else is taken as a plain tar.
func decompress(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		return gzip.NewReader(br)
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		d, err := zstd.NewReader(br)
		if err != nil {
			return nil, err
		}
		return d.IOReadCloser(), nil
	}
	return io.NopCloser(br), nil
}

func (s *Store) layerSize(diffID v1.Hash) (int64, error) {
	data, err := os.ReadFile(filepath.Join(s.layerPath(diffID), "size"))
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// shortID is the 12-hex-digit form Docker shows for IDs and layers.
func shortID(hexDigest string) string {
	if len(hexDigest) > 12 {
		return hexDigest[:12]
	}
	return hexDigest
}
