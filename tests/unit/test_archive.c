/* tests/unit/test_archive.c: meta.json, versioned commits and their gc, gzip, the front page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archive/archive.h"
#include "index/index.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/strbuf.h"

#define DATA TEST_DATADIR "/archive"

/* --- helpers --- */

static char *scratch_dir(void)
{
    char tmpl[] = "/tmp/archiver-archive-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return xstrdup(d);
}

static int run(const char *prog, const char *arg1, const char *arg2)
{
    int status = 0;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        execlp(prog, prog, arg1, arg2, (char *)NULL);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void remove_tree(char *dir)
{
    assert_int_equal(run("rm", "-rf", dir), 0);
    free(dir);
}

static char *read_text(const char *path)
{
    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(fs_read_file(path, 0, &sb, NULL), ARC_OK);
    return strbuf_detach(&sb, NULL);
}

static void write_text(const char *path, const char *text)
{
    assert_int_equal(fs_write_atomic(path, text, strlen(text), 0666, NULL), ARC_OK);
}

static char *link_target(const char *dir, const char *id)
{
    char *path = xasprintf("%s/articles/%s", dir, id);
    char buf[PATH_MAX];
    ssize_t n = readlink(path, buf, sizeof(buf) - 1);

    free(path);
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    return xstrdup(buf);
}

/* Entries of dir/sub other than "." and "..", in one sorted comma-separated string. */
static char *list_dir(const char *dir, const char *sub)
{
    char *path = xasprintf("%s/%s", dir, sub);
    struct dirent **names;
    struct strbuf sb = STRBUF_INIT;
    int n = scandir(path, &names, NULL, alphasort);

    assert_true(n >= 0);
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
            strbuf_addf(&sb, "%s%s", sb.len ? "," : "", names[i]->d_name);
        free(names[i]);
    }
    free(names);
    free(path);
    return strbuf_detach(&sb, NULL);
}

static void fill_meta(struct archive_meta *m, const char *id, enum archive_state state)
{
    archive_meta_release(m);
    m->id = xstrdup(id);
    m->url = xasprintf("https://mp.weixin.qq.com/s/%s", id);
    m->title = xstrdup("标题 ✓ “quoted” & <tag>");
    m->account = xstrdup("公众号");
    m->state = state;
    m->fetched = 1733400000;
    archive_meta_add_event(m, 1733400000, "archived", 200, NULL);
}

static void commit_simple(const char *dir, const char *id, enum archive_state state,
                          const char *html)
{
    struct archive_meta m = ARCHIVE_META_INIT;
    struct archive_file files[] = {
        { "article.html", html, strlen(html), 0 },
        { "raw.html.gz", "<html>raw</html>", 16, ARCHIVE_FILE_GZIP },
        { "images/0123abcd.png", "\x89PNG fake", 9, 0 },
    };
    struct strbuf why = STRBUF_INIT;

    fill_meta(&m, id, state);
    assert_int_equal(archive_commit_article(dir, id, files, 3, &m, &why), ARC_OK);
    strbuf_release(&why);
    archive_meta_release(&m);
}

static void assert_file_text(const char *dir, const char *id, const char *name, const char *want)
{
    struct strbuf sb = STRBUF_INIT;
    struct strbuf why = STRBUF_INIT;

    assert_int_equal(archive_read_file(dir, id, name, 0, &sb, &why), ARC_OK);
    assert_string_equal(sb.buf, want);
    strbuf_release(&sb);
    strbuf_release(&why);
}

/* --- meta.json --- */

