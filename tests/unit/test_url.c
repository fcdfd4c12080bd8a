/* tests/unit/test_url.c: normalizing, resolving and taking apart URLs over curl's URL API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/url.h"

/* Compares a returned string (NULL allowed) with the expected one and frees it. */
#define check_str(expr, expected)             \
    do {                                      \
        char *got_ = (expr);                  \
        const char *want_ = (expected);       \
        if (want_) {                          \
            assert_non_null(got_);            \
            assert_string_equal(got_, want_); \
        } else {                              \
            assert_null(got_);                \
        }                                     \
        free(got_);                           \
    } while (0)

static void test_url_normalize_lowercases_and_drops(void **state)
{
    (void)state;
    check_str(url_normalize("HTTPS://Example.COM:443/a/./b/../c?x=1#frag"),
              "https://example.com/a/c?x=1");
    check_str(url_normalize("http://EXAMPLE.com:80"), "http://example.com/");
    check_str(url_normalize("http://example.com:8080/p"), "http://example.com:8080/p");
    check_str(url_normalize("https://example.com:80/p"), "https://example.com:80/p");
    check_str(url_normalize("https://example.com/p?#"), "https://example.com/p");
    check_str(url_normalize("https://a.com/%7Ex/A?Q=B"), "https://a.com/%7Ex/A?Q=B");
    check_str(url_normalize("https://mp.weixin.qq.com/s/qEWE2pRHRG403lr-yqaKPQ"),
              "https://mp.weixin.qq.com/s/qEWE2pRHRG403lr-yqaKPQ");
}

static void test_url_normalize_refuses_non_http(void **state)
{
    (void)state;
    check_str(url_normalize("ftp://example.com/x"), NULL);
    check_str(url_normalize("mailto:someone@example.com"), NULL);
    check_str(url_normalize("javascript:alert(1)"), NULL);
    check_str(url_normalize("example.com/x"), NULL);
    check_str(url_normalize("/relative/path"), NULL);
    check_str(url_normalize("http://["), NULL);
    check_str(url_normalize("https://a.com/with space"), NULL);
    check_str(url_normalize(""), NULL);
    check_str(url_normalize(NULL), NULL);
    assert_true(url_is_http("https://a.com/"));
    assert_true(url_is_http("HTTP://a.com"));
    assert_false(url_is_http("ftp://a.com/"));
    assert_false(url_is_http("a.com"));
    assert_false(url_is_http(NULL));
}

static void test_url_resolve_relative_references(void **state)
{
    const char *base = "https://a.com/b/c/d?q=1#f";

    (void)state;
    check_str(url_resolve(base, "x"), "https://a.com/b/c/x");
    check_str(url_resolve(base, "../x"), "https://a.com/b/x");
    check_str(url_resolve(base, "../../../../x"), "https://a.com/x");
    check_str(url_resolve(base, "./y/./z/../w"), "https://a.com/b/c/y/w");
    check_str(url_resolve(base, "/root?k=v"), "https://a.com/root?k=v");
    check_str(url_resolve(base, "?z=1"), "https://a.com/b/c/d?z=1");
    check_str(url_resolve(base, "#g"), "https://a.com/b/c/d?q=1#g");
    check_str(url_resolve(base, ""), "https://a.com/b/c/d?q=1");
    check_str(url_resolve(base, "  img.png \n"), "https://a.com/b/c/img.png");
}

static void test_url_resolve_absolute_and_protocol_relative(void **state)
{
    const char *base = "https://a.com/b/c";

    (void)state;
    check_str(url_resolve(base, "//other.org/p"), "https://other.org/p");
    check_str(url_resolve("http://a.com/", "//cdn.example/i.png"), "http://cdn.example/i.png");
    check_str(url_resolve(base, "http://b.org/x?y#z"), "http://b.org/x?y#z");
    check_str(url_resolve(base, "mailto:x@y.org"), NULL);
    check_str(url_resolve(base, "javascript:alert(1)"), NULL);
    check_str(url_resolve(base, "data:image/png;base64,AAAA"), NULL);
    check_str(url_resolve(base, "ftp://a.com/x"), NULL);
    check_str(url_resolve("not a url", "x"), NULL);
    check_str(url_resolve(base, NULL), NULL);
}

