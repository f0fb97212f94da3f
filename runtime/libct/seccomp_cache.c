//go:build seccomp

// The recording half of the compiled-filter cache (seccomp_cache.go says
// why). The linker redirects libseccomp's calls that change a filter to
// the __wrap_ functions here (-Wl,--wrap, set in seccomp_cache.go): each
// appends the call and its arguments and result to a record kept per
// filter, then makes the real call; seccomp_export_bpf goes to Go, which
// serves the program from the cache when the record matches one compiled
// before.

#include <pthread.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "_cgo_export.h"

scmp_filter_ctx __real_seccomp_init(uint32_t def_action);
int __real_seccomp_reset(scmp_filter_ctx ctx, uint32_t def_action);
void __real_seccomp_release(scmp_filter_ctx ctx);
int __real_seccomp_merge(scmp_filter_ctx dst, scmp_filter_ctx src);
int __real_seccomp_arch_add(scmp_filter_ctx ctx, uint32_t arch);
int __real_seccomp_arch_remove(scmp_filter_ctx ctx, uint32_t arch);
int __real_seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value);
int __real_seccomp_syscall_priority(scmp_filter_ctx ctx, int syscall, uint8_t priority);
int __real_seccomp_rule_add_array(scmp_filter_ctx ctx, uint32_t action, int syscall,
				  unsigned int count, const struct scmp_arg_cmp *args);
int __real_seccomp_rule_add_exact_array(scmp_filter_ctx ctx, uint32_t action, int syscall,
					unsigned int count, const struct scmp_arg_cmp *args);

// A record is the byte string of every change made to one filter since
// seccomp_init or seccomp_reset. A filter whose record cannot be kept
// (out of memory, merged with another, too many filters at once) is
// marked uncacheable and always compiled.
struct record {
	scmp_filter_ctx ctx;
	unsigned char *buf;
	size_t len, cap;
	int cacheable;
};

// libcontainer's init builds one filter; a few slots cover any other user.
// The lock keeps two goroutines building filters at once from taking the
// same slot; libseccomp-golang already serialises calls on one filter.
#define RECORDS 4
static struct record records[RECORDS];
static pthread_mutex_t records_lock = PTHREAD_MUTEX_INITIALIZER;

enum op {
	OP_INIT = 1, OP_ARCH_ADD, OP_ARCH_REMOVE, OP_ATTR_SET, OP_PRIORITY, OP_RULE, OP_RULE_EXACT,
};

static struct record *find(scmp_filter_ctx ctx)
{
	for (int i = 0; i < RECORDS; i++)
		if (ctx != NULL && records[i].ctx == ctx)
			return &records[i];
	return NULL;
}