static void test_archive_meta_round_trip(void **state)
{
    struct archive_meta m = ARCHIVE_META_INIT, back = ARCHIVE_META_INIT;
    struct strbuf json = STRBUF_INIT, again = STRBUF_INIT, why = STRBUF_INIT;
    struct archive_image *img;
    (void)state;

    m.id = xstrdup("qEWE2pRHRG403lr-yqaKPQ");
    m.url = xstrdup("https://mp.weixin.qq.com/s/qEWE2pRHRG403lr-yqaKPQ");
    m.final_url = xstrdup("https://mp.weixin.qq.com/s?__biz=MzA=&mid=1&idx=1");
    m.canonical_url = xstrdup("https://mp.weixin.qq.com/s/short");
    m.title = xstrdup("一文搞懂epoll：高效I/O多路复用 \"quotes\" \\ 😀");
    m.account = xstrdup("深度Linux");
    m.author = xstrdup("作者");
    m.published = 1734567890;
    m.fetched = 1734600000;
    m.etag = xstrdup("W/\"abc\"");
    m.last_modified = xstrdup("Wed, 21 Oct 2015 07:28:00 GMT");
    m.state = ARCHIVE_ARCHIVED_DELETED;
    m.error = xstrdup("HTTP 503");
    m.deleted_upstream = 1734700000;
    m.kind = xstrdup("image-post");
    img = archive_meta_add_image(&m);
    img->src = xstrdup("https://mmbiz.qpic.cn/a.png");
    img->file = xstrdup("images/0123456789abcdef.png");
    img->status = ARCHIVE_IMAGE_OK;
    img->bytes = 12345;
    img->width = 640;
    img->height = 480;
    img = archive_meta_add_image(&m);
    img->src = xstrdup("https://mmbiz.qpic.cn/b.gif");
    img->status = ARCHIVE_IMAGE_GONE;
    img->error = xstrdup("HTTP 404");
    archive_meta_add_event(&m, 1734600000, "archived", 200, NULL);
    archive_meta_add_event(&m, 1734700000, "deleted", 200, "该内容已被发布者删除");

    archive_meta_format(&m, &json);
    assert_non_null(strstr(json.buf, "\"status\": \"archived-deleted-upstream\""));
    assert_non_null(strstr(json.buf, "\"version\": 1"));
    assert_int_equal(archive_meta_parse(json.buf, json.len, &back, &why), ARC_OK);

    assert_int_equal(back.version, 1);
    assert_string_equal(back.id, m.id);
    assert_string_equal(back.url, m.url);
    assert_string_equal(back.final_url, m.final_url);
    assert_string_equal(back.canonical_url, m.canonical_url);
    assert_string_equal(back.title, m.title);
    assert_string_equal(back.account, m.account);
    assert_string_equal(back.author, m.author);
    assert_int_equal(back.published, m.published);
    assert_int_equal(back.fetched, m.fetched);
    assert_string_equal(back.etag, m.etag);
    assert_string_equal(back.last_modified, m.last_modified);
    assert_int_equal(back.state, ARCHIVE_ARCHIVED_DELETED);
    assert_string_equal(back.error, "HTTP 503");
    assert_int_equal(back.deleted_upstream, m.deleted_upstream);
    assert_string_equal(back.kind, "image-post");
    assert_int_equal(back.nimages, 2);
    assert_string_equal(back.images[0].src, "https://mmbiz.qpic.cn/a.png");
    assert_string_equal(back.images[0].file, "images/0123456789abcdef.png");
    assert_int_equal(back.images[0].status, ARCHIVE_IMAGE_OK);
    assert_null(back.images[0].error);
    assert_int_equal(back.images[0].bytes, 12345);
    assert_int_equal(back.images[0].width, 640);
    assert_int_equal(back.images[0].height, 480);
    assert_null(back.images[1].file);
    assert_int_equal(back.images[1].status, ARCHIVE_IMAGE_GONE);
    assert_string_equal(back.images[1].error, "HTTP 404");
    assert_int_equal(back.nhistory, 2);
    assert_int_equal(back.history[0].time, 1734600000);
    assert_string_equal(back.history[0].result, "archived");
    assert_int_equal(back.history[0].http_status, 200);
    assert_null(back.history[0].detail);
    assert_string_equal(back.history[1].result, "deleted");
    assert_string_equal(back.history[1].detail, "该内容已被发布者删除");

    /* Formatting what was parsed gives the same bytes. */
    archive_meta_format(&back, &again);
    assert_string_equal(again.buf, json.buf);

    strbuf_release(&json);
    strbuf_release(&again);
    strbuf_release(&why);
    archive_meta_release(&m);
    archive_meta_release(&back);
    assert_null(back.title);
    assert_int_equal(back.nimages, 0);
}

static void test_archive_meta_history_is_capped(void **state)
{
    struct archive_meta m = ARCHIVE_META_INIT;
    (void)state;

    for (int i = 0; i < ARCHIVE_HISTORY_MAX + 25; i++)
        archive_meta_add_event(&m, 1000 + i, i % 2 ? "failed" : "not-modified", 304, "d");
    assert_int_equal(m.nhistory, ARCHIVE_HISTORY_MAX);
    assert_int_equal(m.history[0].time, 1000 + 25);
    assert_int_equal(m.history[ARCHIVE_HISTORY_MAX - 1].time, 1000 + ARCHIVE_HISTORY_MAX + 24);
    archive_meta_release(&m);
}

