/* pdf/prefetch.c: the pictures of a chapter decoded on a second thread, a page ahead of the page
 * being drawn.
 *
 * Reading a picture, decoding it (PNG, GIF, WebP, turned or CMYK JPEG) and converting it for
 * cairo is a quarter of a picture-heavy book's time; cairo's own work on the page (compressing
 * those pixels into the file) is most of the rest and must stay on the drawing thread.  So one
 * worker loads the pictures in the order they are drawn while the main thread draws: at most the
 * pictures of the page being drawn and of the next are held.  The output does not depend on the
 * timing: each picture is made the same way on either thread, and they are drawn in item order.
 * Warnings stay on the drawing thread (in order), and so do the counts. */
#include "pdf/internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/banned.h"

struct job {
    char *path, *uid;
    int px;
    size_t item, page;
    bool done, ok, taken;
    struct pdf__picture pic;
};

struct pdf__prefetch {
    pthread_t thread;
    pthread_mutex_t lock; /* pthreads, not GMutex: ThreadSanitizer sees these */
    pthread_cond_t cond;
    struct job *jobs;
    size_t njobs, next, cursor;
    size_t page; /* being drawn: the worker loads up to the next */
    bool busy, stop;
};

static void *worker(void *data)
{
    struct pdf__prefetch *pf = data;

    pthread_mutex_lock(&pf->lock);
    for (;;) {
        struct job *j;
        struct pdf__picture pic;
        bool ok;

        while (!pf->stop && !(pf->next < pf->njobs && pf->jobs[pf->next].page <= pf->page + 1))
            pthread_cond_wait(&pf->cond, &pf->lock);
        if (pf->stop)
            break;
        j = &pf->jobs[pf->next++];
        pf->busy = true; /* the job array stays while busy (pdf__prefetch_start waits) */
        pthread_mutex_unlock(&pf->lock);
        ok = pdf__picture_from_file(j->path, j->uid, j->px, &pic);
        pthread_mutex_lock(&pf->lock);
        pf->busy = false;
        j->pic = pic;
        j->ok = ok;
        j->done = true;
        pthread_cond_broadcast(&pf->cond);
    }
    pthread_mutex_unlock(&pf->lock);
    return NULL;
}

struct pdf__prefetch *pdf__prefetch_new(void)
{
    struct pdf__prefetch *pf = xcalloc(1, sizeof(*pf));

    pthread_mutex_init(&pf->lock, NULL);
    pthread_cond_init(&pf->cond, NULL);
    if (pthread_create(&pf->thread, NULL, worker, pf) != 0) {
        pthread_mutex_destroy(&pf->lock);
        pthread_cond_destroy(&pf->cond);
        free(pf);
        return NULL; /* no second thread: pictures are loaded when drawn */
    }
    return pf;
}

/* With the lock held and the worker idle. */
static void drop_jobs(struct pdf__prefetch *pf)
{
    for (size_t i = 0; i < pf->njobs; i++) {
        if (pf->jobs[i].done && !pf->jobs[i].taken)
            pdf__picture_release(&pf->jobs[i].pic);
        free(pf->jobs[i].path);
        free(pf->jobs[i].uid);
    }
    free(pf->jobs);
    pf->jobs = NULL;
    pf->njobs = pf->next = pf->cursor = 0;
}

void pdf__prefetch_start(struct pdf__prefetch *pf, const struct pdf__flow *f)
{
    struct job *jobs = NULL;
    size_t n = 0, alloc = 0;

    for (size_t i = 0; i < f->nitems; i++) {
        const struct pdf__item *it = &f->items[i];
        if (it->kind != PDF__ITEM_PICTURE || !it->path)
            continue;
        jobs = xgrow(jobs, sizeof(*jobs), n + 1, &alloc);
        memset(&jobs[n], 0, sizeof(jobs[n]));
        jobs[n].path = xstrdup(it->path);
        jobs[n].uid = pdf__picture_uid(f, i);
        jobs[n].px = it->px;
        jobs[n].item = i;
        jobs[n].page = it->page;
        n++;
    }
    pthread_mutex_lock(&pf->lock);
    while (pf->busy)
        pthread_cond_wait(&pf->cond, &pf->lock);
    drop_jobs(pf);
    pf->jobs = jobs;
    pf->njobs = n;
    pf->page = 0;
    pthread_cond_broadcast(&pf->cond);
    pthread_mutex_unlock(&pf->lock);
}

void pdf__prefetch_page(struct pdf__prefetch *pf, size_t page)
{
    pthread_mutex_lock(&pf->lock);
    pf->page = page;
    pthread_cond_broadcast(&pf->cond);
    pthread_mutex_unlock(&pf->lock);
}

int pdf__prefetch_take(struct pdf__prefetch *pf, size_t item, struct pdf__picture *out)
{
    int got = -1;

    pthread_mutex_lock(&pf->lock);
    while (pf->cursor < pf->njobs && pf->jobs[pf->cursor].item < item)
        pf->cursor++;
    if (pf->cursor < pf->njobs && pf->jobs[pf->cursor].item == item) {
        struct job *j = &pf->jobs[pf->cursor];
        if (pf->page + 1 < j->page) { /* not the page being drawn: let the worker reach it */
            pf->page = j->page;
            pthread_cond_broadcast(&pf->cond);
        }
        while (!j->done)
            pthread_cond_wait(&pf->cond, &pf->lock);
        *out = j->pic;
        memset(&j->pic, 0, sizeof(j->pic));
        j->taken = true;
        got = j->ok;
    }
    pthread_mutex_unlock(&pf->lock);
    return got;
}

void pdf__prefetch_free(struct pdf__prefetch *pf)
{
    if (!pf)
        return;
    pthread_mutex_lock(&pf->lock);
    pf->stop = true;
    pthread_cond_broadcast(&pf->cond);
    pthread_mutex_unlock(&pf->lock);
    pthread_join(pf->thread, NULL);
    drop_jobs(pf);
    pthread_mutex_destroy(&pf->lock);
    pthread_cond_destroy(&pf->cond);
    free(pf);
}
