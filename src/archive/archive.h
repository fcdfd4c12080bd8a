/* archive/archive.h: the archive directory: what is stored for each article, and its state.
 *
 * The archive holds one folder per article (articles/<id>/) with the offline copy, its images,
 * meta.json and the page as fetched; design.md gives the layout.  This header names the states an
 * index entry can be in, reads and writes meta.json (jansson), stores articles so that a folder
 * appears complete or not at all, and writes the offline front page.  It does not fetch, convert
 * or decide what a state should be: the fetch and import stages do, and call in here to store.
 *
 * On disk, articles/<id> is a symlink to a versioned directory articles/.v/<id>.<n>/.  A commit
 * writes a whole new version under a temporary name, renames it into place, swaps the symlink
 * with rename(2) (atomic) and only then removes the previous version, so `kill -9` at any moment
 * leaves one complete copy behind; archive_gc() removes what a killed run left over.  Callers
 * take the archive's lock (fs_lock_acquire) before any function here that writes.
 *
 * Ownership: struct archive_meta owns every string and array it points to (malloc'd; assign
 * xstrdup()'d strings, free the old value) and archive_meta_release() frees them.  Errors are
 * enum arc_err with detail in the optional *why; nothing here prints.  Not thread-safe.
 *
 *     struct archive_meta m = ARCHIVE_META_INIT;
 *     if (archive_meta_read(dir, id, &m, &why) == ARC_OK) ... m.state, m.history ...
 *     archive_meta_release(&m);
 */
#ifndef ARC_ARCHIVE_ARCHIVE_H
#define ARC_ARCHIVE_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "convert/convert.h"
#include "index/index.h"
#include "util/error.h"
#include "util/strbuf.h"

#define ARCHIVE_STATE_MAP(X)                                                                      \
    X(PENDING, "pending")                            /* never fetched */                          \
    X(ARCHIVED, "archived")                          /* a good copy is stored */                  \
    X(ARCHIVED_DELETED, "archived-deleted-upstream") /* stored; the publisher deleted it since */ \
    X(FAILED, "failed")                              /* the last fetch failed; nothing stored */  \
    X(DELETED, "deleted")         /* deleted by the publisher before we got it */                 \
    X(REMOVED, "removed")         /* removed for a violation */                                   \
    X(UNAVAILABLE, "unavailable") /* temporarily unavailable, or the link expired */              \
    X(WALLED, "walled")           /* a verification wall stopped the fetch */

enum archive_state {
#define X(name, text) ARCHIVE_##name,
    ARCHIVE_STATE_MAP(X)
#undef X
        ARCHIVE_STATE__COUNT
};

/* "pending", "archived-deleted-upstream", ... */
const char *archive_state_name(enum archive_state state);
/* The inverse of archive_state_name(); false for an unknown name. */
bool archive_state_from_name(const char *name, enum archive_state *out);
/* Does the state mean a copy is stored (archived, or archived and deleted upstream since)? */
bool archive_state_has_copy(enum archive_state state);

/* The state of the article with this id in the archive at dir: the "status" of
 * articles/<id>/meta.json, or ARCHIVE_PENDING when there is none (or it cannot be read: a
 * damaged meta.json is fetched again rather than trusted). */
enum archive_state archive_entry_state(const char *dir, const char *id);

/* --- meta.json --- */

/* The version written in meta.json; files with a higher one are still read, best effort. */
#define ARCHIVE_META_VERSION 1
/* History keeps the most recent events only: a nightly cron run adds one event per entry, and
 * 100 is months of nights without letting meta.json grow without bound. */
#define ARCHIVE_HISTORY_MAX 100
/* meta.json is small (the image list dominates); anything larger is not one of ours. */
#define ARCHIVE_META_MAX_BYTES (16u * 1024 * 1024)

enum archive_image_status {
    ARCHIVE_IMAGE_OK,     /* "ok": stored at file */
    ARCHIVE_IMAGE_FAILED, /* "failed": not stored; retried by the next run */
    ARCHIVE_IMAGE_GONE,   /* "gone": the server says it no longer exists (404, 410); not retried */
    ARCHIVE_IMAGE__COUNT
};

