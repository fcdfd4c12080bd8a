#!/usr/bin/env bash
# t0030: `cmake --install` puts the binary, the man page, styles/ and fonts/ in place, and the
# installed program finds its data directory (or the one ARCHIVER_DATADIR names).
. "$(dirname "$0")/lib.sh"
require_tool cmake
: "${TEST_BUILDDIR:?}"

test_expect_success 'cmake --install lays out bin, man page and data' '
    cmake --install "$TEST_BUILDDIR" --prefix "$TRASH/inst" >log &&
    test -x inst/bin/archiver &&
    test -f inst/share/man/man1/archiver.1 &&
    test -f inst/share/archiver/styles/book.css &&
    test -f inst/share/archiver/fonts/fonts.conf
'

test_expect_success 'the installed binary runs and honours ARCHIVER_DATADIR' '
    ARCHIVER_DATADIR="$TRASH/inst/share/archiver" inst/bin/archiver --version >out &&
    test_grep "^data directory: $TRASH/inst/share/archiver$" out
'

test_expect_success 'without ARCHIVER_DATADIR the data directory holds styles/' '
    env -u ARCHIVER_DATADIR inst/bin/archiver --version >out &&
    dir=$(sed -n "s/^data directory: //p" out) &&
    test -f "$dir/styles/book.css"
'

test_done
