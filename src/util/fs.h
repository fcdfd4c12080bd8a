/* util/fs.h: files that are never half-written, and the archive's lock.
 *
 * fs_write_atomic() writes to a temporary name beside the target, fsyncs and renames it into
 * place, so a killed run leaves either the old file or the new one, never a mix.  The lock is a
 * flock(2) on <archive>/.lock holding the holder's PID, taken by every command that writes the
 * archive; the kernel drops it when the holder dies, so a stale file never blocks a run.
 * Functions return enum arc_err and put "cannot write 'x': reason" in *why; they never print. */
#ifndef ARC_UTIL_FS_H
#define ARC_UTIL_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"
#include "util/strbuf.h"

/* Reads the whole file into out (appending).  max = 0 means no limit; past it ARC_ETOOBIG.
 * A missing file is ARC_ENOTFOUND, any other failure ARC_EIO. */
ARC_WUR enum arc_err fs_read_file(const char *path, size_t max, struct strbuf *out,
                                  struct strbuf *why);
/* Writes len bytes to path through a temporary file and rename(2); mode as for open(2). */
/* Writes len bytes to a new file at path (O_EXCL), without fsync or rename: for scratch files that
 * live only as long as the run that makes them and are worthless after a crash. */
ARC_WUR enum arc_err fs_write_scratch(const char *path, const void *data, size_t len,
                                      struct strbuf *why);
ARC_WUR enum arc_err fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                                     struct strbuf *why);
/* mkdir -p. */
ARC_WUR enum arc_err fs_mkdirs(const char *path, struct strbuf *why);
bool fs_exists(const char *path);
bool fs_is_dir(const char *path);

struct fs_lock {
    int fd; /* -1 when not held */
};
#define FS_LOCK_INIT \
    {                \
        -1           \
    }

/* Takes <dir>/.lock without waiting.  Held by another process: ARC_ELOCKED, and *why names the
 * holder's PID.  The directory must exist. */
ARC_WUR enum arc_err fs_lock_acquire(struct fs_lock *lock, const char *dir, struct strbuf *why);
void fs_lock_release(struct fs_lock *lock); /* a lock not held is fine */

/* The directory holding styles/ and fonts/: $ARCHIVER_DATADIR, else the installed data
 * directory when it exists, else the source tree the binary was built from.  Borrowed. */
const char *fs_datadir(void);

#endif