struct archive_image {
    char *src;                        /* the source URL as found in the page */
    char *file;                       /* "images/<sha256-prefix>.<ext>", or NULL when not stored */
    enum archive_image_status status; /* an unknown name reads as ARCHIVE_IMAGE_FAILED */
    char *error;                      /* last failure reason, or NULL */
    int64_t bytes;                    /* size of the stored file; 0 = unknown */
    int width, height;                /* pixels; 0 = unknown */
};

/* One fetch (or import, or deletion seen) of the article. */
struct archive_event {
    int64_t time;     /* Unix seconds */
    char *result;     /* "archived", "not-modified", "deleted", "removed", "unavailable",
                         "walled", "failed", ...: a short word */
    long http_status; /* 0 = no HTTP answer */
    char *detail;     /* human detail, or NULL */
};

struct archive_meta {
    int version;         /* ARCHIVE_META_VERSION when written */
    char *id;            /* the article id; writers always store the id they are given */
    char *url;           /* as written in the index */
    char *final_url;     /* after redirects */
    char *canonical_url; /* the short link the page gives for itself */
    char *title, *account, *author;
    int64_t published;        /* Unix seconds; 0 = unknown */
    int64_t fetched;          /* Unix seconds of the last good fetch; 0 = never */
    char *etag;               /* HTTP ETag of the last good fetch, or NULL */
    char *last_modified;      /* HTTP Last-Modified of the last good fetch, or NULL */
    enum archive_state state; /* "status" in the file; an unknown name reads as PENDING */
    char *error;              /* the last failure's reason, or NULL */
    int64_t deleted_upstream; /* Unix seconds the publisher's deletion was first seen; 0 = never */
    char *kind; /* "article", "image-post", ...: convert/'s page kind; NULL = unknown */
    struct archive_image *images;
    size_t nimages, images_alloc;
    struct archive_event *history; /* oldest first, at most ARCHIVE_HISTORY_MAX */
    size_t nhistory, history_alloc;
    void *unknown; /* private: fields of the file this code does not know, kept on rewrite */
};
#define ARCHIVE_META_INIT                                         \
    {                                                             \
        .version = ARCHIVE_META_VERSION, .state = ARCHIVE_PENDING \
    }

void archive_meta_init(struct archive_meta *m);
/* Frees everything m owns and leaves it as archive_meta_init() does. */
void archive_meta_release(struct archive_meta *m);

/* "ok", "failed", "gone". */
const char *archive_image_status_name(enum archive_image_status status);
/* Appends a zeroed image (status ARCHIVE_IMAGE_FAILED) and returns it; valid until the next
 * append or the release. */
struct archive_image *archive_meta_add_image(struct archive_meta *m);
/* Appends an event (strings copied; detail may be NULL), dropping the oldest past
 * ARCHIVE_HISTORY_MAX. */
void archive_meta_add_event(struct archive_meta *m, int64_t time, const char *result,
                            long http_status, const char *detail);

/* Parses meta.json text into out (which is released first).  Unknown fields are kept for the
 * next write; known fields of the wrong type or missing read as unset.  Not JSON, or not an
 * object: ARC_EPARSE, *why says where. */
ARC_WUR enum arc_err archive_meta_parse(const char *buf, size_t len, struct archive_meta *out,
                                        struct strbuf *why);
/* Appends the JSON text of m (indented, keys in a fixed order, unknown fields last) to out. */
void archive_meta_format(const struct archive_meta *m, struct strbuf *out);
/* Reads articles/<id>/meta.json of the archive at dir into out.  None: ARC_ENOTFOUND;
 * damaged: ARC_EPARSE; larger than ARCHIVE_META_MAX_BYTES: ARC_ETOOBIG; else ARC_EIO. */
ARC_WUR enum arc_err archive_meta_read(const char *dir, const char *id, struct archive_meta *out,
                                       struct strbuf *why);

/* --- storing articles --- */

/* Limit for archive_gunzip() and archive_read_file() when max is 0: a fetched page is capped far
 * below this, so anything that inflates past it is a gzip bomb, not a page. */
#define ARCHIVE_GUNZIP_MAX (64u * 1024 * 1024)

enum archive_file_flags {
    ARCHIVE_FILE_GZIP = 1 << 0, /* gzip data before writing (raw.html.gz) */
    ARCHIVE_FILE_REUSE = 1 << 1 /* data is ignored: take the file of that name from the current
                                   version, by hard link (a copy where links fail); a refresh keeps
                                   images it need not download again.  Absent: ARC_ENOTFOUND */
};

