//go:build seccomp

// The recording half of the compiled-filter cache (seccomp_cache.go says
// why). The linker redirects libseccomp's calls that change a filter to
// the __wrap_ functions here (-Wl,--wrap, set in seccomp_cache.go): each
// appends the call and its arguments and result to a record kept per
// filter; seccomp_export_bpf goes to Go, which serves the program from the
// cache when the record matches one compiled before.
//
// Adding Docker's ~400 rules is itself most of what libseccomp costs once
// the program comes from the cache. So a rule (and a syscall priority) is
// not made at once when the records of earlier inits, the candidates,
// show the same calls up to here: the call is recorded with the result the
// candidates recorded for it, and left pending. Should the calls part from
// every candidate, or anything need the filter as libseccomp holds it
// (another kind of change, a load, a merge, an export the cache cannot
// serve), the pending calls are first made for real, in order, and must
// give the results recorded for them; if one does not, the filter is
// poisoned and cannot be exported or loaded, so that a container never
// runs under a filter other than the one asked for. Only the candidates'
// records decide what is skipped, and they are records of the same calls
// made for real by the same libseccomp on the same kernel (Go checks each
// candidate's name against its content before handing it here).

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
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
int __real_seccomp_load(const scmp_filter_ctx ctx);
static int real_rule_add(uint32_t op, scmp_filter_ctx ctx, uint32_t action, int syscall,
			 unsigned int count, const struct scmp_arg_cmp *args);
int __real_seccomp_export_pfc(const scmp_filter_ctx ctx, int fd);

// A record is the byte string of every change made to one filter since
// seccomp_init or seccomp_reset. A filter whose record cannot be kept
// (out of memory, merged with another, too many filters at once) is
// marked uncacheable and always compiled.
struct record {
	scmp_filter_ctx ctx;
	unsigned char *buf;
	size_t len, cap;
	int cacheable;
	size_t applied;	// buf[:applied] has been made on the real filter
	uint32_t live;	// the candidates whose records begin with buf[:len]
	int poisoned;	// a pending call's real result differed from its record
};

// The candidates: records of filters compiled before, set once by Go
// before any filter is built, never freed (init is short-lived).
#define CANDIDATES 32
static const unsigned char *candidate_buf[CANDIDATES];
static size_t candidate_len[CANDIDATES];
static int candidates;

void berth_seccomp_candidate(const unsigned char *buf, size_t len)
{
	if (candidates < CANDIDATES) {
		candidate_buf[candidates] = buf;
		candidate_len[candidates] = len;
		candidates++;
	}
}

// narrow keeps the live candidates that also hold buf[from:len].
static void narrow(struct record *r, size_t from)
{
	if (r->buf == NULL) {
		r->live = 0; // nothing recorded: nothing to match
		return;
	}
	for (int i = 0; i < candidates; i++) {
		if (!(r->live & (1u << i)))
			continue;
		if (candidate_len[i] < r->len || memcmp(candidate_buf[i] + from, r->buf + from, r->len - from) != 0)
			r->live &= ~(1u << i);
	}
}

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
		r->poisoned = 0;
		put32(r, OP_INIT);
		put32(r, def_action);
		r->applied = r->len;
		r->live = candidates == 32 ? UINT32_MAX : (1u << candidates) - 1;
		narrow(r, 0);
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

// An entry is one call as the record holds it: the call and its arguments
// (the "call" part, compared with the candidates), then its result.
struct entry {
	unsigned char b[16 + 24 * 8 + 4];
	size_t n;
	int ok; // fits: a rule with more arguments than b holds is never deferred
};

static void e32(struct entry *e, uint32_t v)
{
	if (e->n + 4 > sizeof(e->b)) {
		e->ok = 0;
		return;
	}
	memcpy(e->b + e->n, &v, 4);
	e->n += 4;
}

static void e64(struct entry *e, uint64_t v)
{
	e32(e, (uint32_t)v);
	e32(e, (uint32_t)(v >> 32));
}

