/* archive/store.c: versioned article folders behind an atomically swapped symlink, and their gc. */
#include "archive/archive.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/internal.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/banned.h"

/* Where versions live, relative to articles/; hidden so that listing ids skips it. */
#define VERSIONS_DIR ".v"
/* nftw() keeps at most this many directories open while it walks a version. */
#define NFTW_FDS 16

/* --- small file system helpers --- */

bool archive__id_is_valid(const char *id)
{
    return id && *id && *id != '.' && !strchr(id, '/') && strlen(id) < NAME_MAX / 2;
}

char *archive_article_path(const char *dir, const char *id, const char *name)
{
    if (!name)
        return xasprintf("%s/articles/%s", dir, id);
    return xasprintf("%s/articles/%s/%s", dir, id, name);
}

/* A file name inside a version: relative, no empty, "." or ".." component, not meta.json. */
static bool file_name_is_valid(const char *name)
{
    const char *p = name;

    if (!name || !*name || !strcmp(name, "meta.json"))
        return false;
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += n;
        if (*p == '/' && !*++p)
            return false;
    }
    return true;
}

static enum arc_err fsync_path(const char *path, struct strbuf *why)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fsync(fd) != 0) {
        strbuf_setwhy(why, "cannot sync '%s': %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return ARC_EIO;
    }
    close(fd);
    return ARC_OK;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

/* rm -rf path; a missing path is fine. */
static enum arc_err remove_tree(const char *path, struct strbuf *why)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return errno == ENOENT ? ARC_OK : ARC_EIO;
    if (nftw(path, remove_one, NFTW_FDS, FTW_DEPTH | FTW_PHYS) != 0) {
        strbuf_setwhy(why, "cannot remove '%s': %s", path, strerror(errno));
        return ARC_EIO;
    }
    return ARC_OK;
}

static int sync_dir(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? (fsync_path(path, NULL) == ARC_OK ? 0 : -1) : 0;
}

/* Writes a new file (O_EXCL: a name given twice is an error) and fsyncs it. */
static enum arc_err write_new_file(const char *path, const void *data, size_t len,
                                   struct strbuf *why)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    const char *p = data;
    int e = 0;

    if (fd < 0) {
        strbuf_setwhy(why, "cannot write '%s': %s", path, strerror(errno));
        return errno == EEXIST ? ARC_EINVAL : ARC_EIO;
    }
    while (len > 0 && !e) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno != EINTR)
            e = errno;
        if (n > 0) {
            p += n;
            len -= (size_t)n;
        }
    }
    if (!e && fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    if (e) {
        strbuf_setwhy(why, "cannot write '%s': %s", path, strerror(e));
        return ARC_EIO;
    }
    return ARC_OK;
}

/* The number n of the version articles/<id> points to (".v/<id>.<n>"): 1 when found, 0 when
 * there is no symlink or it points elsewhere, -1 when articles/<id> is not a symlink. */
static int current_version(const char *articles, const char *id, unsigned long *n)
{
    char *link = xasprintf("%s/%s", articles, id);
    char target[PATH_MAX];
    ssize_t len = readlink(link, target, sizeof(target) - 1);
    size_t prefix = strlen(VERSIONS_DIR "/") + strlen(id) + 1;
    struct stat st;
    char *end;
    int found = 0;

    if (len < 0) {
        found = errno == EINVAL && lstat(link, &st) == 0 ? -1 : 0;
        free(link);
        return found;
    }
    free(link);
    target[len] = '\0';
    if ((size_t)len > prefix && !strncmp(target, VERSIONS_DIR "/", 3) &&
        !strncmp(target + 3, id, strlen(id)) && target[prefix - 1] == '.') {
        errno = 0;
        *n = strtoul(target + prefix, &end, 10);
        found = !errno && !*end && end != target + prefix;
    }
    return found;
}

/* Hard links the current version's file to path, or copies it where links are refused. */
static enum arc_err reuse_file(const char *dir, const char *id, const char *name, const char *path,
                               struct strbuf *why)
{
    char *src = archive_article_path(dir, id, name);
    struct strbuf buf = STRBUF_INIT;
    enum arc_err err = ARC_OK;

