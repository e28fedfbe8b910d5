/* The floor for `make bench`: libcsv parsing a file with callbacks that only count.
 * usage: libcsv_count FILE [default|tool]
 *   default: libcsv's default options;
 *   tool:    the options batch-invite uses (strict, report all line ends, no trimming). */
#include <csv.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static size_t fields, records;
static void on_field(void *s, size_t len, void *data) { (void)s; (void)len; (void)data; fields++; }
static void on_record(int c, void *data) { (void)c; (void)data; records++; }
static int no_space(unsigned char c) { (void)c; return 0; }

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: libcsv_count FILE [default|tool]\n"); return 2; }
    int tool = argc > 2 && strcmp(argv[2], "tool") == 0;
    struct csv_parser p;
    csv_init(&p, tool ? CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL : 0);
    if (tool) csv_set_space_func(&p, no_space);
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) { perror(argv[1]); return 2; }
    static char buffer[256 * 1024];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) {
        if (csv_parse(&p, buffer, (size_t)n, on_field, on_record, NULL) != (size_t)n) {
            fprintf(stderr, "parse error\n"); return 1;
        }
    }
    csv_fini(&p, on_field, on_record, NULL);
    csv_free(&p);
    printf("%zu records, %zu fields\n", records, fields);
    return 0;
}