static void test_archive_meta_extra_and_wrong_fields(void **state)
{
    struct archive_meta m = ARCHIVE_META_INIT;
    struct strbuf buf = STRBUF_INIT, out = STRBUF_INIT, why = STRBUF_INIT;
    (void)state;

    assert_int_equal(fs_read_file(DATA "/extra-fields.json", 0, &buf, NULL), ARC_OK);
    assert_int_equal(archive_meta_parse(buf.buf, buf.len, &m, &why), ARC_OK);
    assert_int_equal(m.state, ARCHIVE_ARCHIVED);
    assert_null(m.title); /* a number where a string belongs reads as unset */
    assert_null(m.url);   /* missing */
    assert_int_equal(m.nimages, 1);
    assert_int_equal(m.images[0].status, ARCHIVE_IMAGE_FAILED); /* unknown: retried */
    assert_int_equal(m.nhistory, 0);
    /* Unknown fields survive a rewrite. */
    archive_meta_format(&m, &out);
    assert_non_null(strstr(out.buf, "\"future_field\""));
    assert_non_null(strstr(out.buf, "\"another\": \"kept\""));

    /* An unknown status is pending: fetched again rather than trusted. */
    strbuf_reset(&buf);
    strbuf_addstr(&buf, "{\"status\": \"from-the-future\", \"id\": \"x\"}");
    assert_int_equal(archive_meta_parse(buf.buf, buf.len, &m, &why), ARC_OK);
    assert_int_equal(m.state, ARCHIVE_PENDING);
    assert_string_equal(m.id, "x");

    strbuf_release(&buf);
    strbuf_release(&out);
    strbuf_release(&why);
    archive_meta_release(&m);
}

static void test_archive_meta_damaged_is_eparse(void **state)
{
    char *dir = scratch_dir();
    char *vdir = xasprintf("%s/articles/.v/bad.1", dir);
    char *link = xasprintf("%s/articles/bad", dir);
    char *path = xasprintf("%s/meta.json", vdir);
    char *damaged = read_text(DATA "/damaged-meta.json");
    struct archive_meta m = ARCHIVE_META_INIT;
    struct strbuf why = STRBUF_INIT;
    (void)state;

    assert_int_equal(fs_mkdirs(vdir, NULL), ARC_OK);
    assert_int_equal(symlink(".v/bad.1", link), 0);
    write_text(path, damaged);
    assert_int_equal(archive_meta_read(dir, "bad", &m, &why), ARC_EPARSE);
    assert_non_null(strstr(why.buf, "meta.json"));
    assert_int_equal(archive_entry_state(dir, "bad"), ARCHIVE_PENDING);

    write_text(path, "[1, 2, 3]");
    strbuf_reset(&why);
    assert_int_equal(archive_meta_read(dir, "bad", &m, &why), ARC_EPARSE);
    assert_non_null(strstr(why.buf, "not a JSON object"));

    assert_int_equal(archive_meta_read(dir, "missing", &m, &why), ARC_ENOTFOUND);
    assert_int_equal(archive_entry_state(dir, "missing"), ARCHIVE_PENDING);

    strbuf_release(&why);
    archive_meta_release(&m);
    free(damaged);
    free(path);
    free(link);
    free(vdir);
    remove_tree(dir);
}

/* --- commits --- */

