// printenv — test guest (WAGI ABI): answers with every environment variable, one NAME=value per line,
// then a line "stdin:" and the request body, so tests can check the CGI environment and stdin.
#include <stdio.h>

extern char **environ;

int main(void) {
    printf("Content-Type: text/plain\n\n");
    for (char **e = environ; *e; e++) printf("%s\n", *e);
    printf("stdin:");
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) fwrite(buf, 1, n, stdout);
    return 0;
}