    if (link(src, path) != 0) {
        if (errno == ENOENT) {
            strbuf_setwhy(why, "cannot reuse '%s': %s", src, strerror(errno));
            err = ARC_ENOTFOUND;
        } else {
            err = fs_read_file(src, 0, &buf, why);
            if (!err)
                err = write_new_file(path, buf.buf, buf.len, why);
        }
    }
    strbuf_release(&buf);
    free(src);
    return err;
}

static enum arc_err write_version_file(const char *dir, const char *id, const char *tmp,
                                       const struct archive_file *f, struct strbuf *why)
{
    char *path = xasprintf("%s/%s", tmp, f->name);
    char *slash = strrchr(path, '/');
    struct strbuf gz = STRBUF_INIT;
    enum arc_err err;

    *slash = '\0';
    err = slash > path + strlen(tmp) ? fs_mkdirs(path, why) : ARC_OK;
    *slash = '/';
    if (err)
        goto out;
    if (f->flags & ARCHIVE_FILE_REUSE) {
        err = reuse_file(dir, id, f->name, path, why);
    } else if (f->flags & ARCHIVE_FILE_GZIP) {
        err = archive_gzip(f->data, f->len, &gz, why);
        if (!err)
            err = write_new_file(path, gz.buf, gz.len, why);
    } else {
        err = write_new_file(path, f->data, f->len, why);
    }
out:
    strbuf_release(&gz);
    free(path);
    return err;
}

/* --- commit --- */

/* Fills tmp (a fresh folder) with the files and meta.json, all synced. */
static enum arc_err fill_version(const char *dir, const char *id, const char *tmp,
                                 const struct archive_file *files, size_t nfiles,
                                 const struct archive_meta *meta, struct strbuf *why)
{
    struct strbuf json = STRBUF_INIT;
    char *path;
    enum arc_err err = ARC_OK;

    if (mkdir(tmp, 0777) != 0) {
        strbuf_setwhy(why, "cannot create directory '%s': %s", tmp, strerror(errno));
        return ARC_EIO;
    }
    for (size_t i = 0; i < nfiles && !err; i++)
        err = write_version_file(dir, id, tmp, &files[i], why);
    if (err)
        return err;
    archive__meta_format_id(meta, id, &json);
    path = xasprintf("%s/meta.json", tmp);
    err = write_new_file(path, json.buf, json.len, why);
    free(path);
    strbuf_release(&json);
    if (!err && nftw(tmp, sync_dir, NFTW_FDS, FTW_DEPTH | FTW_PHYS) != 0) {
        strbuf_setwhy(why, "cannot sync '%s': %s", tmp, strerror(errno));
        err = ARC_EIO;
    }
    return err;
}

/* Points articles/<id> at target by renaming a fresh symlink over it, then syncs articles/. */
static enum arc_err swap_link(const char *articles, const char *id, const char *target,
                              struct strbuf *why)
{
    char *lnk = xasprintf("%s/.%s.lnk-%ld", articles, id, (long)getpid());
    char *link_path = xasprintf("%s/%s", articles, id);
    enum arc_err err = ARC_OK;

    unlink(lnk);
    if (symlink(target, lnk) != 0 || rename(lnk, link_path) != 0) {
        strbuf_setwhy(why, "cannot point '%s' at '%s': %s", link_path, target, strerror(errno));
        unlink(lnk);
        err = ARC_EIO;
    }
    if (!err)
        err = fsync_path(articles, why);
    free(link_path);
    free(lnk);
    return err;
}

