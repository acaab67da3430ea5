// deepstack — a test guest (WAGI): recurses `depth` levels (query parameter, default 10), each with a 1 KiB frame, and
// prints the depth reached and a global it never writes. Linked like hello (16 KiB stack, stack first), so a depth
// past ~15 overflows the stack: with the stack below the data that traps (out of bounds) instead of overwriting the
// global. Tests: tests/Fornax.Functions.Tests/StackTests.cs.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int sentinel = 0x5EED;

static int dive(int depth) {
    volatile char frame[1024];
    memset((char *)frame, depth & 0xff, sizeof frame);
    if (depth <= 1) return frame[0];
    return dive(depth - 1) + frame[depth % sizeof frame];
}

int main(void) {
    const char *query = getenv("QUERY_STRING");
    int depth = 10;
    if (query && strncmp(query, "depth=", 6) == 0) depth = atoi(query + 6);
    int sum = dive(depth);
    printf("Content-Type: text/plain\n\n");
    printf("depth %d sum %d sentinel %x\n", depth, sum, sentinel);
    return 0;
}
