// hello — a Fornax function in C (WAGI ABI). Build: see ../Makefile.
// Reads the CGI environment the host sets and answers
//   "Hello, <name> from <FORNAX_SITE>!" where <name> is the `name` query parameter (default "world").
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Copies the value of `key` from a query string like "a=1&name=ada" into out (no %-decoding:
// the example keeps to plain names).
static int query_param(const char *query, const char *key, char *out, size_t cap) {
    size_t key_len = strlen(key);
    const char *p = query;
    while (p && *p) {
        if (strncmp(p, key, key_len) == 0 && p[key_len] == '=') {
            const char *v = p + key_len + 1;
            size_t n = strcspn(v, "&");
            if (n >= cap) n = cap - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return 1;
        }
        p = strchr(p, '&');
        if (p) p++;
    }
    return 0;
}

int main(void) {
    const char *site = getenv("FORNAX_SITE");
    const char *query = getenv("QUERY_STRING");
    const char *path = getenv("PATH_INFO");
    char name[64] = "world";
    if (query) query_param(query, "name", name, sizeof name);

    printf("Content-Type: text/plain; charset=utf-8\n");
    printf("X-Fornax-Example: hello\n\n");
    printf("Hello, %s from %s!\n", name, site ? site : "an unnamed site");
    printf("path: %s\n", path && *path ? path : "/");
    return 0;
}
