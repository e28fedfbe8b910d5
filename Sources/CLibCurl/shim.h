#ifndef BATCH_INVITE_CLIBCURL_SHIM_H
#define BATCH_INVITE_CLIBCURL_SHIM_H

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/timerfd.h>
#include <time.h>

/*
 * libcurl is opened when a command first needs it (dlopen), not when the program starts:
 * the libraries it brings (28 on Debian, TLS, Kerberos, LDAP, each with constructors)
 * cost about 7 ms of every start, validate's and status's too, which never send. The
 * functions used are looked up into a table the caller keeps, one per process (state in
 * this header would be one per object file); every call below goes through that table,
 * typed as curl.h declares the function.
 */

/* The functions used, once: the table's indexes and the names looked up come from it. */
#define CLIBCURL_EACH_FUNCTION(X) \
    X(curl_global_init) \
    X(curl_easy_init) \
    X(curl_easy_cleanup) \
    X(curl_easy_setopt) \
    X(curl_easy_getinfo) \
    X(curl_easy_perform) \
    X(curl_easy_strerror) \
    X(curl_multi_init) \
    X(curl_multi_cleanup) \
    X(curl_multi_add_handle) \
    X(curl_multi_remove_handle) \
    X(curl_multi_perform) \
    X(curl_multi_poll) \
    X(curl_multi_wakeup) \
    X(curl_multi_info_read) \
    X(curl_multi_setopt) \
    X(curl_slist_append) \
    X(curl_slist_free_all)

enum clibcurl_function {
#define CLIBCURL_INDEX(function) CLIBCURL_##function,
    CLIBCURL_EACH_FUNCTION(CLIBCURL_INDEX)
#undef CLIBCURL_INDEX
    CLIBCURL_FUNCTIONS
};

static inline const char *clibcurl_function_name(int function) {
    static const char *const names[] = {
#define CLIBCURL_NAME(function) #function,
        CLIBCURL_EACH_FUNCTION(CLIBCURL_NAME)
#undef CLIBCURL_NAME
    };
    return function >= 0 && function < CLIBCURL_FUNCTIONS ? names[function] : "";
}

/* The library opened: libcurl's ABI 4 (Debian's libcurl4, the OpenSSL build). Written
 * here, as a C string in the binary, where a check of the container image finds it. */
static inline const char *clibcurl_library(void) {
    return "libcurl.so.4";
}

/* Opens `library` and fills `table` (CLIBCURL_FUNCTIONS entries). NULL when done, else
 * the loader's message (no such file, or a function the library lacks). */
static inline const char *clibcurl_open(const char *library, void **table) {
    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) return dlerror();
    for (int function = 0; function < CLIBCURL_FUNCTIONS; function++) {
        table[function] = dlsym(handle, clibcurl_function_name(function));
        if (table[function] == NULL) {
            const char *problem = dlerror();
            return problem != NULL ? problem : clibcurl_function_name(function);
        }
    }
    return NULL;
}

/* The table's entry for `function`, as the pointer type curl.h declares it with. */
#define CLIBCURL(table, function) ((__typeof__(function) *)(table)[CLIBCURL_##function])

typedef void *const *clibcurl_table;

static inline CURL *clibcurl_easy_init(clibcurl_table t) {
    return CLIBCURL(t, curl_easy_init)();
}

static inline void clibcurl_easy_cleanup(clibcurl_table t, CURL *handle) {
    CLIBCURL(t, curl_easy_cleanup)(handle);
}

static inline CURLcode clibcurl_easy_perform(clibcurl_table t, CURL *handle) {
    return CLIBCURL(t, curl_easy_perform)(handle);
}

static inline const char *clibcurl_easy_strerror(clibcurl_table t, CURLcode code) {
    return CLIBCURL(t, curl_easy_strerror)(code);
}

static inline CURLM *clibcurl_multi_init(clibcurl_table t) {
    return CLIBCURL(t, curl_multi_init)();
}