/* A file of a new version.  name is relative to the article folder: "article.html",
 * "raw.html.gz", "images/<name>"; no "..", no leading "/", not "meta.json". */
struct archive_file {
    const char *name;
    const void *data; /* borrowed for the call */
    size_t len;
    unsigned flags; /* enum archive_file_flags */
};

/* The path of a file of the article (or of its folder when name is NULL) through the symlink:
 * "<dir>/articles/<id>/<name>".  Caller frees. */
char *archive_article_path(const char *dir, const char *id, const char *name);

/* Stores a new version of the article: every file and meta.json (from meta, with "id" set to
 * id) go into articles/.v/<id>.<n>.tmp-<pid>/, are fsynced, renamed to articles/.v/<id>.<n>/,
 * then the symlink articles/<id> is replaced atomically (a new link renamed over it), articles/ is
 * fsynced, and only then is the previous version removed.  On failure the previous version stays
 * current and the partial one is removed.  A bad id or file name: ARC_EINVAL; a file system
 * failure: ARC_EIO; a missing ARCHIVE_FILE_REUSE source: ARC_ENOTFOUND. */
ARC_WUR enum arc_err archive_commit_article(const char *dir, const char *id,
                                            const struct archive_file *files, size_t nfiles,
                                            const struct archive_meta *meta, struct strbuf *why);

/* Rewrites only meta.json of the current version (an atomic file rename), keeping every other
 * file; when the article has no version yet (it failed or was deleted before any copy), commits a
 * version holding meta.json alone.  Errors as archive_commit_article(). */
ARC_WUR enum arc_err archive_update_meta(const char *dir, const char *id,
                                         const struct archive_meta *meta, struct strbuf *why);

/* Reads a file of the article's current version into out (appending); a name ending in ".gz"
 * (raw.html.gz) is gunzipped.  max caps the result (0: ARCHIVE_GUNZIP_MAX for .gz, none
 * otherwise); past it ARC_ETOOBIG.  Missing: ARC_ENOTFOUND; corrupt gzip: ARC_EPARSE. */
ARC_WUR enum arc_err archive_read_file(const char *dir, const char *id, const char *name,
                                       size_t max, struct strbuf *out, struct strbuf *why);

/* Removes what a killed run left: temporary version folders (.v/<id>.<n>.tmp-<pid>), versions no
 * symlink points to, stale articles/.<id>.lnk-<pid> links, symlinks whose version is gone, and
 * meta.json.tmp.<pid> files of a cut-short archive_update_meta().  Run it under the lock, before
 * writing; the files of current versions are never touched.  ARC_EIO when
 * something could not be removed (the rest is still cleaned); a missing articles/ is fine. */
ARC_WUR enum arc_err archive_gc(const char *dir, struct strbuf *why);

/* The ids of the articles present (articles/<id> entries, sorted bytewise) into *ids, a
 * NULL-terminated array the caller frees with archive_ids_free(); *n counts them (n may be
 * NULL).  A missing articles/ gives none. */
ARC_WUR enum arc_err archive_list_ids(const char *dir, char ***ids, size_t *n, struct strbuf *why);
void archive_ids_free(char **ids); /* NULL is fine */

/* --- gzip (raw.html.gz) --- */

/* Appends the gzip form of len bytes (deterministic: no name, time 0) to out. */
ARC_WUR enum arc_err archive_gzip(const void *data, size_t len, struct strbuf *out,
                                  struct strbuf *why);
/* Appends the inflated form of gzip (or zlib) data to out; past max bytes (0: ARCHIVE_GUNZIP_MAX)
 * ARC_ETOOBIG, corrupt or truncated ARC_EPARSE.  On error out is left as it was. */
ARC_WUR enum arc_err archive_gunzip(const void *data, size_t len, size_t max, struct strbuf *out,
                                    struct strbuf *why);

/* --- the offline front page --- */

/* Writes <dir>/index.html (atomically): the index's title (or "Archive"), then each month in
 * index order and its entries: date, the title linking to articles/<id>/article.html when a copy
 * is stored, else the title and a note of the state, a link to the original and the entry's note.
 * It reads each entry's meta.json once.  XHTML styled by book.css; no scripts, no remote loads.
 * Article pages, written later by the fetcher, link "../../book.css": browsers resolve URLs
 * without looking at symlinks, so articles/<id>/article.html reaches <dir>/book.css. */
