#!/usr/bin/env bash
# tests/check-layering.sh: checks every #include in src/ against the module graph of design.md and
# style.md: which folders a folder may include, that other folders include only a folder's public
# header, and that each third-party library is included by the one folder whose job it is.
set -u
root=${1:-$(dirname "$0")/..}
cd "$root/src" || exit 2

# folder -> folders it may include (besides itself); must match target_link_libraries.
declare -A deps=(
    [util]=""
    [doc]="util"
    [index]="doc util"
    [convert]="doc util"
    [fetch]="util"
    [image]="util"
    [archive]="index convert fetch image doc util"
    [epub]="archive image doc util"
    [pdf]="archive image doc util"
)
# header -> folders (or top-level files, '.') that may include it.
declare -A libs=(
    [curl/curl.h]="fetch util/url.c"
    [gumbo.h]="convert"
    [cmark.h]="index"
    [zip.h]="epub"
    [cairo.h]="pdf"
    [cairo-pdf.h]="pdf"
    [pango/pangocairo.h]="pdf"
    [pango/pangofc-fontmap.h]="pdf"
    [fontconfig/fontconfig.h]="pdf"
    [gdk-pixbuf/gdk-pixbuf.h]="image"
    [jansson.h]="archive ."
    [glib.h]="util/hash.c"
)
# Public headers other folders may include (util exports all of its headers).
declare -A public=(
    [archive]="archive/archive.h archive/book.h"
)

fail=0
complain() {
    echo "layering: $1" >&2
    fail=1
}

while IFS= read -r file; do
    dir=${file%%/*}
    [ "$dir" = "$file" ] && dir=.
    while IFS= read -r line; do
        inc=${line#*:}
        lineno=${line%%:*}
        if [[ $inc =~ ^#include\ \"([^\"]+)\" ]]; then
            h=${BASH_REMATCH[1]}
            hdir=${h%%/*}
            [ "$hdir" = "$h" ] && hdir=.
            [ "$hdir" = "$dir" ] && continue
            if [ "$dir" != . ]; then
                if [ "$hdir" = . ]; then
                    complain "$file:$lineno: includes top-level header $h (only main.c and cmd_*.c may)"
                    continue
                fi
                case " ${deps[$dir]-} " in
                *" $hdir "*) ;;
                *) complain "$file:$lineno: $dir/ may not include $h (allowed: ${deps[$dir]-none})" ;;
                esac
            fi
            if [ "$hdir" != util ] && [ "$hdir" != . ]; then
                allowed=${public[$hdir]-$hdir/$hdir.h}
                case " $allowed " in
                *" $h "*) ;;
                *) complain "$file:$lineno: $h is private to $hdir/ (public: $allowed)" ;;
                esac
            fi
        elif [[ $inc =~ ^#include\ \<([^\>]+)\> ]]; then
            h=${BASH_REMATCH[1]}
            [ -n "${libs[$h]+x}" ] || continue
            ok=0
            for who in ${libs[$h]}; do
                if [ "$who" = "$file" ] || [ "$who" = "$dir" ]; then
                    ok=1
                fi
            done
            [ $ok = 1 ] || complain "$file:$lineno: <$h> belongs to ${libs[$h]}, not $file"
        fi
    done < <(grep -n '^#include' "$file")
done < <(find . -name '*.[ch]' | sed 's|^\./||' | sort)

if [ $fail = 0 ]; then
    echo "layering: all includes follow the module graph"
fi
exit $fail