static inline CURLMcode clibcurl_multi_cleanup(clibcurl_table t, CURLM *multi) {
    return CLIBCURL(t, curl_multi_cleanup)(multi);
}

static inline CURLMcode clibcurl_multi_add_handle(clibcurl_table t, CURLM *multi, CURL *handle) {
    return CLIBCURL(t, curl_multi_add_handle)(multi, handle);
}

static inline CURLMcode clibcurl_multi_remove_handle(clibcurl_table t, CURLM *multi,
                                                     CURL *handle) {
    return CLIBCURL(t, curl_multi_remove_handle)(multi, handle);
}

static inline CURLMcode clibcurl_multi_perform(clibcurl_table t, CURLM *multi, int *running) {
    return CLIBCURL(t, curl_multi_perform)(multi, running);
}

static inline CURLMcode clibcurl_multi_poll(clibcurl_table t, CURLM *multi,
                                            struct curl_waitfd *extra, unsigned int count,
                                            int milliseconds, int *ready) {
    return CLIBCURL(t, curl_multi_poll)(multi, extra, count, milliseconds,
                                                             ready);
}

static inline CURLMcode clibcurl_multi_wakeup(clibcurl_table t, CURLM *multi) {
    return CLIBCURL(t, curl_multi_wakeup)(multi);
}

static inline CURLMsg *clibcurl_multi_info_read(clibcurl_table t, CURLM *multi, int *left) {
    return CLIBCURL(t, curl_multi_info_read)(multi, left);
}

static inline struct curl_slist *clibcurl_slist_append(clibcurl_table t, struct curl_slist *list,
                                                       const char *line) {
    return CLIBCURL(t, curl_slist_append)(list, line);
}

static inline void clibcurl_slist_free_all(clibcurl_table t, struct curl_slist *list) {
    CLIBCURL(t, curl_slist_free_all)(list);
}

/*
 * Typed adapters for libcurl's variadic calls, which Swift cannot make: one per kind of
 * option value (long, pointer, curl_off_t, each callback type) and of info value.
 */

static inline CURLcode clibcurl_setopt_long(clibcurl_table t, CURL *handle, CURLoption option, long value) {
    return CLIBCURL(t, curl_easy_setopt)(handle, option, value);
}

static inline CURLcode clibcurl_setopt_pointer(clibcurl_table t, CURL *handle, CURLoption option, const void *value) {
    return CLIBCURL(t, curl_easy_setopt)(handle, option, value);
}

/* A string option (libcurl copies it); NULL restores the default. */
static inline CURLcode clibcurl_setopt_string(clibcurl_table t, CURL *handle, CURLoption option, const char *value) {
    return CLIBCURL(t, curl_easy_setopt)(handle, option, value);
}

static inline CURLcode clibcurl_setopt_offset(clibcurl_table t, CURL *handle, CURLoption option, curl_off_t value) {
    return CLIBCURL(t, curl_easy_setopt)(handle, option, value);
}

/* CURLOPT_CAINFO_BLOB: PEM bytes, copied by libcurl. */
static inline CURLcode clibcurl_setopt_ca_blob(clibcurl_table t, CURL *handle, const void *bytes, size_t length) {
    struct curl_blob blob = {(void *)bytes, length, CURL_BLOB_COPY};
    return CLIBCURL(t, curl_easy_setopt)(handle, CURLOPT_CAINFO_BLOB, &blob);
}

typedef size_t (*clibcurl_data_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*clibcurl_prereq_callback)(void *context, char *remote_ip, char *local_ip,
                                        int remote_port, int local_port);

/* CURLOPT_WRITEFUNCTION or CURLOPT_HEADERFUNCTION. */
static inline CURLcode clibcurl_setopt_data_callback(clibcurl_table t, CURL *handle, CURLoption option,
                                                     clibcurl_data_callback callback) {
    return CLIBCURL(t, curl_easy_setopt)(handle, option, callback);
}

