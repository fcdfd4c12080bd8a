#!/usr/bin/env bash
# t0010: every documented exit code and the one-line messages that go with them.
. "$(dirname "$0")/lib.sh"

mkdir -p archive
cp "$TEST_SRCDIR/archive/index.md" archive/index.md

test_expect_success 'no command: usage on stderr, exit 2' '
    test_must_fail 2 archiver 2>err &&
    test_grep "^usage: archiver" err
'

test_expect_success 'unknown command: exit 2 and a one-line error naming it' '
    test_must_fail 2 archiver frobnicate 2>err &&
    test_lines 1 err &&
    test_grep "^archiver: error: .frobnicate. is not an archiver command" err
'

test_expect_success 'unknown global option: exit 2' '
    test_must_fail 2 archiver --frob status 2>err &&
    test_grep "unknown option .--frob." err
'

test_expect_success 'unknown subcommand option: exit 2 with usage' '
    test_must_fail 2 archiver status --frob 2>err &&
    test_grep "^archiver status: error: unknown option .--frob." err &&
    test_grep "^usage: archiver status" err
'

test_expect_success 'option missing its value: exit 2' '
    test_must_fail 2 archiver status --archive 2>err &&
    test_grep "option .--archive. needs a value" err
'

test_expect_success 'bad number: exit 2 naming the option' '
    test_must_fail 2 archiver status --year twenty 2>err &&
    test_grep "--year takes a whole number, not .twenty." err &&
    test_must_fail 2 archiver status --year 12 2>err &&
    test_grep "--year takes a year" err
'

test_expect_success 'a value given to an option that takes none: exit 2 saying so' '
    test_must_fail 2 archiver status --json=1 2>err &&
    test_grep "^archiver status: error: option .--json. takes no value$" err &&
    test_must_fail 2 archiver status --help=yes 2>err &&
    test_grep "option .--help. takes no value" err
'

test_expect_success '--year 0 is out of range like any other year: exit 2' '
    test_must_fail 2 archiver status --year 0 2>err &&
    test_grep "--year takes a year from 1970 to 9999, not 0" err &&
    test_must_fail 2 archiver status --year=0 2>err &&
    test_grep "--year takes a year" err &&
    archiver status --year 1970 >/dev/null
'

test_expect_success 'an index over 4 MiB: exit 2, one line naming the file' '
    python3 -c "import sys; sys.stdout.write(\"![[]()\" * 700000)" >big.md &&
    test_must_fail 2 archiver status big.md >out 2>err &&
    test_lines 1 err &&
    test_grep "^archiver: error: cannot read .big.md.: larger than 4194304 bytes$" err &&
    test_lines 0 out
'

test_expect_success 'too many arguments: exit 2' '
    test_must_fail 2 archiver status a.md b.md 2>err &&
    test_grep "too many arguments" err
'

test_expect_success 'missing index: exit 2, one line naming the file' '
    test_must_fail 2 archiver status nowhere/index.md >out 2>err &&
    test_lines 1 err &&
    test_grep "^archiver: error: cannot read .nowhere/index.md.: No such file or directory$" err &&
    test_lines 0 out
'

test_expect_success 'unreadable index (a directory): exit 2' '
    mkdir dir.md &&
    test_must_fail 2 archiver status dir.md 2>err &&
    test_grep "cannot read .dir.md.: Is a directory" err
'

test_expect_success 'missing default index under --archive: exit 2 naming it' '
    test_must_fail 2 archiver status --archive empty-archive 2>err &&
    test_grep "cannot read .empty-archive/index.md." err
'

test_expect_success 'unknown --only id: exit 2' '
    test_must_fail 2 archiver status --only no-such-id 2>err &&
    test_grep "no entry has the id .no-such-id." err
'

test_expect_success '-C to a missing directory: exit 2' '
    test_must_fail 2 archiver -C /nonexistent/dir status 2>err &&
    test_grep "cannot change to ./nonexistent/dir." err
'

test_expect_success 'success: exit 0' '
    archiver status >out &&
    test_grep "^16 entries in 3 months: 16 pending$" out
'

test_expect_success '-C runs as if started there' '
    (cd / && "$ARCHIVER" -C "$TRASH" status >"$TRASH/out2") &&
    test_cmp out out2
'

test_expect_success 'stdout that cannot be written: exit 4' '
    if [ -w /dev/full ]; then
        test_must_fail 4 archiver status >/dev/full 2>err &&
        test_grep "cannot write to standard output" err
    fi
'

test_expect_success '--version and --help exit 0' '
    archiver --version >out &&
    test_grep "^archiver [0-9]+\.[0-9]+\.[0-9]+$" out &&
    test_grep "^data directory: /" out &&
    archiver --help >out &&
    test_grep "^    status" out &&
    archiver status -h >out &&
    test_grep "^usage: archiver status" out &&
    test_grep "--archive <dir>" out
'

test_expect_success 'help CMD is CMD --help; help of an unknown command is exit 2' '
    archiver help status >a &&
    archiver status --help >b &&
    test_cmp a b &&
    test_must_fail 2 archiver help frob 2>err
'

test_done