static void rule_entry(struct entry *e, uint32_t op, uint32_t action, int syscall,
		       unsigned int count, const struct scmp_arg_cmp *args)
{
	e->n = 0;
	e->ok = 1;
	e32(e, op);
	e32(e, action);
	e32(e, (uint32_t)syscall);
	e32(e, count);
	for (unsigned int i = 0; i < count && e->ok; i++) {
		e32(e, args[i].arg);
		e32(e, (uint32_t)args[i].op);
		e64(e, args[i].datum_a);
		e64(e, args[i].datum_b);
	}
}

// recorded finds the result the candidates recorded for call e at the end
// of r, keeping live only the candidates that made it; it returns 0 when
// none did.
static int recorded(struct record *r, const struct entry *e, int *rc)
{
	uint32_t live = 0;
	int found = 0;
	for (int i = 0; i < candidates; i++) {
		if (!(r->live & (1u << i)) || candidate_len[i] < r->len + e->n + 4 ||
		    memcmp(candidate_buf[i] + r->len, e->b, e->n) != 0)
			continue;
		int32_t v;
		memcpy(&v, candidate_buf[i] + r->len + e->n, 4);
		if (found && v != *rc)
			continue; // cannot happen for records of one libseccomp; keep the first
		*rc = v;
		found = 1;
		live |= 1u << i;
	}
	if (found)
		r->live = live;
	return found;
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

// materialize makes r's pending calls on the real filter, in order,
// poisoning r if one gives another result than the one recorded.
static void materialize(struct record *r)
{
	const unsigned char *p = r->buf + r->applied, *end = r->buf + r->len;
	while (p < end && !r->poisoned) {
		uint32_t op = get32(p);
		int rc;
		if (op == OP_PRIORITY) {
			rc = __real_seccomp_syscall_priority(r->ctx, (int)get32(p + 4), (uint8_t)get32(p + 8));
			p += 12;
		} else if (op == OP_RULE || op == OP_RULE_EXACT) {
			uint32_t action = get32(p + 4), count = get32(p + 12);
			int syscall = (int)get32(p + 8);
			struct scmp_arg_cmp args[8];
			p += 16;
			if (count > 8) { // never recorded (see rule_entry)
				r->poisoned = 1;
				break;
			}
			for (uint32_t i = 0; i < count; i++, p += 24) {
				args[i].arg = get32(p);
				args[i].op = (enum scmp_compare)get32(p + 4);
				args[i].datum_a = get32(p + 8) | (uint64_t)get32(p + 12) << 32;
				args[i].datum_b = get32(p + 16) | (uint64_t)get32(p + 20) << 32;
			}
			rc = real_rule_add(op, r->ctx, action, syscall, count, args);
		} else {
			r->poisoned = 1; // only deferred calls are ever pending
			break;
		}
		if ((uint32_t)rc != get32(p))
			r->poisoned = 1;
		p += 4;
	}
	r->applied = r->len;
}

// settle makes ctx's pending calls before anything that needs the filter
// as libseccomp holds it; it returns -ECANCELED for a poisoned filter.
static int settle(struct record *r)
{
	if (r == NULL)
		return 0;
	if (r->applied < r->len)
		materialize(r);
	return r->poisoned ? -ECANCELED : 0;
}

// change makes a call that changes the filter at once: after the pending
// ones, recorded with its result.
#define CHANGE(ctx, e, call)                                     \
	do {                                                     \
		struct record *r_ = find(ctx);                   \
		int rc_ = settle(r_);                            \
		if (rc_ != 0)                                    \
			return rc_;                              \
		rc_ = (call);                                    \
		if (r_ != NULL && r_->cacheable) {               \
			size_t from_ = r_->len;                  \
			e32(&(e), (uint32_t)rc_);                \
			put(r_, (e).b, (e).n);                   \
			r_->applied = r_->len;                   \
			narrow(r_, from_);                       \
		}                                                \
		return rc_;                                      \
	} while (0)

// defer_or_make records call e with the candidates' result and leaves it
// pending, or, with no candidate making it, makes it now (and every
// pending call before it).
#define DEFER_OR_MAKE(ctx, e, call)                                   \
	do {                                                          \
		struct record *r_ = find(ctx);                        \
		int rc_;                                              \
		if (r_ != NULL && r_->cacheable && !r_->poisoned && (e).ok && \
		    recorded(r_, &(e), &rc_)) {                       \
			e32(&(e), (uint32_t)rc_);                     \
			put(r_, (e).b, (e).n);                        \
			if (r_->cacheable)                            \
				return rc_;                           \
			/* Out of memory: the record ends before e. */ \
			materialize(r_);                              \
			return r_->poisoned ? -ECANCELED : (call);    \
		}                                                     \
		CHANGE(ctx, e, call);                                 \
	} while (0)

scmp_filter_ctx __wrap_seccomp_init(uint32_t def_action)
{
	scmp_filter_ctx ctx = __real_seccomp_init(def_action);
	if (ctx != NULL)
		begin(ctx, def_action);
	return ctx;
}

int __wrap_seccomp_reset(scmp_filter_ctx ctx, uint32_t def_action)
{
	// Pending calls first: a reset that fails leaves the filter as it was,
	// and it must then hold every rule its caller was told it has.
	int rc = settle(find(ctx));
	if (rc != 0)
		return rc;
	rc = __real_seccomp_reset(ctx, def_action);
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
	int rc = settle(r);
	if (rc == 0)
		rc = settle(find(src));
	if (rc != 0)
		return rc;
	if (r != NULL)
		r->cacheable = 0;
	forget(src); // libseccomp releases src on success; on failure it stays unrecorded
	return __real_seccomp_merge(dst, src);
}

// Every change below is recorded with its result: the same calls with the
// same results leave the same filter.

int __wrap_seccomp_arch_add(scmp_filter_ctx ctx, uint32_t arch)
{
	struct entry e = {.ok = 1};
	e32(&e, OP_ARCH_ADD);
	e32(&e, arch);
	CHANGE(ctx, e, __real_seccomp_arch_add(ctx, arch));
}

int __wrap_seccomp_arch_remove(scmp_filter_ctx ctx, uint32_t arch)
{
	struct entry e = {.ok = 1};
	e32(&e, OP_ARCH_REMOVE);
	e32(&e, arch);
	CHANGE(ctx, e, __real_seccomp_arch_remove(ctx, arch));
}

int __wrap_seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value)
{
	struct entry e = {.ok = 1};
	e32(&e, OP_ATTR_SET);
	e32(&e, (uint32_t)attr);
	e32(&e, value);
	CHANGE(ctx, e, __real_seccomp_attr_set(ctx, attr, value));
}

