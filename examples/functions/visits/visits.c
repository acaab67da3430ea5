// visits — a stateful Fornax function in C (WAGI ABI). Build: see ../Makefile; API: ../../sdk/fornax.h.
// Counts visits in the keyspace it binds (prefix "visits:"), in three keys:
//   visits:site:<site>  this site's own count (only this site increments it)
//   visits:total        every site's visits: a counter, so increments made at different sites add up
//   visits:sites        the set of sites that have counted a visit
// When the keyspace is replicated, every site sees every site's count and the same total once links deliver.
// GET /fn/visits counts a visit; GET /fn/visits?peek only reads (it works under `access: read`).
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sdk/fornax.h"

static int64_t read_counter(const char *key) {
    char text[32];
    int32_t n = fornax_get(key, text, sizeof text - 1);
    if (n < 0 || n >= (int32_t)sizeof text) return 0;
    text[n] = '\0';
    return strtoll(text, NULL, 10);
}

int main(void) {
    const char *site = getenv("FORNAX_SITE");
    const char *query = getenv("QUERY_STRING");
    if (!site) site = "unnamed";
    int peek = query && strstr(query, "peek") != NULL;

    char site_key[128];
    snprintf(site_key, sizeof site_key, "visits:site:%s", site);
    int64_t here, total;
    if (peek) {
        here = read_counter(site_key);
        total = read_counter("visits:total");
    } else if (fornax_incr(site_key, 1, &here) != 0 || fornax_incr("visits:total", 1, &total) != 0
               || fornax_sadd("visits:sites", site) < 0) {
        printf("Status: 500 Internal Server Error\nContent-Type: text/plain\n\nthe visit was not counted\n");
        return 0;
    }

    static char sites[16 * 1024];
    int32_t length = fornax_smembers("visits:sites", sites, sizeof sites);
    printf("Content-Type: application/json\n\n");
    printf("{\"site\":\"%s\",\"siteVisits\":%" PRId64 ",\"totalVisits\":%" PRId64 ",\"sites\":[", site, here, total);
    if (length >= 0 && length <= (int32_t)sizeof sites) {
        int32_t at = 0, n;
        const char *member;
        for (int first = 1; fornax_list_next(sites, length, &at, &member, &n); first = 0)
            printf("%s\"%.*s\"", first ? "" : ",", (int)n, member);
    }
    printf("]}\n");
    return 0;
}
