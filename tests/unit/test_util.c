/* tests/unit/test_util.c: strbuf, arena, errors, SHA-256, atomic writes and the archive lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/strbuf.h"

static char *scratch_dir(void)
{
    char tmpl[] = "/tmp/archiver-unit-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return xstrdup(d);
}

static void remove_tree(const char *dir)
{
    pid_t pid = fork();
    if (pid == 0) {
        execlp("rm", "rm", "-rf", dir, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
}

static void test_util_strbuf_grows_and_formats(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    (void)state;

    assert_string_equal(sb.buf, "");
    for (int i = 0; i < 1000; i++)
        strbuf_addf(&sb, "%d,", i);
    assert_int_equal(sb.len, strlen(sb.buf));
    assert_memory_equal(sb.buf, "0,1,2,", 6);
    assert_string_equal(sb.buf + sb.len - 4, "999,");
    strbuf_reset(&sb);
    strbuf_addstr(&sb, "  \t padded \n");
    strbuf_trim(&sb);
    assert_string_equal(sb.buf, "padded");
    strbuf_add(&sb, "\0x", 2);
    assert_int_equal(sb.len, 8);
    strbuf_release(&sb);
    assert_int_equal(sb.len, 0);
    assert_string_equal(sb.buf, "");
}

static void test_util_strbuf_cap_refuses_growth(void **state)
{
    struct strbuf sb;
    (void)state;

    strbuf_init_max(&sb, 10);
    assert_int_equal(strbuf_try_add(&sb, "12345", 5), ARC_OK);
    assert_int_equal(strbuf_try_add(&sb, "12345", 5), ARC_OK);
    assert_int_equal(strbuf_try_add(&sb, "1", 1), ARC_ETOOBIG);
    assert_int_equal(sb.len, 10);
    assert_int_equal(strbuf_try_add(&sb, "x", SIZE_MAX), ARC_ETOOBIG);
    strbuf_release(&sb);
}

static void test_util_strbuf_detach_hands_out_storage(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    size_t len;
    char *s;
    (void)state;

    s = strbuf_detach(&sb, &len); /* an empty buffer still gives a freeable string */
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    free(s);
    strbuf_addstr(&sb, "abc");
    s = strbuf_detach(&sb, &len);
    assert_string_equal(s, "abc");
    assert_int_equal(len, 3);
    assert_int_equal(sb.len, 0);
    free(s);
}

static void test_util_arena_aligns_and_copies(void **state)
{
    struct arena a = ARENA_INIT;
    (void)state;

    for (int i = 1; i < 5000; i++) {
        unsigned char *p = arena_alloc(&a, (size_t)(i % 97) + 1);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        assert_int_equal(p[0], 0);
        p[0] = 0xAB;
    }
    {
        char *big = arena_alloc(&a, 1 << 20); /* larger than a block */
        memset(big, 'x', 1 << 20);
    }
    assert_string_equal(arena_strndup(&a, "hello world", 5), "hello");
    assert_null(arena_strdup(&a, NULL));
    arena_release(&a);
    assert_null(a.head);
}

static void test_util_errors_have_names_and_messages(void **state)
{
    (void)state;
    assert_string_equal(arc_err_name(ARC_OK), "OK");
    assert_string_equal(arc_err_name(ARC_ETOOBIG), "TOOBIG");
    assert_string_equal(arc_strerror(ARC_ETOOBIG), "size limit exceeded");
    assert_string_equal(arc_strerror((enum arc_err)9999), "unknown error");
    /* The numbers are part of meta.json's history: never renumber. */
    assert_int_equal(ARC_ENOMEM, 1);
    assert_int_equal(ARC_EIO, 2);
    assert_int_equal(ARC_ETOOBIG, 9);
}

