/* The floor for `make bench-run`: the same POSTs as `batch-invite run` makes, sent by a
 * bare loop on libcurl's multi interface (keep-alive, CONCURRENCY transfers in flight, easy
 * handles reused), counting the 2xx answers. Nothing else: no validation, journal or report.
 * usage: curl_floor URL BODIES CONCURRENCY   (BODIES: one JSON body per line) */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t discard(char *data, size_t size, size_t count, void *context) {
    (void)data; (void)context;
    return size * count;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: curl_floor URL BODIES CONCURRENCY\n"); return 2; }
    const char *url = argv[1];
    int concurrency = atoi(argv[3]);
    FILE *file = fopen(argv[2], "r");
    if (!file) { perror(argv[2]); return 2; }
    size_t capacity = 1024, count = 0;
    char **bodies = malloc(capacity * sizeof *bodies);
    char *line = NULL;
    size_t length = 0;
    ssize_t read;
    while ((read = getline(&line, &length, file)) > 0) {
        if (line[read - 1] == '\n') line[--read] = 0;
        if (count == capacity) bodies = realloc(bodies, (capacity *= 2) * sizeof *bodies);
        bodies[count++] = strdup(line);
    }
    fclose(file);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Authorization: Bearer bench-token");
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)concurrency);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)concurrency);
    CURL **idle = malloc(concurrency * sizeof *idle);
    int idleCount = 0;
    for (int i = 0; i < concurrency; i++) {
        CURL *easy = curl_easy_init();
        curl_easy_setopt(easy, CURLOPT_URL, url);
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        idle[idleCount++] = easy;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    size_t next = 0, succeeded = 0, finished = 0;
    while (finished < count) {
        while (idleCount > 0 && next < count) {
            CURL *easy = idle[--idleCount];
            curl_easy_setopt(easy, CURLOPT_POSTFIELDS, bodies[next]);
            curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)strlen(bodies[next]));
            next++;
            curl_multi_add_handle(multi, easy);
        }
        int running;
        curl_multi_perform(multi, &running);
        CURLMsg *message;
        int left, completed = 0;
        while ((message = curl_multi_info_read(multi, &left))) {
            if (message->msg != CURLMSG_DONE) continue;
            long status = 0;
            curl_easy_getinfo(message->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            if (message->data.result == CURLE_OK && status >= 200 && status < 300) succeeded++;
            finished++;
            curl_multi_remove_handle(multi, message->easy_handle);
            idle[idleCount++] = message->easy_handle;
            completed++;
        }
        /* Handles just freed take the next bodies before the loop waits. */
        if (!completed && finished < count) curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    printf("%zu succeeded of %zu in %.3f s\n", succeeded, count, seconds);
    return succeeded == count ? 0 : 1;
}