static void test_archive_commit_creates_version(void **state)
{
    char *dir = scratch_dir();
    struct archive_meta m = ARCHIVE_META_INIT;
    struct strbuf why = STRBUF_INIT;
    char *target, *listing, *path;
    struct stat st;
    (void)state;

    commit_simple(dir, "abc-1_X", ARCHIVE_ARCHIVED, "<p>first</p>");

    target = link_target(dir, "abc-1_X");
    assert_non_null(target);
    assert_string_equal(target, ".v/abc-1_X.1");
    listing = list_dir(dir, "articles/.v/abc-1_X.1");
    assert_string_equal(listing, "article.html,images,meta.json,raw.html.gz");
    free(listing);
    listing = list_dir(dir, "articles");
    assert_string_equal(listing, ".v,abc-1_X");
    free(listing);

    path = archive_article_path(dir, "abc-1_X", "raw.html.gz");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(lstat(path, &st), 0);
    free(path);
    path = archive_article_path(dir, "abc-1_X", NULL);
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    free(path);

    assert_file_text(dir, "abc-1_X", "article.html", "<p>first</p>");
    assert_file_text(dir, "abc-1_X", "raw.html.gz", "<html>raw</html>");
    assert_file_text(dir, "abc-1_X", "images/0123abcd.png", "\x89PNG fake");
    assert_int_equal(archive_entry_state(dir, "abc-1_X"), ARCHIVE_ARCHIVED);
    assert_int_equal(archive_meta_read(dir, "abc-1_X", &m, &why), ARC_OK);
    assert_string_equal(m.id, "abc-1_X");
    assert_string_equal(m.title, "标题 ✓ “quoted” & <tag>");
    assert_int_equal(m.nhistory, 1);

    /* Bad ids and file names are refused before anything is written. */
    {
        struct archive_file bad[] = { { "../escape", "x", 1, 0 } };
        struct archive_file dup[] = { { "a.html", "x", 1, 0 }, { "a.html", "y", 1, 0 } };
        struct archive_file abs[] = { { "/etc/x", "x", 1, 0 } };
        struct archive_file meta_name[] = { { "meta.json", "x", 1, 0 } };

        assert_int_equal(archive_commit_article(dir, "ok", bad, 1, &m, &why), ARC_EINVAL);
        assert_int_equal(archive_commit_article(dir, "ok", abs, 1, &m, &why), ARC_EINVAL);
        assert_int_equal(archive_commit_article(dir, "ok", meta_name, 1, &m, &why), ARC_EINVAL);
        assert_int_equal(archive_commit_article(dir, "../x", NULL, 0, &m, &why), ARC_EINVAL);
        assert_int_equal(archive_commit_article(dir, ".v", NULL, 0, &m, &why), ARC_EINVAL);
        assert_int_equal(archive_commit_article(dir, "dup", dup, 2, &m, &why), ARC_EINVAL);
        /* The failed commit left nothing behind. */
        assert_null(link_target(dir, "dup"));
        listing = list_dir(dir, "articles/.v");
        assert_string_equal(listing, "abc-1_X.1");
        free(listing);
    }

    free(target);
    strbuf_release(&why);
    archive_meta_release(&m);
    remove_tree(dir);
}

static void test_archive_commit_replaces_atomically(void **state)
{
    char *dir = scratch_dir();
    struct archive_meta m = ARCHIVE_META_INIT;
    struct strbuf why = STRBUF_INIT;
    char *target, *listing, *old_img, *new_img;
    struct stat st_old, st_new;
    (void)state;

    commit_simple(dir, "art", ARCHIVE_ARCHIVED, "<p>v1</p>");
    old_img = xasprintf("%s/articles/.v/art.1/images/0123abcd.png", dir);
    assert_int_equal(stat(old_img, &st_old), 0);

    /* The refresh keeps the image by hard link and brings new text. */
    {
        const char *html = "<p>v2</p>";
        struct archive_file files[] = {
            { "article.html", html, strlen(html), 0 },
            { "images/0123abcd.png", NULL, 0, ARCHIVE_FILE_REUSE },
        };
        struct archive_file missing[] = { { "images/none.png", NULL, 0, ARCHIVE_FILE_REUSE } };

        fill_meta(&m, "art", ARCHIVE_ARCHIVED);
        archive_meta_add_event(&m, 1733500000, "archived", 200, "refresh");
        assert_int_equal(archive_commit_article(dir, "art", files, 2, &m, &why), ARC_OK);
        assert_int_equal(archive_commit_article(dir, "art", missing, 1, &m, &why), ARC_ENOTFOUND);
    }
    target = link_target(dir, "art");
    assert_string_equal(target, ".v/art.2");
    listing = list_dir(dir, "articles/.v");
    assert_string_equal(listing, "art.2");
    free(listing);
    listing = list_dir(dir, "articles");
    assert_string_equal(listing, ".v,art");
    free(listing);
    new_img = xasprintf("%s/articles/.v/art.2/images/0123abcd.png", dir);
    assert_int_equal(stat(new_img, &st_new), 0);
    assert_int_equal(st_new.st_ino, st_old.st_ino); /* the same file, linked */
    assert_file_text(dir, "art", "article.html", "<p>v2</p>");
    assert_file_text(dir, "art", "images/0123abcd.png", "\x89PNG fake");
    /* raw.html.gz was not given again, so the new version has none. */
    {
        struct strbuf sb = STRBUF_INIT;
        assert_int_equal(archive_read_file(dir, "art", "raw.html.gz", 0, &sb, &why), ARC_ENOTFOUND);
        strbuf_release(&sb);
    }
    archive_meta_release(&m);
    assert_int_equal(archive_meta_read(dir, "art", &m, &why), ARC_OK);
    assert_int_equal(m.nhistory, 2);
    assert_string_equal(m.history[1].detail, "refresh");

    free(target);
    free(old_img);
    free(new_img);
    strbuf_release(&why);
    archive_meta_release(&m);
    remove_tree(dir);
}

