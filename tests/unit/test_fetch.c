/* tests/unit/test_fetch.c: the pure pieces of the fetch queue: back-off, Retry-After, verdicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fetch/internal.h"

static void test_fetch_backoff_doubles_with_bounded_jitter(void **state)
{
    uint64_t rng = 42;

    (void)state;
    for (int round = 0; round < 200; round++) {
        double want = FETCH_BACKOFF_BASE;

        for (int n = 1; n <= 12; n++) {
            double got = fetch__backoff(n, &rng);
            double cap = want < FETCH_BACKOFF_MAX ? want : FETCH_BACKOFF_MAX;

            assert_true(got >= cap * (1 - FETCH_BACKOFF_JITTER) - 1e-9);
            assert_true(got <= cap * (1 + FETCH_BACKOFF_JITTER) + 1e-9);
            want *= 2;
        }
    }
}

static void test_fetch_backoff_is_deterministic_for_a_seed(void **state)
{
    uint64_t a = 7, b = 7, c = 8;
    bool differs = false;

    (void)state;
    for (int n = 1; n <= 5; n++) {
        double x = fetch__backoff(n, &a), y = fetch__backoff(n, &b), z = fetch__backoff(n, &c);

        assert_true(x == y);
        if (x != z)
            differs = true;
    }
    assert_true(differs);
}

static void test_fetch_backoff_jitter_spreads(void **state)
{
    uint64_t rng = 1;
    double lo = 1e9, hi = 0;

    (void)state;
    for (int i = 0; i < 1000; i++) {
        double d = fetch__backoff(1, &rng);

        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
    }
    /* Both ends of the +-25% band are reached, roughly. */
    assert_true(lo < 0.5 * 0.8);
    assert_true(hi > 0.5 * 1.2);
}

static void test_fetch_retry_after_is_honoured(void **state)
{
    time_t now = 1714557600; /* Wed, 01 May 2024 10:00:00 GMT */

    (void)state;
    assert_true(fetch__retry_after("1", now) == 1.0);
    assert_true(fetch__retry_after(" 30 ", now) == 30.0);
    assert_true(fetch__retry_after("0", now) == 0.0);
    assert_true(fetch__retry_after("Wed, 01 May 2024 10:00:05 GMT", now) == 5.0);
    assert_true(fetch__retry_after("Wed, 01 May 2024 09:00:00 GMT", now) == 0.0);
}

static void test_fetch_retry_after_is_capped(void **state)
{
    time_t now = 1714557600;

    (void)state;
    assert_true(fetch__retry_after("3600", now) == FETCH_MAX_RETRY_AFTER);
    assert_true(fetch__retry_after("99999999999999999999999", now) == FETCH_MAX_RETRY_AFTER);
    assert_true(fetch__retry_after("Thu, 02 May 2024 10:00:00 GMT", now) == FETCH_MAX_RETRY_AFTER);
}

static void test_fetch_retry_after_rejects_garbage(void **state)
{
    (void)state;
    assert_true(fetch__retry_after(NULL, 0) < 0);
    assert_true(fetch__retry_after("", 0) < 0);
    assert_true(fetch__retry_after("soon", 0) < 0);
    assert_true(fetch__retry_after("12abc", 0) < 0);
    assert_true(fetch__retry_after("-5", 0) < 0);
}