static inline CURLcode clibcurl_setopt_prereq_callback(clibcurl_table t, CURL *handle,
                                                       clibcurl_prereq_callback callback) {
    return CLIBCURL(t, curl_easy_setopt)(handle, CURLOPT_PREREQFUNCTION, callback);
}

static inline CURLMcode clibcurl_multi_setopt_long(clibcurl_table t, CURLM *multi, CURLMoption option, long value) {
    return CLIBCURL(t, curl_multi_setopt)(multi, option, value);
}

static inline CURLcode clibcurl_getinfo_long(clibcurl_table t, CURL *handle, CURLINFO info, long *value) {
    return CLIBCURL(t, curl_easy_getinfo)(handle, info, value);
}

static inline CURLcode clibcurl_getinfo_pointer(clibcurl_table t, CURL *handle, CURLINFO info, void **value) {
    return CLIBCURL(t, curl_easy_getinfo)(handle, info, value);
}

static inline CURLcode clibcurl_getinfo_string(clibcurl_table t, CURL *handle, CURLINFO info, char **value) {
    return CLIBCURL(t, curl_easy_getinfo)(handle, info, value);
}

/* The easy handle and result of a finished transfer's message (a union member in C). */
static inline CURL *clibcurl_message_handle(const CURLMsg *message) {
    return message->easy_handle;
}

static inline int clibcurl_message_is_done(const CURLMsg *message) {
    return message->msg == CURLMSG_DONE;
}

static inline CURLcode clibcurl_message_result(const CURLMsg *message) {
    return message->data.result;
}

/* Once per process, before any other libcurl call. */
static inline CURLcode clibcurl_global_init(clibcurl_table t) {
    return CLIBCURL(t, curl_global_init)(CURL_GLOBAL_DEFAULT);
}

/* The i-th certificate's "Name:value" lines of a CURLINFO_CERTINFO result. */
static inline struct curl_slist *clibcurl_certificate(const struct curl_certinfo *info, int i) {
    return i < info->num_of_certs ? info->certinfo[i] : NULL;
}

/* A timer file descriptor (CLOCK_MONOTONIC, non-blocking), to wake curl_multi_poll at a
 * time finer than its milliseconds. */
static inline int clibcurl_timer_create(void) {
    return timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
}

/* Arms `fd` to become readable after `nanoseconds` (at least 1); re-arming clears an
 * earlier expiry. */
static inline int clibcurl_timer_arm(int fd, long long nanoseconds) {
    struct itimerspec spec = {{0, 0}, {0, 0}};
    if (nanoseconds < 1) nanoseconds = 1;
    spec.it_value.tv_sec = nanoseconds / 1000000000LL;
    spec.it_value.tv_nsec = nanoseconds % 1000000000LL;
    return timerfd_settime(fd, 0, &spec, NULL);
}

/* glibc's memmem (a GNU extension Swift's Glibc module leaves out): the first place
 * `needle` occurs in `haystack`, or NULL. */
void *memmem(const void *haystack, size_t haystack_length, const void *needle,
             size_t needle_length);
static inline const void *clibcurl_memmem(const void *haystack, size_t haystack_length,
                                          const void *needle, size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}

/* glibc's pipe2 and posix_spawn_file_actions_addclosefrom_np (GNU extensions Swift's
 * Glibc module leaves out), for a command run in a process group of its own: its pipes
 * are made close-on-exec in one step, and the command gets no other descriptor of ours
 * (a socket, the journal). */
int pipe2(int fds[2], int flags);
int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
static inline int clibcurl_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}
static inline int clibcurl_spawn_closefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

/* glibc's malloc_trim: gives freed heap memory back to the system. */
static inline int clibcurl_malloc_trim(size_t pad) {
    return malloc_trim(pad);
}

/* Linux's renameat2(RENAME_EXCHANGE): swaps the files named `from` and `to` in one step
 * (the system call, so an older glibc without its wrapper does not matter). */
static inline int clibcurl_exchange_paths(const char *from, const char *to) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, 2 /* RENAME_EXCHANGE */);
#else
    errno = ENOSYS;
    return -1;
#endif
}

#endif
