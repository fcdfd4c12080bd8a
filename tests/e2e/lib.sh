# tests/e2e/lib.sh: the harness every tests/e2e/tNNNN-*.sh sources (git's test-lib, scaled down).
#
# Each test runs in a fresh scratch directory ($TRASH, removed on exit) with the archiver binary in
# $ARCHIVER and the source tree in $TEST_SRCDIR (ctest sets both).  Bodies are run by
# test_expect_success in a subshell with `set -e`; a failing body prints its output.  test_done
# prints the totals and sets the exit code; skip_all exits 77, which ctest reports as skipped, or
# fails when ARCHIVER_TEST_REQUIRE_ALL=1 (CI).

set -u
: "${ARCHIVER:?ARCHIVER must name the archiver binary (run the tests through ctest)}"
: "${TEST_SRCDIR:?TEST_SRCDIR must name the source tree}"

TEST_NAME=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/archiver-$TEST_NAME.XXXXXX")
test_count=0
test_failed=0
_cleanups=()

_cleanup() {
    local c
    for c in "${_cleanups[@]+"${_cleanups[@]}"}"; do
        eval "$c" || true
    done
    cd / && rm -rf "$TRASH"
}
trap _cleanup EXIT
cd "$TRASH" || exit 1

# Runs a command when the test script exits (stopping servers and the like).
at_exit() {
    _cleanups+=("$1")
}

archiver() {
    "$ARCHIVER" "$@"
}

test_expect_success() {
    local desc=$1 body=$2 rc
    test_count=$((test_count + 1))
    (
        set -e
        eval "$body"
    ) >"$TRASH/.test-output" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
        echo "ok $test_count - $desc"
    else
        echo "not ok $test_count - $desc (exit $rc)"
        sed 's/^/#   /' "$TRASH/.test-output"
        test_failed=$((test_failed + 1))
    fi
}

# test_must_fail CODE CMD...: CMD must exit with exactly CODE.
test_must_fail() {
    local want=$1 rc=0
    shift
    "$@" || rc=$? # in a condition, so a caller's `set -e` does not end the test here
    if [ "$rc" -ne "$want" ]; then
        echo "expected exit $want, got $rc from: $*" >&2
        return 1
    fi
    return 0
}

# test_cmp EXPECTED ACTUAL: the files must be equal; prints a diff otherwise.
test_cmp() {
    diff -u "$1" "$2"
}

# test_grep PATTERN FILE: like grep -E, but shows the file when nothing matches.
test_grep() {
    if ! grep -E -q -- "$1" "$2"; then
        echo "no line matches '$1' in $2:" >&2
        sed 's/^/|   /' "$2" >&2
        return 1
    fi
}

# test_lines N FILE: FILE has exactly N lines.
test_lines() {
    local n
    n=$(wc -l <"$2")
    if [ "$n" -ne "$1" ]; then
        echo "expected $1 lines in $2, found $n:" >&2
        sed 's/^/|   /' "$2" >&2
        return 1
    fi
}

skip_all() {
    if [ "${ARCHIVER_TEST_REQUIRE_ALL:-0}" = 1 ]; then
        echo "not ok - $TEST_NAME cannot run: $1 (ARCHIVER_TEST_REQUIRE_ALL=1)"
        exit 1
    fi
    echo "skip - $TEST_NAME: $1"
    exit 77
}

# require_tool NAME...: skips the whole test when a tool is missing.
require_tool() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || skip_all "$t is not installed"
    done
}

test_done() {
    echo "$((test_count - test_failed)) passed, $test_failed failed"
    [ "$test_failed" -eq 0 ] && [ "$test_count" -gt 0 ]
    exit $?
}

# make_certs: a test CA and one server certificate for the hosts the tests stand in for
# (the WeChat article and image hosts, and a generic site), in $TRASH/certs.  Sets CACERT.
make_certs() {
    local d="$TRASH/certs"
    mkdir -p "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=archiver test CA" \
        -keyout "$d/ca.key" -out "$d/ca.pem" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || return 1
    openssl req -newkey rsa:2048 -nodes -subj "/CN=mp.weixin.qq.com" \
        -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null || return 1
    printf '%s\n' "subjectAltName=DNS:mp.weixin.qq.com,DNS:mmbiz.qpic.cn,DNS:mmbiz.qlogo.cn,DNS:example.com,DNS:www.example.com,DNS:images.example.net" \
        "basicConstraints=CA:FALSE" "extendedKeyUsage=serverAuth" >"$d/ext.cnf"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
        -days 2 -out "$d/server.pem" -extfile "$d/ext.cnf" 2>/dev/null || return 1
    CACERT="$d/ca.pem"
}

# start_server ADDR ROUTES: serves ROUTES (see tests/e2e/server.py) over HTTPS on ADDR:443 with
# the test certificates, logging requests to $TRASH/requests.log; stops when the test exits.
# Call it from the script itself, not inside a test body (a subshell would forget to stop it).
start_server() {
    local addr=$1 routes=$2 ready="$TRASH/.server-ready.$1"
    [ -n "${CACERT:-}" ] || make_certs || { echo "cannot make test certificates" >&2; return 1; }
    rm -f "$ready"
    python3 "$TEST_SRCDIR/tests/e2e/server.py" --bind "$addr" --port 443 \
        --cert "$TRASH/certs/server.pem" --key "$TRASH/certs/server.key" \
        --routes "$routes" --log "$TRASH/requests.log" --ready "$ready" --lifetime 600 \
        2>"$TRASH/server.$addr.err" &
    local pid=$!
    at_exit "kill $pid 2>/dev/null"
    for _ in $(seq 1 100); do
        [ -s "$ready" ] && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    echo "test server on $addr did not start:" >&2
    cat "$TRASH/server.$addr.err" >&2
    return 1
}
