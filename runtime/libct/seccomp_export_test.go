//go:build seccomp

package libct

// SeccompCacheKey lets the tests name a record they made themselves.
var SeccompCacheKey = seccompCacheKey