static void test_archive_gc_after_crash(void **state)
{
    char *dir = scratch_dir();
    struct strbuf why = STRBUF_INIT;
    char *p, *listing, *target;
    (void)state;

    commit_simple(dir, "keep", ARCHIVE_ARCHIVED, "<p>keep</p>");
    commit_simple(dir, "other", ARCHIVE_ARCHIVED, "<p>other</p>");

    /* A run killed while writing version 2 of keep: its temporary folder ... */
    p = xasprintf("%s/articles/.v/keep.2.tmp-99999/images", dir);
    assert_int_equal(fs_mkdirs(p, NULL), ARC_OK);
    free(p);
    p = xasprintf("%s/articles/.v/keep.2.tmp-99999/article.html", dir);
    write_text(p, "<p>half</p>");
    free(p);
    /* ... a version renamed into place but never linked ... */
    p = xasprintf("%s/articles/.v/other.2/images", dir);
    assert_int_equal(fs_mkdirs(p, NULL), ARC_OK);
    free(p);
    /* ... a link made but not yet renamed over articles/<id> ... */
    p = xasprintf("%s/articles/.keep.lnk-99999", dir);
    assert_int_equal(symlink(".v/keep.2", p), 0);
    free(p);
    /* ... a version whose link was swapped but which was not yet removed ... */
    p = xasprintf("%s/articles/.v/keep.0", dir);
    assert_int_equal(fs_mkdirs(p, NULL), ARC_OK);
    free(p);
    /* ... a meta.json rewrite cut short in the current version ... */
    p = xasprintf("%s/articles/.v/keep.1/meta.json.tmp.99999", dir);
    write_text(p, "{\"half\"");
    free(p);
    /* ... and a link whose version is gone. */
    p = xasprintf("%s/articles/dangling", dir);
    assert_int_equal(symlink(".v/dangling.4", p), 0);
    free(p);

    assert_int_equal(archive_gc(dir, &why), ARC_OK);
    listing = list_dir(dir, "articles");
    assert_string_equal(listing, ".v,keep,other");
    free(listing);
    listing = list_dir(dir, "articles/.v");
    assert_string_equal(listing, "keep.1,other.1");
    free(listing);
    listing = list_dir(dir, "articles/.v/keep.1");
    assert_string_equal(listing, "article.html,images,meta.json,raw.html.gz");
    free(listing);
    target = link_target(dir, "keep");
    assert_string_equal(target, ".v/keep.1");
    free(target);
    assert_file_text(dir, "keep", "article.html", "<p>keep</p>");
    assert_file_text(dir, "keep", "raw.html.gz", "<html>raw</html>");
    assert_file_text(dir, "other", "article.html", "<p>other</p>");
    assert_int_equal(archive_entry_state(dir, "keep"), ARCHIVE_ARCHIVED);

    /* The next commit goes on as if nothing happened, and gc on a clean archive is a no-op. */
    commit_simple(dir, "other", ARCHIVE_ARCHIVED, "<p>other 2</p>");
    assert_int_equal(archive_gc(dir, &why), ARC_OK);
    listing = list_dir(dir, "articles/.v");
    assert_string_equal(listing, "keep.1,other.2");
    free(listing);
    assert_file_text(dir, "other", "article.html", "<p>other 2</p>");

    /* An archive without articles/ is fine. */
    p = xasprintf("%s/empty", dir);
    assert_int_equal(fs_mkdirs(p, NULL), ARC_OK);
    assert_int_equal(archive_gc(p, &why), ARC_OK);
    free(p);

    strbuf_release(&why);
    remove_tree(dir);
}

