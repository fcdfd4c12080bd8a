/* tests/fuzz/fuzz_index.c: libFuzzer target for the index parser: any bytes parse to months and
 * entries (with warnings) without a crash or a leak. */
#include <stddef.h>
#include <stdint.h>

#include "index/index.h"
#include "util/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct idx_opts opts = IDX_OPTS_INIT;
    struct idx *ix = NULL;

    opts.year = 2024;
    opts.now = 1795600000;
    if (idx_parse((const char *)data, size, "fuzz.md", &opts, &ix, NULL) == ARC_OK)
        idx_free(ix);
    return 0;
}
