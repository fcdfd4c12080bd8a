#!/usr/bin/env bash
# t0020: each command's -h synopsis equals its docs/archiver-<cmd>.md SYNOPSIS, and the README
# and the man page name every command and exit code (git's t0450).
. "$(dirname "$0")/lib.sh"

commands=$(archiver --help | sed -n 's/^    \([a-z][a-z-]*\)  .*/\1/p' | grep -v '^help$')

test_expect_success 'the command list is not empty' '
    [ -n "$commands" ]
'

for cmd in $commands; do
    test_expect_success "$cmd: -h synopsis matches docs/archiver-$cmd.md" '
        archiver $cmd -h | sed -n "s/^usage: //p" >actual &&
        sed -n "/^## SYNOPSIS/,/^## /p" "$TEST_SRCDIR/docs/archiver-$cmd.md" |
            sed -n "s/^    //p" >expect &&
        [ -s expect ] &&
        test_cmp expect actual
    '
    test_expect_success "$cmd: named in README and man page" '
        test_grep "archiver $cmd" "$TEST_SRCDIR/README.md" &&
        test_grep "^\.B(R)? (archiver )?$cmd" "$TEST_SRCDIR/docs/archiver.1"
    '
    test_expect_success "$cmd: every option in -h is in the man page" '
        archiver $cmd -h | sed -n "s/^    .*--\([a-z-]*\).*/\1/p" | grep -v "^help$" >opts &&
        [ -s opts ] &&
        while read -r o; do
            sed "s/\\\\-/-/g" "$TEST_SRCDIR/docs/archiver.1" | grep -q -- "--$o\\b" ||
                { echo "--$o missing from archiver.1"; exit 1; }
        done <opts
    '
done

test_expect_success 'exit codes 0-4 are in the README, the man page and docs/exit-codes.md' '
    for code in 0 1 2 3 4; do
        test_grep "^\| $code \|" "$TEST_SRCDIR/README.md" &&
        test_grep "^\| $code \|" "$TEST_SRCDIR/docs/exit-codes.md" &&
        grep -A1 "^\.TP" "$TEST_SRCDIR/docs/archiver.1" | grep -q "^\.B $code$" ||
            { echo "exit code $code undocumented"; exit 1; }
    done
'

test_expect_success 'the man page renders without warnings' '
    if command -v man >/dev/null; then
        MANWIDTH=80 man --warnings -l "$TEST_SRCDIR/docs/archiver.1" >page 2>warn &&
        test_lines 0 warn &&
        test_grep "EXIT STATUS" page
    fi
'

test_done