static void test_archive_update_meta(void **state)
{
    char *dir = scratch_dir();
    struct archive_meta m = ARCHIVE_META_INIT;
    struct strbuf why = STRBUF_INIT;
    char *target, *listing;
    (void)state;

    /* With a copy: only meta.json changes, in the same version. */
    commit_simple(dir, "has", ARCHIVE_ARCHIVED, "<p>has</p>");
    assert_int_equal(archive_meta_read(dir, "has", &m, &why), ARC_OK);
    m.state = ARCHIVE_ARCHIVED_DELETED;
    m.deleted_upstream = 1733600000;
    archive_meta_add_event(&m, 1733600000, "deleted", 200, NULL);
    assert_int_equal(archive_update_meta(dir, "has", &m, &why), ARC_OK);
    target = link_target(dir, "has");
    assert_string_equal(target, ".v/has.1");
    free(target);
    listing = list_dir(dir, "articles/.v/has.1");
    assert_string_equal(listing, "article.html,images,meta.json,raw.html.gz");
    free(listing);
    assert_file_text(dir, "has", "article.html", "<p>has</p>");
    assert_int_equal(archive_entry_state(dir, "has"), ARCHIVE_ARCHIVED_DELETED);
    archive_meta_release(&m);
    assert_int_equal(archive_meta_read(dir, "has", &m, &why), ARC_OK);
    assert_int_equal(m.deleted_upstream, 1733600000);
    assert_int_equal(m.nhistory, 2);
    archive_meta_release(&m);

    /* Without a copy: a version holding meta.json alone. */
    m.state = ARCHIVE_FAILED;
    m.error = xstrdup("HTTP 503 after 3 tries");
    archive_meta_add_event(&m, 1733600000, "failed", 503, "Service Unavailable");
    assert_int_equal(archive_update_meta(dir, "none", &m, &why), ARC_OK);
    target = link_target(dir, "none");
    assert_string_equal(target, ".v/none.1");
    free(target);
    listing = list_dir(dir, "articles/.v/none.1");
    assert_string_equal(listing, "meta.json");
    free(listing);
    assert_int_equal(archive_entry_state(dir, "none"), ARCHIVE_FAILED);
    archive_meta_release(&m);
    assert_int_equal(archive_meta_read(dir, "none", &m, &why), ARC_OK);
    assert_string_equal(m.id, "none"); /* the id given wins */
    assert_string_equal(m.error, "HTTP 503 after 3 tries");
    /* A second update rewrites in place. */
    m.state = ARCHIVE_WALLED;
    assert_int_equal(archive_update_meta(dir, "none", &m, &why), ARC_OK);
    assert_int_equal(archive_entry_state(dir, "none"), ARCHIVE_WALLED);
    listing = list_dir(dir, "articles/.v");
    assert_string_equal(listing, "has.1,none.1");
    free(listing);

    strbuf_release(&why);
    archive_meta_release(&m);
    remove_tree(dir);
}

static void test_archive_list_ids(void **state)
{
    char *dir = scratch_dir();
    char **ids = NULL;
    size_t n = 99;
    (void)state;

    assert_int_equal(archive_list_ids(dir, &ids, &n, NULL), ARC_OK);
    assert_int_equal(n, 0);
    assert_null(ids[0]);
    archive_ids_free(ids);

    commit_simple(dir, "zeta", ARCHIVE_ARCHIVED, "z");
    commit_simple(dir, "alpha", ARCHIVE_ARCHIVED, "a");
    commit_simple(dir, "mid", ARCHIVE_ARCHIVED, "m");
    assert_int_equal(archive_list_ids(dir, &ids, &n, NULL), ARC_OK);
    assert_int_equal(n, 3);
    assert_string_equal(ids[0], "alpha");
    assert_string_equal(ids[1], "mid");
    assert_string_equal(ids[2], "zeta");
    assert_null(ids[3]);
    archive_ids_free(ids);
    archive_ids_free(NULL);
    remove_tree(dir);
}

/* --- gzip --- */