enum arc_err archive_commit_article(const char *dir, const char *id,
                                    const struct archive_file *files, size_t nfiles,
                                    const struct archive_meta *meta, struct strbuf *why)
{
    char *articles = NULL, *vdir = NULL, *final = NULL, *tmp = NULL, *target = NULL;
    unsigned long cur = 0, n;
    enum arc_err err = ARC_OK;
    int have;

    if (!archive__id_is_valid(id)) {
        strbuf_setwhy(why, "invalid article id '%s'", id ? id : "(null)");
        return ARC_EINVAL;
    }
    for (size_t i = 0; i < nfiles; i++) {
        if (!file_name_is_valid(files[i].name)) {
            strbuf_setwhy(why, "invalid file name '%s' for article '%s'",
                          files[i].name ? files[i].name : "(null)", id);
            return ARC_EINVAL;
        }
    }
    articles = xasprintf("%s/articles", dir);
    vdir = xasprintf("%s/" VERSIONS_DIR, articles);
    err = fs_mkdirs(vdir, why);
    if (err)
        goto out;
    have = current_version(articles, id, &cur);
    if (have < 0) {
        strbuf_setwhy(why, "'%s/%s' is not a symlink to a version", articles, id);
        err = ARC_EIO;
        goto out;
    }
    n = have ? cur + 1 : 1;
    final = xasprintf("%s/%s.%lu", vdir, id, n);
    tmp = xasprintf("%s.tmp-%ld", final, (long)getpid());
    target = xasprintf(VERSIONS_DIR "/%s.%lu", id, n);
    /* A version numbered past the current one is an orphan of a killed run. */
    err = remove_tree(final, why);
    if (!err)
        err = remove_tree(tmp, why);
    if (err)
        goto out;

    err = fill_version(dir, id, tmp, files, nfiles, meta, why);
    if (!err && rename(tmp, final) != 0) {
        strbuf_setwhy(why, "cannot rename '%s' to '%s': %s", tmp, final, strerror(errno));
        err = ARC_EIO;
    }
    if (!err)
        err = fsync_path(vdir, why);
    if (err) {
        remove_tree(tmp, NULL);
        remove_tree(final, NULL);
        goto out;
    }
    err = swap_link(articles, id, target, why);
    if (err) {
        remove_tree(final, NULL);
        goto out;
    }
    if (have) {
        /* The new version is current and durable; a failure here leaves an orphan for gc. */
        char *old = xasprintf("%s/%s.%lu", vdir, id, cur);
        (void)remove_tree(old, NULL);
        free(old);
    }
out:
    free(target);
    free(tmp);
    free(final);
    free(vdir);
    free(articles);
    return err;
}

enum arc_err archive_update_meta(const char *dir, const char *id, const struct archive_meta *meta,
                                 struct strbuf *why)
{
    struct strbuf json = STRBUF_INIT;
    char *folder, *path;
    enum arc_err err;

    if (!archive__id_is_valid(id)) {
        strbuf_setwhy(why, "invalid article id '%s'", id ? id : "(null)");
        return ARC_EINVAL;
    }
    folder = archive_article_path(dir, id, NULL);
    if (!fs_is_dir(folder)) {
        free(folder);
        return archive_commit_article(dir, id, NULL, 0, meta, why);
    }
    path = archive_article_path(dir, id, "meta.json");
    archive__meta_format_id(meta, id, &json);
    err = fs_write_atomic(path, json.buf, json.len, 0666, why);
    if (!err)
        err = fsync_path(folder, why);
    strbuf_release(&json);
    free(path);
    free(folder);
    return err;
}

enum arc_err archive_read_file(const char *dir, const char *id, const char *name, size_t max,
                               struct strbuf *out, struct strbuf *why)
{
    size_t n = name ? strlen(name) : 0;
    bool gz = n > 3 && !strcmp(name + n - 3, ".gz");
    struct strbuf raw = STRBUF_INIT, detail = STRBUF_INIT;
    char *path;
    enum arc_err err;

    if (!archive__id_is_valid(id) || !name ||
        (!file_name_is_valid(name) && strcmp(name, "meta.json"))) {
        strbuf_setwhy(why, "invalid article file '%s/%s'", id ? id : "(null)",
                      name ? name : "(null)");
        return ARC_EINVAL;
    }
    path = archive_article_path(dir, id, name);
    if (!gz) {
        err = fs_read_file(path, max, out, why);
        free(path);
        return err;
    }
    err = fs_read_file(path, ARCHIVE_GUNZIP_MAX, &raw, why);
    if (!err) {
        err = archive_gunzip(raw.buf, raw.len, max, out, &detail);
        if (err)
            strbuf_setwhy(why, "cannot read '%s': %s", path, detail.buf);
    }
    strbuf_release(&detail);
    strbuf_release(&raw);
    free(path);
    return err;
}

/* --- gc and listing --- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is .v/<name> the version articles/<its id> points to? */
static bool version_is_current(const char *articles, const char *name)
{
    const char *dot = strrchr(name, '.');
    char *id, *end;
    unsigned long n, cur;
    bool current;

    if (!dot || dot == name)
        return false;
    errno = 0;
    n = strtoul(dot + 1, &end, 10);
    if (errno || *end || end == dot + 1)
        return false;
    id = xstrndup(name, (size_t)(dot - name));
    current = current_version(articles, id, &cur) > 0 && cur == n;
    free(id);
    return current;
}