static void test_fetch_classify_sorts_outcomes(void **state)
{
    enum arc_err err;

    (void)state;
    assert_int_equal(fetch__classify(CURLE_OK, 200, false, &err), FETCH__DONE);
    assert_int_equal(err, ARC_OK);
    assert_int_equal(fetch__classify(CURLE_OK, 404, false, &err), FETCH__DONE);
    assert_int_equal(err, ARC_OK);
    assert_int_equal(fetch__classify(CURLE_OK, 304, false, &err), FETCH__DONE);
    assert_int_equal(err, ARC_OK);
    assert_int_equal(fetch__classify(CURLE_OK, 429, false, &err), FETCH__RETRY);
    assert_int_equal(err, ARC_EHTTP);
    assert_int_equal(fetch__classify(CURLE_OK, 503, false, &err), FETCH__RETRY);
    assert_int_equal(err, ARC_EHTTP);
    assert_int_equal(fetch__classify(CURLE_RECV_ERROR, 200, false, &err), FETCH__RETRY);
    assert_int_equal(err, ARC_ENET);
    assert_int_equal(fetch__classify(CURLE_PARTIAL_FILE, 200, false, &err), FETCH__RETRY);
    assert_int_equal(err, ARC_ENET);
    assert_int_equal(fetch__classify(CURLE_OPERATION_TIMEDOUT, 0, false, &err), FETCH__RETRY);
    assert_int_equal(fetch__classify(CURLE_COULDNT_CONNECT, 0, false, &err), FETCH__RETRY);
    assert_int_equal(fetch__classify(CURLE_GOT_NOTHING, 0, false, &err), FETCH__RETRY);
    assert_int_equal(fetch__classify(CURLE_SEND_ERROR, 0, false, &err), FETCH__RETRY);
    /* Final at once: size caps, bad certificates, other schemes, redirect loops. */
    assert_int_equal(fetch__classify(CURLE_WRITE_ERROR, 200, true, &err), FETCH__DONE);
    assert_int_equal(err, ARC_ETOOBIG);
    assert_int_equal(fetch__classify(CURLE_FILESIZE_EXCEEDED, 200, false, &err), FETCH__DONE);
    assert_int_equal(err, ARC_ETOOBIG);
    assert_int_equal(fetch__classify(CURLE_PEER_FAILED_VERIFICATION, 0, false, &err), FETCH__DONE);
    assert_int_equal(err, ARC_ENET);
    assert_int_equal(fetch__classify(CURLE_UNSUPPORTED_PROTOCOL, 302, false, &err), FETCH__DONE);
    assert_int_equal(err, ARC_EURL);
    assert_int_equal(fetch__classify(CURLE_TOO_MANY_REDIRECTS, 302, false, &err), FETCH__DONE);
    assert_int_equal(err, ARC_EHTTP);
}

static void on_done(struct fetch_req *req)
{
    int *calls = req->data;

    (*calls)++;
}

/* Requests that are never sent complete from fetch_queue_run(), once each, without a network. */
static void test_fetch_queue_completes_unsendable_requests(void **state)
{
    struct fetch_opts o;
    struct fetch_queue *q;
    struct fetch_req bad = { .url = "ftp://example.com/x", .kind = FETCH_PAGE };
    struct fetch_req walled = { .url = "https://mp.weixin.qq.com/s/x", .kind = FETCH_PAGE };
    int calls = 0;

    (void)state;
    fetch_opts_init(&o);
    assert_int_equal(fetch_queue_new(&o, &q, NULL), ARC_OK);
    bad.data = walled.data = &calls;
    fetch_queue_block_host(q, "MP.weixin.qq.com");
    assert_true(fetch_queue_host_blocked(q, "mp.weixin.qq.com"));
    assert_false(fetch_queue_host_blocked(q, "mmbiz.qpic.cn"));
    assert_int_equal(fetch_queue_add(q, &bad, on_done), ARC_OK);
    assert_int_equal(fetch_queue_add(q, &walled, on_done), ARC_OK);
    assert_int_equal(fetch_queue_run(q), ARC_OK);
    assert_int_equal(calls, 2);
    assert_int_equal(bad.err, ARC_EURL);
    assert_int_equal(walled.err, ARC_EWALL);
    assert_int_equal(walled.attempts, 0);
    assert_non_null(walled.error);
    fetch_req_release(&bad);
    fetch_req_release(&walled);
    assert_null(walled.error);
    fetch_queue_free(q);
    fetch_queue_free(NULL);
}

static void test_fetch_queue_rejects_bad_options(void **state)
{
    struct fetch_opts o;
    struct fetch_queue *q = NULL;

    (void)state;
    fetch_opts_init(&o);
    o.jobs = 0;
    assert_int_equal(fetch_queue_new(&o, &q, NULL), ARC_EINVAL);
    assert_null(q);
    fetch_opts_init(&o);
    o.delay = -1;
    assert_int_equal(fetch_queue_new(&o, &q, NULL), ARC_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fetch_backoff_doubles_with_bounded_jitter),
        cmocka_unit_test(test_fetch_backoff_is_deterministic_for_a_seed),
        cmocka_unit_test(test_fetch_backoff_jitter_spreads),
        cmocka_unit_test(test_fetch_retry_after_is_honoured),
        cmocka_unit_test(test_fetch_retry_after_is_capped),
        cmocka_unit_test(test_fetch_retry_after_rejects_garbage),
        cmocka_unit_test(test_fetch_classify_sorts_outcomes),
        cmocka_unit_test(test_fetch_queue_completes_unsendable_requests),
        cmocka_unit_test(test_fetch_queue_rejects_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