static void test_archive_gzip_round_trip(void **state)
{
    struct strbuf page = STRBUF_INIT, gz = STRBUF_INIT, back = STRBUF_INIT, why = STRBUF_INIT;
    char *dir = scratch_dir();
    struct archive_meta m = ARCHIVE_META_INIT;
    uint32_t x = 12345;
    (void)state;

    /* 3 MB of markup with varied text, so deflate has real work to do. */
    while (page.len < 3 * 1024 * 1024) {
        x = x * 1103515245u + 12345u;
        strbuf_addf(&page, "<p class=\"c%u\">段落 %u — text %08x</p>\n", x % 7, x >> 16, x);
    }
    assert_int_equal(archive_gzip(page.buf, page.len, &gz, &why), ARC_OK);
    assert_true(gz.len < page.len);
    assert_int_equal((unsigned char)gz.buf[0], 0x1f);
    assert_int_equal((unsigned char)gz.buf[1], 0x8b);
    assert_int_equal(archive_gunzip(gz.buf, gz.len, 0, &back, &why), ARC_OK);
    assert_int_equal(back.len, page.len);
    assert_memory_equal(back.buf, page.buf, page.len);

    /* Through the archive: raw.html.gz is stored compressed and read back whole. */
    {
        struct archive_file files[] = { { "raw.html.gz", page.buf, page.len, ARCHIVE_FILE_GZIP } };
        char *path = archive_article_path(dir, "big", "raw.html.gz");
        struct stat st;

        fill_meta(&m, "big", ARCHIVE_ARCHIVED);
        assert_int_equal(archive_commit_article(dir, "big", files, 1, &m, &why), ARC_OK);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal((size_t)st.st_size, gz.len);
        strbuf_reset(&back);
        assert_int_equal(archive_read_file(dir, "big", "raw.html.gz", 0, &back, &why), ARC_OK);
        assert_int_equal(back.len, page.len);
        assert_memory_equal(back.buf, page.buf, page.len);
        /* A smaller cap is honoured. */
        strbuf_reset(&back);
        assert_int_equal(archive_read_file(dir, "big", "raw.html.gz", 1024, &back, &why),
                         ARC_ETOOBIG);
        assert_int_equal(back.len, 0);
        free(path);
    }

    /* Truncated and corrupt data are parse errors, and leave out as it was. */
    strbuf_reset(&back);
    strbuf_addstr(&back, "keep");
    assert_int_equal(archive_gunzip(gz.buf, gz.len / 2, 0, &back, &why), ARC_EPARSE);
    assert_string_equal(back.buf, "keep");
    gz.buf[gz.len / 2] ^= 0x55;
    gz.buf[gz.len / 2 + 1] ^= 0x55;
    gz.buf[gz.len / 2 + 2] ^= 0x55;
    assert_int_equal(archive_gunzip(gz.buf, gz.len, 0, &back, &why), ARC_EPARSE);
    assert_int_equal(archive_gunzip("not gzip at all", 15, 0, &back, &why), ARC_EPARSE);
    assert_string_equal(back.buf, "keep");

    strbuf_release(&page);
    strbuf_release(&gz);
    strbuf_release(&back);
    strbuf_release(&why);
    archive_meta_release(&m);
    remove_tree(dir);
}

static void test_archive_gunzip_refuses_bomb(void **state)
{
    size_t big = ARCHIVE_GUNZIP_MAX + 1;
    char *zeros = xcalloc(1, big);
    struct strbuf gz = STRBUF_INIT, out = STRBUF_INIT, why = STRBUF_INIT;
    (void)state;

    assert_int_equal(archive_gzip(zeros, big, &gz, &why), ARC_OK);
    free(zeros);
    assert_true(gz.len < 256 * 1024); /* a bomb: tiny in, huge out */
    assert_int_equal(archive_gunzip(gz.buf, gz.len, 0, &out, &why), ARC_ETOOBIG);
    assert_int_equal(out.len, 0);
    assert_non_null(strstr(why.buf, "more than"));
    /* Exactly at the cap is still fine. */
    strbuf_reset(&gz);
    zeros = xcalloc(1, ARCHIVE_GUNZIP_MAX);
    assert_int_equal(archive_gzip(zeros, ARCHIVE_GUNZIP_MAX, &gz, &why), ARC_OK);
    free(zeros);
    assert_int_equal(archive_gunzip(gz.buf, gz.len, 0, &out, &why), ARC_OK);
    assert_int_equal(out.len, ARCHIVE_GUNZIP_MAX);

    strbuf_release(&gz);
    strbuf_release(&out);
    strbuf_release(&why);
}

/* --- the front page --- */

static void set_state(const char *dir, const char *id, enum archive_state st, const char *error)
{
    struct archive_meta m = ARCHIVE_META_INIT;
    struct strbuf why = STRBUF_INIT;

    fill_meta(&m, id, st);
    m.error = error ? xstrdup(error) : NULL;
    assert_int_equal(archive_update_meta(dir, id, &m, &why), ARC_OK);
    strbuf_release(&why);
    archive_meta_release(&m);
}