int __wrap_seccomp_syscall_priority(scmp_filter_ctx ctx, int syscall, uint8_t priority)
{
	struct entry e = {.ok = 1};
	e32(&e, OP_PRIORITY);
	e32(&e, (uint32_t)syscall);
	e32(&e, priority);
	DEFER_OR_MAKE(ctx, e, __real_seccomp_syscall_priority(ctx, syscall, priority));
}

// unrecordable settles ctx before a rule too long to record, which makes
// its filter uncacheable.
static int unrecordable(scmp_filter_ctx ctx)
{
	struct record *r = find(ctx);
	int rc = settle(r);
	if (r != NULL)
		r->cacheable = 0;
	return rc;
}

static int real_rule_add(uint32_t op, scmp_filter_ctx ctx, uint32_t action, int syscall,
			 unsigned int count, const struct scmp_arg_cmp *args)
{
	return op == OP_RULE ? __real_seccomp_rule_add_array(ctx, action, syscall, count, args)
			     : __real_seccomp_rule_add_exact_array(ctx, action, syscall, count, args);
}

static int rule_add(uint32_t op, scmp_filter_ctx ctx, uint32_t action, int syscall,
		    unsigned int count, const struct scmp_arg_cmp *args)
{
	struct entry e;
	rule_entry(&e, op, action, syscall, count, args);
	if (!e.ok) {
		int rc = unrecordable(ctx);
		return rc != 0 ? rc : real_rule_add(op, ctx, action, syscall, count, args);
	}
	DEFER_OR_MAKE(ctx, e, real_rule_add(op, ctx, action, syscall, count, args));
}

