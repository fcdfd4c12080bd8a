/* tests/fuzz/fuzz_convert.c: libFuzzer target for the page converter and the XHTML round trip.
 * Any page bytes must convert without a crash, a leak or unbounded time, the tree must serialize,
 * and our own XHTML must read back. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "convert/convert.h"
#include "doc/doc.h"
#include "util/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The first byte picks the URL, so WeChat and generic paths are both reached. */
    static const char *const urls[] = {
        "https://mp.weixin.qq.com/s/AAAAAAAAAAAAAAAAAAAAAA",
        "https://example.com/a/b.html",
        "https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?poc_token=x",
    };
    struct conv_input in = { 0 };
    struct conv_page page;
    struct strbuf out = STRBUF_INIT;
    struct doc *back = NULL;

    in.buf = (const char *)data;
    in.len = size;
    in.url = urls[size ? data[0] % 3 : 0];
    if (conv_page_convert(&in, &page, NULL) != ARC_OK)
        __builtin_trap();
    if (page.doc) {
        doc_write_xhtml(page.doc->root, &out, 0);
        if (conv_read_xhtml(out.buf, out.len, &back, NULL) == ARC_OK)
            doc_free(back);
    }
    conv_page_release(&page);
    strbuf_release(&out);
    return 0;
}