ARC_WUR enum arc_err archive_write_front_page(const char *dir, const struct idx *ix,
                                              struct strbuf *why);
/* Copies <datadir>/styles/book.css to <dir>/book.css (atomically) so the archive stands alone.
 * A missing stylesheet: ARC_ENOTFOUND. */
ARC_WUR enum arc_err archive_install_css(const char *dir, const char *datadir, struct strbuf *why);

/* --- storing a converted page (fetch, import and reconvert share this) --- */

/* Hex digits of the SHA-256 in an image's file name: 64 bits, so a collision inside one article
 * is out of reach, and names stay short. */
#define ARCHIVE_IMAGE_HASH_LEN 16

/* Sets the fields of m that come from the converted page: title, account, author, published,
 * canonical_url (the short link, else the long form) and kind.  Strings are copied. */
void archive_meta_from_page(struct archive_meta *m, const struct conv_page *page);

/* Accepts downloaded image bytes for img (whose src the caller set): decodes them (img_validate)
 * and, when expected >= 0 (an identity-encoded Content-Length), checks the byte count, because a
 * truncated JPEG can still decode.  Good: img->status ARCHIVE_IMAGE_OK, file
 * "images/<sha256-prefix>.<ext>" (ext from the bytes), bytes, width, height, error NULL; ARC_OK.
 * Bad: status ARCHIVE_IMAGE_FAILED, error the reason (also in *why), file NULL; ARC_EPARSE. */
ARC_WUR enum arc_err archive_image_accept(struct archive_image *img, const void *data, size_t len,
                                          int64_t expected, struct strbuf *why);

/* Writes the offline page of an article: a title, a byline (account, author, publish date in
 * China Standard Time), a link to the original, then the body through doc_write_xhtml() with
 * flags (enum doc_xhtml_flags; offline copies use DOC_XHTML_NO_REMOTE, so that an image without
 * a local file becomes a placeholder with its alt text and source URL).  css is the stylesheet's
 * href (NULL: none); url the original's, when the page does not name its own. */
/* The byline of an article's head, for offline copies and books alike:
 * `<p class="byline">account · author · <time>when</time></p>`, the author left out when it is
 * the account, empty parts left out; nothing at all when every part is empty, unless always. */
void archive_write_byline(struct strbuf *out, const char *account, const char *author,
                          const char *when, bool always);

void archive_render_article(const struct conv_page *page, const char *url, const char *css,
                            unsigned flags, struct strbuf *out);
/* The body in article.html stands between these two comments, each on a line of its own, so that
 * the books can read it back without the page's title and byline (no text can contain "<!--":
 * the writer escapes every '<'). */
#define ARCHIVE_BODY_BEGIN "<!-- archiver:body -->"
#define ARCHIVE_BODY_END   "<!-- /archiver:body -->"

/* Stores a converted article as a new version of articles/<id>: every image of page->doc whose
 * source is an image of meta with status ARCHIVE_IMAGE_OK is pointed at that file (the others
 * become placeholders), then article.html, raw.html.gz (gzipped from raw; raw NULL keeps the
 * current version's), the images and meta.json are committed with archive_commit_article().
 * data[i] and lens[i] are the bytes of meta->images[i] when it was downloaded in this run; NULL
 * data (or a NULL data array) takes its file from the current version.  Images sharing content
 * share a file.  page->doc must not be NULL.  Errors as archive_commit_article(). */
ARC_WUR enum arc_err archive_store_page(const char *dir, const char *id, struct conv_page *page,
                                        const void *raw, size_t rawlen,
                                        const struct archive_meta *meta, const void *const *data,
                                        const size_t *lens, struct strbuf *why);

/* Appends the article.html that archive_store_page() would write for page and meta (pointing
 * page->doc's images at meta's files as it does), so a caller can tell whether a new version
 * would change the offline copy.  page->doc must not be NULL. */
void archive_render_stored(struct conv_page *page, const struct archive_meta *meta,
                           struct strbuf *out);

/* The image of meta with this source URL, or NULL. */
struct archive_image *archive_meta_find_image(const struct archive_meta *m, const char *src);

#endif