int __wrap_seccomp_rule_add_array(scmp_filter_ctx ctx, uint32_t action, int syscall,
				  unsigned int count, const struct scmp_arg_cmp *args)
{
	return rule_add(OP_RULE, ctx, action, syscall, count, args);
}

int __wrap_seccomp_rule_add_exact_array(scmp_filter_ctx ctx, uint32_t action, int syscall,
					unsigned int count, const struct scmp_arg_cmp *args)
{
	return rule_add(OP_RULE_EXACT, ctx, action, syscall, count, args);
}

// The variadic forms, which libseccomp-golang does not use, go the same
// way, so that no rule reaches the filter unrecorded or ahead of pending
// ones. libseccomp takes at most 6 argument comparisons.
static int rule_add_va(uint32_t op, scmp_filter_ctx ctx, uint32_t action, int syscall,
		       unsigned int count, va_list ap)
{
	struct scmp_arg_cmp args[6];
	if (count > 6)
		return -EINVAL;
	for (unsigned int i = 0; i < count; i++)
		args[i] = va_arg(ap, struct scmp_arg_cmp);
	return rule_add(op, ctx, action, syscall, count, args);
}

#define WRAP_RULE_ADD_VA(name, op)                                                           \
	int name(scmp_filter_ctx ctx, uint32_t action, int syscall, unsigned int count, ...) \
	{                                                                                    \
		va_list ap;                                                                  \
		va_start(ap, count);                                                         \
		int rc = rule_add_va(op, ctx, action, syscall, count, ap);                   \
		va_end(ap);                                                                  \
		return rc;                                                                   \
	}

WRAP_RULE_ADD_VA(__wrap_seccomp_rule_add, OP_RULE)
WRAP_RULE_ADD_VA(__wrap_seccomp_rule_add_exact, OP_RULE_EXACT)

int __wrap_seccomp_load(const scmp_filter_ctx ctx)
{
	int rc = settle(find(ctx));
	return rc != 0 ? rc : __real_seccomp_load(ctx);
}

int __wrap_seccomp_export_pfc(const scmp_filter_ctx ctx, int fd)
{
	int rc = settle(find(ctx));
	return rc != 0 ? rc : __real_seccomp_export_pfc(ctx, fd);
}

// EXPORT_MISS is what berthSeccompExport returns when it may only serve
// from the cache and the cache does not hold the program.
#define EXPORT_MISS 1

int __wrap_seccomp_export_bpf(const scmp_filter_ctx ctx, int fd)
{
	struct record *r = find(ctx);
	if (r == NULL || !r->cacheable) {
		int rc = settle(r);
		return rc != 0 ? rc : berthSeccompExport(ctx, fd, NULL, 0, 1);
	}
	if (r->poisoned)
		return -ECANCELED;
	if (r->applied < r->len) {
		// Pending calls: the cache must serve the very record, or they
		// are made and the program compiled.
		int whole = 0;
		for (int i = 0; i < candidates; i++)
			if ((r->live & (1u << i)) && candidate_len[i] == r->len)
				whole = 1;
		if (whole) {
			int rc = berthSeccompExport(ctx, fd, r->buf, r->len, 0);
			if (rc != EXPORT_MISS)
				return rc;
		}
		materialize(r);
		if (r->poisoned)
			return -ECANCELED;
	}
	return berthSeccompExport(ctx, fd, r->buf, r->len, 1);
}