static void test_url_query_param_decodes(void **state)
{
    const char *u = "https://mp.weixin.qq.com/s?__biz=MzA%2B%2F%3D%3D&mid=2650&idx=1&e=&f"
                    "&sp=a+b&n%61me=v%20w#idx=9";

    (void)state;
    check_str(url_query_param(u, "__biz"), "MzA+/==");
    check_str(url_query_param(u, "mid"), "2650");
    check_str(url_query_param(u, "idx"), "1");
    check_str(url_query_param(u, "e"), "");
    check_str(url_query_param(u, "f"), "");
    check_str(url_query_param(u, "sp"), "a+b");
    check_str(url_query_param(u, "name"), "v w");
    check_str(url_query_param(u, "missing"), NULL);
    check_str(url_query_param("https://a.com/?x=%00y", "x"), NULL);
    check_str(url_query_param("https://a.com/?a=1&a=2", "a"), "1");
    check_str(url_query_param("https://a.com/", "a"), NULL);
    check_str(url_query_param("nope", "a"), NULL);
}

static void test_url_host_and_path(void **state)
{
    (void)state;
    check_str(url_host("https://MP.Weixin.QQ.com/s/abc"), "mp.weixin.qq.com");
    check_str(url_host("http://[::1]:8080/x"), "[::1]");
    check_str(url_host("nope"), NULL);
    check_str(url_path("https://a.com"), "/");
    check_str(url_path("https://a.com/a/./b/../c?x#y"), "/a/c");
    check_str(url_path("https://a.com/%E4%B8%AD"), "/%E4%B8%AD");
    check_str(url_path("::"), NULL);
}

static void test_url_drop_params_keeps_the_rest(void **state)
{
    static const char *const noise[] = { "chksm", "scene", NULL };

    (void)state;
    check_str(url_drop_params("https://a.com/s?__biz=X&chksm=1&mid=2&scene=3#rd", noise),
              "https://a.com/s?__biz=X&mid=2#rd");
    check_str(url_drop_params("https://a.com/s?chksm=1&scene=2", noise), "https://a.com/s");
    check_str(url_drop_params("https://a.com/s?ch%6Bsm=1&a=b", noise), "https://a.com/s?a=b");
    check_str(url_drop_params("https://a.com/s", noise), "https://a.com/s");
    check_str(url_drop_params("https://a.com/s?a=1", NULL), "https://a.com/s?a=1");
    check_str(url_drop_params("nope", noise), NULL);
}

static void check_upgrade(const char *in, const char *want)
{
    static const char *const hosts[] = { "mp.weixin.qq.com", "mmbiz.qpic.cn", NULL };
    char *got = url_upgrade_https(in, hosts);

    if (!want) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_url_upgrade_https(void **state)
{
    (void)state;
    check_upgrade("http://mp.weixin.qq.com/s?__biz=M%3D%3D&mid=1&idx=1#wechat_redirect",
                  "https://mp.weixin.qq.com/s?__biz=M%3D%3D&mid=1&idx=1");
    check_upgrade("http://MMBIZ.qpic.cn:80/a/640?wx_fmt=png",
                  "https://MMBIZ.qpic.cn/a/640?wx_fmt=png");         /* curl keeps the case */
    check_upgrade("http://example.com/a#b", "http://example.com/a"); /* not listed: kept */
    check_upgrade("https://mp.weixin.qq.com/s/x", "https://mp.weixin.qq.com/s/x");
    check_upgrade("ftp://mp.weixin.qq.com/x", NULL);
    check_upgrade("/relative", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_normalize_lowercases_and_drops),
        cmocka_unit_test(test_url_normalize_refuses_non_http),
        cmocka_unit_test(test_url_resolve_relative_references),
        cmocka_unit_test(test_url_resolve_absolute_and_protocol_relative),
        cmocka_unit_test(test_url_query_param_decodes),
        cmocka_unit_test(test_url_host_and_path),
        cmocka_unit_test(test_url_drop_params_keeps_the_rest),
        cmocka_unit_test(test_url_upgrade_https),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
