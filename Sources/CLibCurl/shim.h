#ifndef BATCH_INVITE_CLIBCURL_SHIM_H
#define BATCH_INVITE_CLIBCURL_SHIM_H

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/timerfd.h>
#include <time.h>

/*
 * Typed adapters for libcurl's variadic calls, which Swift cannot make: one per kind of
 * option value (long, pointer, curl_off_t, each callback type) and of info value.
 */

static inline CURLcode clibcurl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode clibcurl_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
    return curl_easy_setopt(handle, option, value);
}

/* A string option (libcurl copies it); NULL restores the default. */
static inline CURLcode clibcurl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode clibcurl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/* CURLOPT_CAINFO_BLOB: PEM bytes, copied by libcurl. */
static inline CURLcode clibcurl_setopt_ca_blob(CURL *handle, const void *bytes, size_t length) {
    struct curl_blob blob = {(void *)bytes, length, CURL_BLOB_COPY};
    return curl_easy_setopt(handle, CURLOPT_CAINFO_BLOB, &blob);
}

typedef size_t (*clibcurl_data_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*clibcurl_prereq_callback)(void *context, char *remote_ip, char *local_ip,
                                        int remote_port, int local_port);

/* CURLOPT_WRITEFUNCTION or CURLOPT_HEADERFUNCTION. */
static inline CURLcode clibcurl_setopt_data_callback(CURL *handle, CURLoption option,
                                                     clibcurl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode clibcurl_setopt_prereq_callback(CURL *handle,
                                                       clibcurl_prereq_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_PREREQFUNCTION, callback);
}

static inline CURLMcode clibcurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

static inline CURLcode clibcurl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode clibcurl_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode clibcurl_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
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
static inline CURLcode clibcurl_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
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