static void test_util_sha256_known_vectors(void **state)
{
    char hex[HASH_SHA256_HEX];
    (void)state;

    hash_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hash_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_util_atomic_write_replaces_whole(void **state)
{
    char *dir = scratch_dir();
    char *path = xasprintf("%s/sub/dir/file.txt", dir);
    char *parent = xasprintf("%s/sub/dir", dir);
    struct strbuf sb = STRBUF_INIT, why = STRBUF_INIT;
    (void)state;

    assert_int_equal(fs_mkdirs(parent, &why), ARC_OK);
    assert_int_equal(fs_mkdirs(parent, &why), ARC_OK); /* again: nothing to do */
    assert_int_equal(fs_write_atomic(path, "first", 5, 0644, &why), ARC_OK);
    assert_int_equal(fs_write_atomic(path, "second", 6, 0644, &why), ARC_OK);
    assert_int_equal(fs_read_file(path, 0, &sb, &why), ARC_OK);
    assert_string_equal(sb.buf, "second");
    {
        char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
        assert_false(fs_exists(tmp));
        free(tmp);
    }
    strbuf_reset(&sb);
    assert_int_equal(fs_read_file(path, 3, &sb, &why), ARC_ETOOBIG);
    strbuf_reset(&sb);
    assert_int_equal(fs_read_file(parent, 0, &sb, &why), ARC_EIO);
    free(path);

    /* No temporary file is left behind, success or failure. */
    path = xasprintf("%s/no-such-dir/file.txt", dir);
    assert_int_equal(fs_write_atomic(path, "x", 1, 0644, &why), ARC_EIO);
    assert_non_null(strstr(why.buf, "cannot write"));
    assert_non_null(strstr(why.buf, "no-such-dir/file.txt"));
    free(path);
    path = xasprintf("%s/missing.txt", dir);
    assert_int_equal(fs_read_file(path, 0, &sb, &why), ARC_ENOTFOUND);
    assert_non_null(strstr(why.buf, "No such file"));

    remove_tree(dir);
    strbuf_release(&sb);
    strbuf_release(&why);
    free(path);
    free(parent);
    free(dir);
}

static void test_util_mkdirs_refuses_the_empty_path(void **state)
{
    struct strbuf why = STRBUF_INIT;

    (void)state;
    assert_int_equal(fs_mkdirs("", &why), ARC_EIO);
    assert_string_equal(why.buf, "cannot create a directory with an empty name");
    assert_int_equal(fs_mkdirs("", NULL), ARC_EIO);
    strbuf_release(&why);
}

static void test_util_lock_is_exclusive_across_processes(void **state)
{
    char *dir = scratch_dir();
    struct fs_lock lock = FS_LOCK_INIT;
    struct strbuf why = STRBUF_INIT;
    int status;
    pid_t pid;
    (void)state;

    assert_int_equal(fs_lock_acquire(&lock, dir, &why), ARC_OK);
    pid = fork();
    if (pid == 0) {
        struct fs_lock other = FS_LOCK_INIT;
        struct strbuf w = STRBUF_INIT;
        enum arc_err err = fs_lock_acquire(&other, dir, &w);
        char want[64];
        snprintf(want, sizeof(want), "pid %ld", (long)getppid());
        _exit(err == ARC_ELOCKED && strstr(w.buf, want) ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    fs_lock_release(&lock);
    fs_lock_release(&lock); /* twice is fine */

    /* Released: another process gets it. */
    pid = fork();
    if (pid == 0) {
        struct fs_lock other = FS_LOCK_INIT;
        _exit(fs_lock_acquire(&other, dir, NULL) == ARC_OK ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(WEXITSTATUS(status), 0);
    remove_tree(dir);
    strbuf_release(&why);
    free(dir);
}

static void test_util_datadir_follows_the_environment(void **state)
{
    (void)state;
    setenv("ARCHIVER_DATADIR", "/opt/elsewhere", 1);
    assert_string_equal(fs_datadir(), "/opt/elsewhere");
    unsetenv("ARCHIVER_DATADIR");
    /* Not installed here: the build tree falls back to the sources, which hold styles/. */
    assert_true(fs_is_dir(fs_datadir()));
    {
        char *css = xasprintf("%s/styles/book.css", fs_datadir());
        assert_true(fs_exists(css));
        free(css);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_util_strbuf_grows_and_formats),
        cmocka_unit_test(test_util_strbuf_cap_refuses_growth),
        cmocka_unit_test(test_util_strbuf_detach_hands_out_storage),
        cmocka_unit_test(test_util_arena_aligns_and_copies),
        cmocka_unit_test(test_util_errors_have_names_and_messages),
        cmocka_unit_test(test_util_sha256_known_vectors),
        cmocka_unit_test(test_util_atomic_write_replaces_whole),
        cmocka_unit_test(test_util_mkdirs_refuses_the_empty_path),
        cmocka_unit_test(test_util_lock_is_exclusive_across_processes),
        cmocka_unit_test(test_util_datadir_follows_the_environment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
