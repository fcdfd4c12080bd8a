/* util/url.h: URL parsing, resolving and normalizing over libcurl's URL API (curl_url).
 *
 * Every function here parses with curl_url_set() and renders with curl_url_get(); nothing in
 * the project splits URLs by hand.  The one thing curl has no call for is a single query
 * parameter, so the query string curl returns is split on '&' here and each part decoded with
 * curl_easy_unescape().  These functions do no I/O and never touch the network.
 *
 * Ownership: every returned string is the caller's and is freed with free(); NULL means the
 * input was not a URL of the kind the function accepts (or the part asked for is absent).
 * Inputs are borrowed for the call.  Thread-safe (no shared state).
 *
 *     char *u = url_normalize("HTTPS://Example.COM:443/a/../b#top");
 *     (u is "https://example.com/b")
 *     free(u);
 */
#ifndef ARC_UTIL_URL_H
#define ARC_UTIL_URL_H

#include <stdbool.h>

#include "util/compiler.h"

/* Is url an absolute http or https URL that curl can parse? */
bool url_is_http(const char *url);

/* The canonical form of an absolute http(s) URL: scheme and host in lowercase, the default port
 * removed, the fragment and an empty query dropped, the path as curl normalises it ("." and ".."
 * segments removed, "/" when empty).  Percent-encoding is kept as written.  NULL when url is
 * not an absolute http(s) URL curl can parse (relative, other schemes, bad syntax). */
ARC_MALLOC char *url_normalize(const char *url);

/* Resolves the reference ref against the absolute URL base as RFC 3986 says (relative paths,
 * "../", "?query", "#fragment", protocol-relative "//host/p", or an absolute URL that replaces
 * base).  The result keeps ref's fragment, if any, and is returned only when it is an http or
 * https URL; anything else (mailto:, javascript:, an unparsable base or ref) gives NULL.  White
 * space around ref is ignored, as browsers ignore it around an attribute's URL. */
ARC_MALLOC char *url_resolve(const char *base, const char *ref);

/* The value of the first query parameter called name (compared after percent-decoding), with
 * %XX sequences decoded; '+' is kept as it is, since the base64 values of WeChat links carry a
 * literal '+'.  "" for a parameter without a value ("?a&b=1" asks for "a").  NULL when url does
 * not parse as an absolute URL, the parameter is absent or its value decodes to a NUL byte. */
ARC_MALLOC char *url_query_param(const char *url, const char *name);

/* The host of an absolute URL in lowercase (IPv6 addresses keep their brackets); NULL when url
 * does not parse or has no host. */
ARC_MALLOC char *url_host(const char *url);

/* The path of an absolute URL as curl normalises it, still percent-encoded, "/" at least; NULL
 * when url does not parse. */
ARC_MALLOC char *url_path(const char *url);

/* url without the query parameters named in names (a NULL-terminated list, names compared after
 * percent-decoding), the other parameters kept in order and as written; the query is dropped
 * when nothing is left.  The fragment is kept.  NULL when url does not parse as an absolute
 * URL. */
ARC_MALLOC char *url_drop_params(const char *url, const char *const *names);

/* The URL to request for url: its fragment dropped, and its scheme changed to https (an explicit
 * port dropped too) when it is http and its host is one of hosts (NULL-ended, lowercase): hosts
 * that serve only https, as a browser's HSTS list would.  NULL when url is not an absolute http(s)
 * URL. */
ARC_MALLOC char *url_upgrade_https(const char *url, const char *const *hosts);

#endif