/* Removes the temporary files fs_write_atomic() leaves beside meta.json when killed
 * (meta.json.tmp.<pid>) from a current version. */
static enum arc_err gc_stale_meta(const char *version, struct strbuf *why)
{
    DIR *d = opendir(version);
    enum arc_err err = ARC_OK;
    struct dirent *de;

    while (d && (de = readdir(d))) {
        char *path;

        if (strncmp(de->d_name, "meta.json.tmp.", strlen("meta.json.tmp.")))
            continue;
        path = xasprintf("%s/%s", version, de->d_name);
        if (unlink(path) != 0 && errno != ENOENT) {
            strbuf_setwhy(why, "cannot remove '%s': %s", path, strerror(errno));
            err = ARC_EIO;
        }
        free(path);
    }
    if (d)
        closedir(d);
    return err;
}

static enum arc_err gc_versions(const char *articles, struct strbuf *why)
{
    char *vdir = xasprintf("%s/" VERSIONS_DIR, articles);
    DIR *d = opendir(vdir);
    enum arc_err err = ARC_OK;
    struct dirent *de;

    if (!d) {
        free(vdir);
        return ARC_OK;
    }
    while ((de = readdir(d))) {
        char *path;

        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        path = xasprintf("%s/%s", vdir, de->d_name);
        if (!strstr(de->d_name, ".tmp-") && version_is_current(articles, de->d_name)) {
            if (gc_stale_meta(path, why))
                err = ARC_EIO;
        } else if (remove_tree(path, why)) {
            err = ARC_EIO;
        }
        free(path);
    }
    closedir(d);
    free(vdir);
    return err;
}

enum arc_err archive_gc(const char *dir, struct strbuf *why)
{
    char *articles = xasprintf("%s/articles", dir);
    enum arc_err err = ARC_OK;
    DIR *d = opendir(articles);
    struct dirent *de;

    if (!d) {
        int e = errno;
        free(articles);
        if (e == ENOENT)
            return ARC_OK;
        strbuf_setwhy(why, "cannot read '%s/articles': %s", dir, strerror(e));
        return ARC_EIO;
    }
    /* Stale links first: a killed run may have left one beside the link it was replacing. */
    while ((de = readdir(d))) {
        char *path;
        struct stat st;

        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (de->d_name[0] == '.' && !strstr(de->d_name, ".lnk-"))
            continue;
        path = xasprintf("%s/%s", articles, de->d_name);
        /* A link named .<id>.lnk-<pid>, or an article symlink whose version is gone. */
        if ((de->d_name[0] == '.' ||
             (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && stat(path, &st) != 0)) &&
            unlink(path) != 0 && errno != ENOENT) {
            strbuf_setwhy(why, "cannot remove '%s': %s", path, strerror(errno));
            err = ARC_EIO;
        }
        free(path);
    }
    closedir(d);
    if (gc_versions(articles, why))
        err = ARC_EIO;
    if (!err)
        err = fsync_path(articles, why);
    free(articles);
    return err;
}

enum arc_err archive_list_ids(const char *dir, char ***ids, size_t *n, struct strbuf *why)
{
    char *articles = xasprintf("%s/articles", dir);
    DIR *d = opendir(articles);
    size_t count = 0, alloc = 0;
    char **out = NULL;
    struct dirent *de;

    if (!d && errno != ENOENT) {
        strbuf_setwhy(why, "cannot read '%s': %s", articles, strerror(errno));
        free(articles);
        return ARC_EIO;
    }
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        out = xgrow(out, sizeof(*out), count + 2, &alloc);
        out[count++] = xstrdup(de->d_name);
    }
    if (d)
        closedir(d);
    out = xgrow(out, sizeof(*out), count + 1, &alloc);
    out[count] = NULL;
    qsort(out, count, sizeof(*out), cmp_str);
    *ids = out;
    if (n)
        *n = count;
    free(articles);
    return ARC_OK;
}

void archive_ids_free(char **ids)
{
    if (!ids)
        return;
    for (char **p = ids; *p; p++)
        free(*p);
    free(ids);
}
