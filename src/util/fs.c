/* util/fs.c: whole-file reads, atomic writes, mkdir -p, the archive lock, the data directory. */
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/banned.h"

/* Reads in pieces of this size; a page or an image is rarely larger. */
#define FS_READ_CHUNK (64 * 1024)

enum arc_err fs_read_file(const char *path, size_t max, struct strbuf *out, struct strbuf *why)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    enum arc_err err = ARC_OK;
    struct stat st;

    if (fd < 0) {
        int e = errno;
        strbuf_setwhy(why, "cannot read '%s': %s", path, strerror(e));
        return e == ENOENT ? ARC_ENOTFOUND : ARC_EIO;
    }
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        strbuf_setwhy(why, "cannot read '%s': %s", path, strerror(EISDIR));
        close(fd);
        return ARC_EIO;
    }
    for (;;) {
        ssize_t n;

        strbuf_grow(out, FS_READ_CHUNK);
        n = read(fd, out->buf + out->len, FS_READ_CHUNK);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            strbuf_setwhy(why, "cannot read '%s': %s", path, strerror(errno));
            err = ARC_EIO;
            break;
        }
        if (n == 0)
            break;
        out->len += (size_t)n;
        out->buf[out->len] = '\0';
        if (max && out->len > max) {
            strbuf_setwhy(why, "cannot read '%s': larger than %zu bytes", path, max);
            err = ARC_ETOOBIG;
            break;
        }
    }
    close(fd);
    return err;
}

static enum arc_err write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return ARC_EIO;
        }
        p += n;
        len -= (size_t)n;
    }
    return ARC_OK;
}

enum arc_err fs_write_scratch(const char *path, const void *data, size_t len, struct strbuf *why)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    enum arc_err err = ARC_OK;

    if (fd < 0) {
        strbuf_setwhy(why, "cannot create '%s': %s", path, strerror(errno));
        return ARC_EIO;
    }
    if (write_all(fd, data, len) != ARC_OK) {
        strbuf_setwhy(why, "cannot write '%s': %s", path, strerror(errno));
        err = ARC_EIO;
    }
    if (close(fd) != 0 && !err) {
        strbuf_setwhy(why, "cannot write '%s': %s", path, strerror(errno));
        err = ARC_EIO;
    }
    if (err)
        unlink(path);
    return err;
}

enum arc_err fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                             struct strbuf *why)
{
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    enum arc_err err = ARC_OK;

    if (fd < 0) {
        strbuf_setwhy(why, "cannot write '%s': %s", path, strerror(errno));
        free(tmp);
        return ARC_EIO;
    }
    if (write_all(fd, data, len) != ARC_OK || fsync(fd) != 0) {
        strbuf_setwhy(why, "cannot write '%s': %s", path, strerror(errno));
        err = ARC_EIO;
    }
    if (close(fd) != 0 && !err) {
        strbuf_setwhy(why, "cannot write '%s': %s", path, strerror(errno));
        err = ARC_EIO;
    }
    if (!err && rename(tmp, path) != 0) {
        strbuf_setwhy(why, "cannot write '%s': %s", path, strerror(errno));
        err = ARC_EIO;
    }
    if (err)
        unlink(tmp);
    free(tmp);
    return err;
}

enum arc_err fs_mkdirs(const char *path, struct strbuf *why)
{
    enum arc_err err = ARC_OK;
    char *p;

    if (!*path) {
        strbuf_setwhy(why, "cannot create a directory with an empty name");
        return ARC_EIO;
    }
    p = xstrdup(path);
    for (char *s = p + 1;; s++) {
        char c = *s;
        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            strbuf_setwhy(why, "cannot create directory '%s': %s", p, strerror(errno));
            err = ARC_EIO;
            break;
        }
        *s = c;
        if (!c)
            break;
    }
    if (!err && !fs_is_dir(path)) {
        strbuf_setwhy(why, "cannot create directory '%s': %s", path, strerror(ENOTDIR));
        err = ARC_EIO;
    }
    free(p);
    return err;
}

bool fs_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

bool fs_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

enum arc_err fs_lock_acquire(struct fs_lock *lock, const char *dir, struct strbuf *why)
{
    char *path = xasprintf("%s/.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    char pid[32];
    int n;

    if (fd < 0) {
        strbuf_setwhy(why, "cannot open lock '%s': %s", path, strerror(errno));
        free(path);
        return ARC_EIO;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        ssize_t r;

        if (e != EWOULDBLOCK) {
            strbuf_setwhy(why, "cannot lock '%s': %s", path, strerror(e));
            close(fd);
            free(path);
            return ARC_EIO;
        }
        r = read(fd, pid, sizeof(pid) - 1);
        pid[r > 0 ? r : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        strbuf_setwhy(why, "archive '%s' is in use by another run (pid %s, lock '%s')", dir,
                      *pid ? pid : "unknown", path);
        close(fd);
        free(path);
        return ARC_ELOCKED;
    }
    n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || write_all(fd, pid, (size_t)n) != ARC_OK) {
        strbuf_setwhy(why, "cannot write lock '%s': %s", path, strerror(errno));
        close(fd);
        free(path);
        return ARC_EIO;
    }
    lock->fd = fd;
    free(path);
    return ARC_OK;
}

void fs_lock_release(struct fs_lock *lock)
{
    if (lock->fd < 0)
        return;
    if (ftruncate(lock->fd, 0) != 0) {
        /* Nothing to do: the lock goes with the descriptor, the PID text is advisory. */
    }
    close(lock->fd);
    lock->fd = -1;
}

const char *fs_datadir(void)
{
    const char *env = getenv("ARCHIVER_DATADIR");

    if (env && *env)
        return env;
    if (fs_is_dir(ARCHIVER_DATADIR "/styles"))
        return ARCHIVER_DATADIR;
    return ARCHIVER_SOURCE_DIR;
}
