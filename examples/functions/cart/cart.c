// cart — a shopping cart as a stateful Fornax function in C (WAGI ABI). Build: see ../Makefile; API: ../../sdk/fornax.h.
// One hash per cart, key "cart:<id>", field = item, value = quantity:
//   POST /fn/cart/<id>/add?item=apples&qty=3   adds 3 apples (quantities added at different sites add up)
//   PUT  /fn/cart/<id>/set?item=apples&qty=5   sets the quantity (last writer wins)
//   GET  /fn/cart/<id>/item?item=apples        one item's quantity
//   GET  /fn/cart/<id>                         the whole cart as JSON
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sdk/fornax.h"

static int reply(const char *status, const char *message) {
    printf("Status: %s\nContent-Type: text/plain\n\n%s\n", status, message);
    return 0;
}

// Names in keys and JSON stay plain: letters, digits, '-' and '_', 1 to 64 of them.
static int plain(const char *s, size_t n) {
    if (n == 0 || n > 64) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
            return 0;
    return 1;
}

static int query_param(const char *query, const char *key, char *out, size_t cap) {
    size_t key_len = strlen(key);
    for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        if (strncmp(p, key, key_len) == 0 && p[key_len] == '=') {
            size_t n = strcspn(p + key_len + 1, "&");
            if (n >= cap) return 0;
            memcpy(out, p + key_len + 1, n);
            out[n] = '\0';
            return 1;
        }
    }
    return 0;
}

static int list(const char *key, const char *id) {
    static char entries[64 * 1024];
    int32_t length = fornax_hgetall(key, entries, sizeof entries);
    if (length < 0) return reply("500 Internal Server Error", "the cart could not be read");
    if (length > (int32_t)sizeof entries) return reply("507 Insufficient Storage", "the cart is too large to list");
    printf("Content-Type: application/json\n\n{\"cart\":\"%s\",\"items\":{", id);
    int32_t at = 0, field_len, value_len;
    const char *field, *value;
    for (int first = 1; fornax_list_next(entries, length, &at, &field, &field_len)
                        && fornax_list_next(entries, length, &at, &value, &value_len); first = 0)
        printf("%s\"%.*s\":%.*s", first ? "" : ",", (int)field_len, field, (int)value_len, value);
    printf("}}\n");
    return 0;
}

int main(void) {
    const char *method = getenv("REQUEST_METHOD");
    const char *path = getenv("PATH_INFO");
    const char *query = getenv("QUERY_STRING");
    if (!method || !path || path[0] != '/') return reply("404 Not Found", "use /fn/cart/<id>");

    const char *id = path + 1;
    size_t id_len = strcspn(id, "/");
    const char *action = id[id_len] == '/' ? id + id_len + 1 : "";
    if (!plain(id, id_len)) return reply("400 Bad Request", "a cart id is 1 to 64 letters, digits, '-' or '_'");
    char key[80];
    snprintf(key, sizeof key, "cart:%.*s", (int)id_len, id);
    char cart_id[65];
    snprintf(cart_id, sizeof cart_id, "%.*s", (int)id_len, id);

    if (*action == '\0' && strcmp(method, "GET") == 0) return list(key, cart_id);

    char item[65], qty_text[24] = "1";
    if (!query || !query_param(query, "item", item, sizeof item) || !plain(item, strlen(item)))
        return reply("400 Bad Request", "item=<name> is required: 1 to 64 letters, digits, '-' or '_'");
    if (query_param(query, "qty", qty_text, sizeof qty_text) && strspn(qty_text, "-0123456789") != strlen(qty_text))
        return reply("400 Bad Request", "qty must be an integer");
    int64_t qty = strtoll(qty_text, NULL, 10), now;

    if (strcmp(action, "add") == 0 && strcmp(method, "POST") == 0) {
        if (fornax_hincr(key, item, qty, &now) != 0) return reply("409 Conflict", "the item's quantity is not a number");
    } else if (strcmp(action, "set") == 0 && strcmp(method, "PUT") == 0) {
        char text[24];
        snprintf(text, sizeof text, "%" PRId64, qty);
        if (fornax_hset(key, item, text) < 0) return reply("409 Conflict", "the cart is not a hash");
        now = qty;
    } else if (strcmp(action, "item") == 0 && strcmp(method, "GET") == 0) {
        char text[24];
        int32_t n = fornax_hget(key, item, text, sizeof text - 1);
        if (n == FORNAX_NOT_FOUND) return reply("404 Not Found", "no such item in the cart");
        if (n < 0 || n >= (int32_t)sizeof text) return reply("500 Internal Server Error", "the item could not be read");
        text[n] = '\0';
        now = strtoll(text, NULL, 10);
    } else {
        return reply("405 Method Not Allowed", "POST <id>/add, PUT <id>/set, GET <id>/item or GET <id>");
    }
    printf("Content-Type: application/json\n\n{\"cart\":\"%s\",\"item\":\"%s\",\"quantity\":%" PRId64 "}\n", cart_id, item, now);
    return 0;
}