static void put(struct record *r, const void *p, size_t n)
{
	if (r == NULL || !r->cacheable)
		return;
	if (r->len + n > r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16384;
		while (cap < r->len + n)
			cap *= 2;
		unsigned char *buf = realloc(r->buf, cap);
		if (buf == NULL) {
			r->cacheable = 0;
			return;
		}
		r->buf = buf;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
}

static void put32(struct record *r, uint32_t v) { put(r, &v, sizeof(v)); }
static void put64(struct record *r, uint64_t v) { put(r, &v, sizeof(v)); }

// begin starts the record of ctx over, as seccomp_init or seccomp_reset
// with def_action leave it.
static void begin(scmp_filter_ctx ctx, uint32_t def_action)
{
	pthread_mutex_lock(&records_lock);
	struct record *r = find(ctx);
	for (int i = 0; r == NULL && i < RECORDS; i++)
		if (records[i].ctx == NULL)
			r = &records[i];
	if (r != NULL) {
		r->ctx = ctx;
		r->len = 0;
		r->cacheable = 1;
		put32(r, OP_INIT);
		put32(r, def_action);
	}
	// No slot: find() fails later and the filter is always compiled.
	pthread_mutex_unlock(&records_lock);
}

static void forget(scmp_filter_ctx ctx)
{
	pthread_mutex_lock(&records_lock);
	struct record *r = find(ctx);
	if (r != NULL) {
		free(r->buf);
		memset(r, 0, sizeof(*r));
	}
	pthread_mutex_unlock(&records_lock);
}

scmp_filter_ctx __wrap_seccomp_init(uint32_t def_action)
{
	scmp_filter_ctx ctx = __real_seccomp_init(def_action);
	if (ctx != NULL)
		begin(ctx, def_action);
	return ctx;
}

int __wrap_seccomp_reset(scmp_filter_ctx ctx, uint32_t def_action)
{
	int rc = __real_seccomp_reset(ctx, def_action);
	if (rc == 0)
		begin(ctx, def_action);
	else
		forget(ctx);
	return rc;
}

void __wrap_seccomp_release(scmp_filter_ctx ctx)
{
	forget(ctx);
	__real_seccomp_release(ctx);
}

int __wrap_seccomp_merge(scmp_filter_ctx dst, scmp_filter_ctx src)
{
	struct record *r = find(dst);
	if (r != NULL)
		r->cacheable = 0;
	forget(src); // libseccomp releases src on success; on failure it stays unrecorded
	return __real_seccomp_merge(dst, src);
}

// Every call below is recorded with its result: the same calls with the
// same results leave the same filter.

int __wrap_seccomp_arch_add(scmp_filter_ctx ctx, uint32_t arch)
{
	int rc = __real_seccomp_arch_add(ctx, arch);
	struct record *r = find(ctx);
	put32(r, OP_ARCH_ADD);
	put32(r, arch);
	put32(r, (uint32_t)rc);
	return rc;
}

int __wrap_seccomp_arch_remove(scmp_filter_ctx ctx, uint32_t arch)
{
	int rc = __real_seccomp_arch_remove(ctx, arch);
	struct record *r = find(ctx);
	put32(r, OP_ARCH_REMOVE);
	put32(r, arch);
	put32(r, (uint32_t)rc);
	return rc;
}

int __wrap_seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value)
{
	int rc = __real_seccomp_attr_set(ctx, attr, value);
	struct record *r = find(ctx);
	put32(r, OP_ATTR_SET);
	put32(r, (uint32_t)attr);
	put32(r, value);
	put32(r, (uint32_t)rc);
	return rc;
}

int __wrap_seccomp_syscall_priority(scmp_filter_ctx ctx, int syscall, uint8_t priority)
{
	int rc = __real_seccomp_syscall_priority(ctx, syscall, priority);
	struct record *r = find(ctx);
	put32(r, OP_PRIORITY);
	put32(r, (uint32_t)syscall);
	put32(r, priority);
	put32(r, (uint32_t)rc);
	return rc;
}

static void put_rule(struct record *r, uint32_t op, uint32_t action, int syscall,
		     unsigned int count, const struct scmp_arg_cmp *args, int rc)
{
	put32(r, op);
	put32(r, action);
	put32(r, (uint32_t)syscall);
	put32(r, count);
	for (unsigned int i = 0; i < count; i++) {
		put32(r, args[i].arg);
		put32(r, (uint32_t)args[i].op);
		put64(r, args[i].datum_a);
		put64(r, args[i].datum_b);
	}
	put32(r, (uint32_t)rc);
}

int __wrap_seccomp_rule_add_array(scmp_filter_ctx ctx, uint32_t action, int syscall,
				  unsigned int count, const struct scmp_arg_cmp *args)
{
	int rc = __real_seccomp_rule_add_array(ctx, action, syscall, count, args);
	put_rule(find(ctx), OP_RULE, action, syscall, count, args, rc);
	return rc;
}

int __wrap_seccomp_rule_add_exact_array(scmp_filter_ctx ctx, uint32_t action, int syscall,
					unsigned int count, const struct scmp_arg_cmp *args)
{
	int rc = __real_seccomp_rule_add_exact_array(ctx, action, syscall, count, args);
	put_rule(find(ctx), OP_RULE_EXACT, action, syscall, count, args, rc);
	return rc;
}

int __wrap_seccomp_export_bpf(const scmp_filter_ctx ctx, int fd)
{
	struct record *r = find(ctx);
	if (r == NULL || !r->cacheable)
		return berthSeccompExport(ctx, fd, NULL, 0);
	return berthSeccompExport(ctx, fd, r->buf, r->len);
}
