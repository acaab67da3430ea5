/*
 * fornax.h — the Fornax state API for C functions (WebAssembly, wasm32-wasi).
 *
 * A function reaches the KV store of the site it runs at through the host module "fornax". Every call is one
 * operation of the local store (no network), limited to the keyspaces the function's spec binds:
 *
 *     spec:
 *       state: {keyspaces: [visits], access: readwrite}    # or access: read
 *
 * A key outside those keyspaces, or a write under `access: read`, stops the function (a trap): the invocation answers
 * 500 with a message that names the key and the binding. So do pointers outside the module's memory, and keys or
 * fields over 4 KiB or values over 1 MiB (the site's defaults).
 *
 * Statuses: reads return a length (>= 0) or FORNAX_NOT_FOUND; writes return 0/1; any call may return a negative
 * FORNAX_ERR_* when the store refuses it (nothing was changed). A read copies its result only when it fits `cap`, and
 * returns the full length either way: call again with a larger buffer when the length is over `cap`.
 *
 * Lists (fornax_smembers, fornax_hgetall) come as items back to back, each a 4-byte little-endian length then its
 * bytes; fornax_hgetall's items alternate field, value. fornax_list_next() walks them.
 *
 * Copy this header next to your source; build with
 *     clang --target=wasm32-wasi --sysroot=/usr -O2 -fuse-ld=lld -o fn.wasm fn.c
 * See docs/functions.md, "State".
 */
#ifndef FORNAX_H
#define FORNAX_H

#include <stdint.h>
#include <string.h>

#define FORNAX_NOT_FOUND (-1)
#define FORNAX_ERR_WRONG_TYPE (-2)  /* the key holds another type (e.g. a hash where a string was asked for) */
#define FORNAX_ERR_NOT_INTEGER (-3) /* incr of a value that is not an integer, or past the 64-bit range */
#define FORNAX_ERR_READ_ONLY (-4)   /* the site's store refuses writes (its disk is full) */

#define FORNAX_IMPORT(name) __attribute__((import_module("fornax"), import_name(name)))

/* The raw imports: pointers and lengths into this module's memory. */
FORNAX_IMPORT("get") int32_t fornax_get_raw(const void *key, int32_t key_len, void *out, int32_t cap);
FORNAX_IMPORT("set") int32_t fornax_set_raw(const void *key, int32_t key_len, const void *value, int32_t value_len);
FORNAX_IMPORT("del") int32_t fornax_del_raw(const void *key, int32_t key_len);
FORNAX_IMPORT("incr") int32_t fornax_incr_raw(const void *key, int32_t key_len, int64_t delta, int64_t *out);
FORNAX_IMPORT("sadd") int32_t fornax_sadd_raw(const void *key, int32_t key_len, const void *member, int32_t member_len);
FORNAX_IMPORT("smembers") int32_t fornax_smembers_raw(const void *key, int32_t key_len, void *out, int32_t cap);
FORNAX_IMPORT("hset") int32_t fornax_hset_raw(const void *key, int32_t key_len, const void *field, int32_t field_len,
                                              const void *value, int32_t value_len);
FORNAX_IMPORT("hget") int32_t fornax_hget_raw(const void *key, int32_t key_len, const void *field, int32_t field_len,
                                              void *out, int32_t cap);
FORNAX_IMPORT("hincr") int32_t fornax_hincr_raw(const void *key, int32_t key_len, const void *field, int32_t field_len,
                                                int64_t delta, int64_t *out);
FORNAX_IMPORT("hgetall") int32_t fornax_hgetall_raw(const void *key, int32_t key_len, void *out, int32_t cap);

/* Helpers for NUL-terminated keys, fields and values. */

/* The value's length (copied to out when it fits cap), or FORNAX_NOT_FOUND. */
static inline int32_t fornax_get(const char *key, char *out, int32_t cap) {
    return fornax_get_raw(key, (int32_t)strlen(key), out, cap);
}

/* 0, or FORNAX_ERR_*. */
static inline int32_t fornax_set(const char *key, const char *value) {
    return fornax_set_raw(key, (int32_t)strlen(key), value, (int32_t)strlen(value));
}

/* 1 when the key existed, else 0. */
static inline int32_t fornax_del(const char *key) { return fornax_del_raw(key, (int32_t)strlen(key)); }

/* 0 with the counter's new value in *value, or FORNAX_ERR_*. Increments at different sites add up. */
static inline int32_t fornax_incr(const char *key, int64_t delta, int64_t *value) {
    return fornax_incr_raw(key, (int32_t)strlen(key), delta, value);
}

/* 1 when the member is new, else 0. */
static inline int32_t fornax_sadd(const char *key, const char *member) {
    return fornax_sadd_raw(key, (int32_t)strlen(key), member, (int32_t)strlen(member));
}

/* The encoded members' length (copied when it fits cap). */
static inline int32_t fornax_smembers(const char *key, void *out, int32_t cap) {
    return fornax_smembers_raw(key, (int32_t)strlen(key), out, cap);
}

/* 1 when the field is new, else 0. */
static inline int32_t fornax_hset(const char *key, const char *field, const char *value) {
    return fornax_hset_raw(key, (int32_t)strlen(key), field, (int32_t)strlen(field), value, (int32_t)strlen(value));
}

/* The field's length (copied when it fits cap), or FORNAX_NOT_FOUND. */
static inline int32_t fornax_hget(const char *key, const char *field, char *out, int32_t cap) {
    return fornax_hget_raw(key, (int32_t)strlen(key), field, (int32_t)strlen(field), out, cap);
}

/* 0 with the field's new value in *value, or FORNAX_ERR_*. */
static inline int32_t fornax_hincr(const char *key, const char *field, int64_t delta, int64_t *value) {
    return fornax_hincr_raw(key, (int32_t)strlen(key), field, (int32_t)strlen(field), delta, value);
}

/* The encoded fields and values' length (copied when it fits cap). */
static inline int32_t fornax_hgetall(const char *key, void *out, int32_t cap) {
    return fornax_hgetall_raw(key, (int32_t)strlen(key), out, cap);
}

/*
 * Walks a list returned by fornax_smembers or fornax_hgetall: `*at` starts at 0; each call sets *item and *len to the
 * next item (not NUL-terminated) and returns 1, or returns 0 at the end (or at a malformed length).
 */
static inline int fornax_list_next(const void *list, int32_t list_len, int32_t *at, const char **item, int32_t *len) {
    const unsigned char *p = (const unsigned char *)list;
    if (*at + 4 > list_len) return 0;
    uint32_t n = (uint32_t)p[*at] | (uint32_t)p[*at + 1] << 8 | (uint32_t)p[*at + 2] << 16 | (uint32_t)p[*at + 3] << 24;
    if (n > (uint32_t)(list_len - *at - 4)) return 0;
    *item = (const char *)p + *at + 4;
    *len = (int32_t)n;
    *at += 4 + (int32_t)n;
    return 1;
}

#endif /* FORNAX_H */
