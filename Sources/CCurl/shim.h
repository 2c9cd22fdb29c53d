#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

// Typed, non-variadic wrappers over libcurl's variadic setopt/getinfo calls, which Swift cannot import.
// A system-library target compiles no C, so every wrapper must be `static inline`.

#include <curl/curl.h>

typedef size_t (*ccurl_data_callback)(char *_Nonnull, size_t, size_t, void *_Nullable);

static inline CURLcode ccurl_easy_setopt_long(CURL *_Nonnull h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_easy_setopt_off_t(CURL *_Nonnull h, CURLoption o, curl_off_t v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_easy_setopt_string(CURL *_Nonnull h, CURLoption o, const char *_Nullable v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_easy_setopt_pointer(CURL *_Nonnull h, CURLoption o, void *_Nullable v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_easy_setopt_slist(CURL *_Nonnull h, CURLoption o, struct curl_slist *_Nullable v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_easy_setopt_data_callback(CURL *_Nonnull h, CURLoption o, ccurl_data_callback _Nullable v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_easy_setopt_sockopt_callback(CURL *_Nonnull h, curl_sockopt_callback _Nullable v) {
    return curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, v);
}
static inline CURLcode ccurl_easy_getinfo_long(CURL *_Nonnull h, CURLINFO i, long *_Nonnull v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode ccurl_easy_getinfo_double(CURL *_Nonnull h, CURLINFO i, double *_Nonnull v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode ccurl_easy_getinfo_off_t(CURL *_Nonnull h, CURLINFO i, curl_off_t *_Nonnull v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode ccurl_easy_getinfo_pointer(CURL *_Nonnull h, CURLINFO i, void *_Nullable *_Nonnull v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLMcode ccurl_multi_setopt_long(CURLM *_Nonnull m, CURLMoption o, long v) {
    return curl_multi_setopt(m, o, v);
}
static inline CURLMcode ccurl_multi_setopt_pointer(CURLM *_Nonnull m, CURLMoption o, void *_Nullable v) {
    return curl_multi_setopt(m, o, v);
}
static inline CURLMcode ccurl_multi_setopt_socket_callback(CURLM *_Nonnull m, curl_socket_callback _Nonnull f) {
    return curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, f);
}
static inline CURLMcode ccurl_multi_setopt_timer_callback(CURLM *_Nonnull m, curl_multi_timer_callback _Nonnull f) {
    return curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, f);
}
static inline CURLSHcode ccurl_share_setopt_long(CURLSH *_Nonnull s, CURLSHoption o, long v) {
    return curl_share_setopt(s, o, v);
}
typedef void (*ccurl_lock_function)(CURL *_Nullable, curl_lock_data, curl_lock_access, void *_Nullable);
typedef void (*ccurl_unlock_function)(CURL *_Nullable, curl_lock_data, void *_Nullable);
static inline CURLSHcode ccurl_share_setopt_pointer(CURLSH *_Nonnull s, CURLSHoption o, void *_Nullable v) {
    return curl_share_setopt(s, o, v);
}
static inline CURLSHcode ccurl_share_setopt_lock(CURLSH *_Nonnull s, ccurl_lock_function _Nonnull f) {
    return curl_share_setopt(s, CURLSHOPT_LOCKFUNC, f);
}
static inline CURLSHcode ccurl_share_setopt_unlock(CURLSH *_Nonnull s, ccurl_unlock_function _Nonnull f) {
    return curl_share_setopt(s, CURLSHOPT_UNLOCKFUNC, f);
}
static inline curl_version_info_data *_Nonnull ccurl_version_info_now(void) {
    return curl_version_info(CURLVERSION_NOW);
}
/// CURL_WRITEFUNC_PAUSE is a macro over a size_t cast that Swift does not import.
static inline size_t ccurl_writefunc_pause(void) {
    return CURL_WRITEFUNC_PAUSE;
}

#endif