static void test_archive_front_page(void **state)
{
    char *dir = scratch_dir();
    struct idx_opts opts = IDX_OPTS_INIT;
    struct idx *ix = NULL;
    struct strbuf why = STRBUF_INIT;
    char *path, *html;
    (void)state;

    opts.year = 2024;
    opts.now = 1735000000;
    assert_int_equal(idx_parse_file(DATA "/index.md", &opts, &ix, &why), ARC_OK);
    commit_simple(dir, "aaaAAA111", ARCHIVE_ARCHIVED, "<p>a</p>");
    set_state(dir, "bbbBBB222", ARCHIVE_DELETED, NULL);
    set_state(dir, "cccCCC333", ARCHIVE_FAILED, "HTTP 503 <again>");
    set_state(dir, "dddDDD444", ARCHIVE_WALLED, NULL);
    commit_simple(dir, "fffFFF666", ARCHIVE_ARCHIVED_DELETED, "<p>f</p>");

    assert_int_equal(archive_write_front_page(dir, ix, &why), ARC_OK);
    path = xasprintf("%s/index.html", dir);
    assert_int_equal(run("xmllint", "--noout", path), 0);
    html = read_text(path);

    assert_non_null(strstr(html, "<link rel=\"stylesheet\" type=\"text/css\" href=\"book.css\"/>"));
    assert_non_null(strstr(html, "<h1>我的收藏 &lt;Archive&gt; &amp; more</h1>"));
    assert_non_null(strstr(html, "<h2>2024-12</h2>"));
    assert_non_null(strstr(html, "<h2>2024-11</h2>"));
    assert_true(strstr(html, "<h2>2024-12</h2>") < strstr(html, "<h2>2024-11</h2>"));
    assert_non_null(strstr(html, "href=\"articles/aaaAAA111/article.html\">Archived one</a>"));
    assert_non_null(strstr(html, "href=\"articles/fffFFF666/article.html\">Kept after"));
    assert_non_null(strstr(html, "deleted by the publisher since; copy kept"));
    assert_null(strstr(html, "articles/bbbBBB222/"));
    assert_null(strstr(html, "articles/cccCCC333/"));
    assert_null(strstr(html, "articles/eeeEEE555/"));
    assert_non_null(strstr(html, "Deleted one</span> <span class=\"account\">公众号</span> "
                                 "<span class=\"state\">(deleted by the publisher)</span>"));
    assert_non_null(strstr(html, "(failed: HTTP 503 &lt;again&gt;)"));
    assert_non_null(strstr(html, "(verification wall)"));
    assert_non_null(strstr(html, "Pending one</span> <span class=\"state\">(not archived yet)"));
    assert_non_null(strstr(html, "<span class=\"date\">12.05</span>"));
    assert_non_null(strstr(html, "href=\"https://mp.weixin.qq.com/s/eeeEEE555\">original</a>"));
    assert_non_null(strstr(html, "<div class=\"note\">"));
    assert_non_null(strstr(html, "<strong>bold</strong> text &amp; an ampersand"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "src=\"http"));

    free(html);
    free(path);
    idx_free(ix);
    strbuf_release(&why);
    remove_tree(dir);
}

static void test_archive_install_css(void **state)
{
    char *dir = scratch_dir();
    char *want = read_text(TEST_SRCDIR "/styles/book.css");
    char *path = xasprintf("%s/book.css", dir);
    char *got;
    struct strbuf why = STRBUF_INIT;
    (void)state;

    assert_int_equal(archive_install_css(dir, TEST_SRCDIR, &why), ARC_OK);
    got = read_text(path);
    assert_string_equal(got, want);
    free(got);
    /* Installing again replaces it; a data dir without styles/ is ARC_ENOTFOUND. */
    assert_int_equal(archive_install_css(dir, TEST_SRCDIR, &why), ARC_OK);
    assert_int_equal(archive_install_css(dir, dir, &why), ARC_ENOTFOUND);
    got = read_text(path);
    assert_string_equal(got, want);

    free(got);
    free(want);
    free(path);
    strbuf_release(&why);
    remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_archive_meta_round_trip),
        cmocka_unit_test(test_archive_meta_history_is_capped),
        cmocka_unit_test(test_archive_meta_extra_and_wrong_fields),
        cmocka_unit_test(test_archive_meta_damaged_is_eparse),
        cmocka_unit_test(test_archive_commit_creates_version),
        cmocka_unit_test(test_archive_commit_replaces_atomically),
        cmocka_unit_test(test_archive_gc_after_crash),
        cmocka_unit_test(test_archive_update_meta),
        cmocka_unit_test(test_archive_list_ids),
        cmocka_unit_test(test_archive_gzip_round_trip),
        cmocka_unit_test(test_archive_gunzip_refuses_bomb),
        cmocka_unit_test(test_archive_front_page),
        cmocka_unit_test(test_archive_install_css),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
