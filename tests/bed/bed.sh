#!/usr/bin/env bash
# Loopback test bed for posture: knotd serving the fixture zones
# (tests/zones/*.zone), faultdns.py injecting DNS faults, and httpsd.py
# serving BIMI assets over HTTPS (tests/fixtures/https, plus hostile
# behaviours) with a test CA made at start, all on 127.0.0.1 with freshly
# chosen ports.
#
#   bed.sh start DIR              start; writes DIR/bed.env
#   bed.sh stop DIR               stop whatever DIR/*.pid records
#   bed.sh run DIR [--] CMD ...   start, run CMD with bed.env exported,
#                                 stop, exit with CMD's status
#
# Environment:
#   BED_ZONES          directory of *.zone files (default tests/zones)
#   BED_START_TIMEOUT  seconds to wait for both servers (default 10)
#   BED_STOP_TIMEOUT   seconds to wait for them to exit before SIGKILL
#                      (default 5)
#   BED_HTTPS_ROOT     directory of HOST/PATH files httpsd.py serves
#                      (default tests/fixtures/https)
#   BED_HTTPS_NAMES    extra DNS names for the server certificate,
#                      comma-separated (bimi.test, *.bimi.test, demo.test
#                      and *.demo.test are always there)
#
# A zone file whose first line is "; dnssec: sign" is signed by knotd,
# one whose first line is "; dnssec: presigned" by presign.py (broken on
# purpose); DIR/trust-anchors.txt (BED_TRUST_ANCHORS) holds their DS
# records.  See README.md, "Signed zones".
#
# Everything the servers write (config, logs, pid files, knot's
# databases and control socket) lives in DIR; nothing needs root.  The
# one exception: if DIR's path is too long for a unix socket, knot's
# control socket goes to a private /tmp/bed-knot.XXXXXX (see below).

set -u

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd -- "$HERE/../.." && pwd -P)
PY=/usr/bin/python3     # the pyenv python3 on some PATHs lacks dnslib
START_TIMEOUT=${BED_START_TIMEOUT:-10}
# knotd frees a large zone slowly on SIGTERM (a million-domain world
# takes seconds): benchmarks raise this before SIGKILL is used.
STOP_TIMEOUT=${BED_STOP_TIMEOUT:-5}
PORT_ATTEMPTS=3

die() { echo "bed.sh: $*" >&2; exit 1; }

usage() {
    echo "usage: bed.sh start DIR | stop DIR | run DIR [--] CMD [ARGS...]" >&2
    exit 2
}

# knotd lives in /usr/sbin, which is not on a normal user's PATH.
find_knotd() {
    command -v knotd 2>/dev/null && return
    [ -x /usr/sbin/knotd ] && { echo /usr/sbin/knotd; return; }
    die "knotd not found (apt-get install knot)"
}

# keymgr (knot) lives beside knotd, for the signed zones' DS records.
find_keymgr() {
    command -v keymgr 2>/dev/null && return
    [ -x /usr/sbin/keymgr ] && { echo /usr/sbin/keymgr; return; }
    die "keymgr not found (apt-get install knot)"
}

# --- process bookkeeping ---------------------------------------------

# A zombie still answers kill -0, and in containers whose PID 1 reaps
# lazily our stopped servers can linger as zombies for seconds; they
# are dead for every purpose that matters here.
alive() {
    local stat state
    kill -0 "$1" 2>/dev/null || return 1
    read -r stat < "/proc/$1/stat" 2>/dev/null || return 1
    state=${stat##*) }          # comm may contain spaces; skip past it
    [ "${state%% *}" != Z ]
}

# Guard against pid reuse: a stale pid file (say, after a reboot) must
# never make us kill an unrelated process that inherited the number.
is_bed_process() {
    local cmd
    cmd=$(tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *knotd* || $cmd == *faultdns.py* || $cmd == *httpsd.py* ]]
}

read_pid() {
    local pid
    pid=$(head -n1 "$1" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    echo "$pid"
}

stop_bed() {
    local dir=$1 f pid waited
    local -a pids=() signalled=()
    [ -d "$dir" ] || return 0
    for f in "$dir"/*.pid; do
        [ -e "$f" ] || continue
        if pid=$(read_pid "$f") && alive "$pid" && is_bed_process "$pid"; then
            kill -TERM "$pid" 2>/dev/null
            pids+=("$pid")
        fi
    done
    signalled=(${pids[@]+"${pids[@]}"})
    waited=0
    while :; do
        local -a left=()
        for pid in ${pids[@]+"${pids[@]}"}; do
            alive "$pid" && left+=("$pid")
        done
        pids=(${left[@]+"${left[@]}"})
        [ ${#pids[@]} -eq 0 ] && break
        if [ "$waited" -ge $((STOP_TIMEOUT * 10)) ]; then
            echo "bed.sh: killing unresponsive ${pids[*]}" >&2
            kill -KILL "${pids[@]}" 2>/dev/null
            break
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    # Reap those that are our own children (run mode, failed start) so
    # they do not linger as zombies; "wait" just fails for the others.
    for pid in ${signalled[@]+"${signalled[@]}"}; do
        wait "$pid" 2>/dev/null
    done
    rm -f -- "$dir"/*.pid "$dir/bed.env" "$dir/httpsd.ready"
    remove_sockdir "$dir"
    return 0
}

# See write_knot_conf.  The pattern check keeps a corrupted record from
# ever pointing rm -rf somewhere else.
remove_sockdir() {
    local rec="$1/knot/sockdir" d
    [ -f "$rec" ] || return 0
    d=$(head -n1 "$rec")
    [[ $d == /tmp/bed-knot.* && $d != */../* ]] && rm -rf -- "$d"
    rm -f -- "$rec"
}

# --- starting ----------------------------------------------------------

# bed.test.zone -> bed.test, in $REPLY.  No $(...) here: a forked
# subshell per zone adds seconds when serving hundreds of zones.
zone_name() {
    REPLY=${1##*/}
    REPLY=${REPLY%.zone}
}

# Writes the knotd config.  Knot's own pid file and control socket go
# into DIR/knot/ so they never match DIR/*.pid, which is reserved for
# the pids bed.sh records itself (knotd refuses to start if its pid
# file names a live process, so the two must not share a path).
write_knot_conf() {
    local dir=$1 port=$2 zones=$3 z user maxtcp nofile sock
    # knotd dies at start-up if its control socket path does not fit in
    # sun_path (108 bytes), and pytest-style temp dirs get that long.
    # Then, and only then, the socket alone goes to a short directory
    # under /tmp, recorded so stop_bed can remove it.
    sock="$dir/knot/knot.sock"
    if [ ${#sock} -gt 100 ]; then
        sock=$(mktemp -d /tmp/bed-knot.XXXXXX) || return 1
        echo "$sock" > "$dir/knot/sockdir"
        sock="$sock/knot.sock"
    fi
    # An explicit "user: root:root" makes a non-root knotd die with
    # "failed to drop privileges" (it tries setregid(0)).  Omitting the
    # option happens to work on 3.2.6, but naming the current user is a
    # guaranteed no-op for root and non-root alike.
    user="$(id -un):$(id -gn)"
    # Half the fd limit (Knot's own default), capped; enough for the
    # scanner's bursts of parallel TCP fallbacks.
    nofile=$(ulimit -n)
    [ "$nofile" = unlimited ] && nofile=65536
    maxtcp=$((nofile / 2))
    [ "$maxtcp" -gt 4096 ] && maxtcp=4096
    {
        echo "# Generated by tests/bed/bed.sh; rewritten on every start."
        echo "server:"
        echo "    rundir: \"$dir/knot\""
        echo "    pidfile: \"$dir/knot/knotd.pid\""
        echo "    user: $user"
        echo "    listen: 127.0.0.1@$port"
        # Small thread counts: be polite on a 2-core CI machine.
        echo "    udp-workers: 2"
        echo "    tcp-workers: 2"
        echo "    background-workers: 1"
        echo "    tcp-max-clients: $maxtcp"
        echo "log:"
        echo "  - target: stderr"
        echo "    any: info"
        echo "database:"
        echo "    storage: \"$dir/knot/db\""
        echo "    journal-db: \"$dir/knot/db/journal\""
        echo "    kasp-db: \"$dir/knot/db/keys\""
        echo "    timer-db: \"$dir/knot/db/timers\""
        echo "    catalog-db: \"$dir/knot/db/catalog\""
        echo "control:"
        echo "    listen: \"$sock\""
        if [ ${#SIGNED[@]} -gt 0 ]; then
            # Automatic signing of "; dnssec: sign" zones: one ECDSA
            # P-256 key per zone (single-type signing: fast to make and
            # to sign with), NSEC.  Keys live in the kasp-db above.
            echo "policy:"
            echo "  - id: bed"
            echo "    algorithm: ecdsap256sha256"
            echo "    single-type-signing: on"
            echo "    nsec3: off"
        fi
        echo "template:"
        echo "  - id: default"
        echo "    storage: \"$zones\""
        # Zone files are fixtures: never write them back, keep no
        # journal, always load them whole.
        echo "    zonefile-sync: -1"
        echo "    zonefile-load: whole"
        echo "    journal-content: none"
        echo "zone:"
        for z in "${ZONE_FILES[@]}"; do
            zone_name "$z"
            echo "  - domain: \"$REPLY.\""
            case ${SIGNED[$REPLY]:-} in
                sign)
                    echo "    file: \"$z\""
                    echo "    dnssec-signing: on"
                    echo "    dnssec-policy: bed" ;;
                presigned)
                    echo "    file: \"$dir/presigned/$REPLY.zone\"" ;;
                *)
                    echo "    file: \"$z\"" ;;
            esac
        done
    } > "$dir/knot.conf"
}

# Prints the rcode ("NOERROR", ...) of one query, or nothing on timeout.
probe() {
    local port=$1 name=$2 type=$3
    kdig @127.0.0.1 -p "$port" +time=1 +retry=0 +norecurse "$name" "$type" \
        2>/dev/null | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -n1
}

# True once every zone answers its SOA authoritatively.  Knot (with
# async-start off) only answers after loading, so a zone that still
# says REFUSED here failed to load -- a broken fixture, not slowness.
# Names go to kdig in batches: one process per zone would make start-up
# crawl for benchmarks that serve hundreds of generated zones.
knot_zones_ready() {
    local port=$1 i n ok z
    local -a batch
    for ((i = 0; i < ${#ZONE_FILES[@]}; i += 100)); do
        batch=()
        for z in "${ZONE_FILES[@]:i:100}"; do
            zone_name "$z"
            batch+=("$REPLY." SOA)
        done
        n=$((${#batch[@]} / 2))
        ok=$(kdig @127.0.0.1 -p "$port" +time=1 +retry=0 +norecurse \
                "${batch[@]}" 2>/dev/null | grep -c 'status: NOERROR')
        [ "$ok" -eq "$n" ] || return 1
    done
}

# Knot keeps running when a zone fails to load (it just REFUSEs it);
# spot that in its log so a broken zone file fails start-up at once
# instead of after the whole timeout.
knot_zone_failed() {
    grep -qE "failed to load zone|zone event 'load' failed" "$1/knotd.log"
}

show_logs() {
    local dir=$1 f
    for f in "$dir/knotd.log" "$dir/faultdns.log" "$dir/httpsd.log" \
             "$dir/tls/openssl.log"; do
        [ -s "$f" ] || continue
        echo "----- $f -----" >&2
        tail -n 50 -- "$f" >&2
    done
}

port_clash() {
    grep -qiE 'already in use|cannot bind' "$1/knotd.log" "$1/faultdns.log" \
        "$1/httpsd.log" 2>/dev/null
}

# The bed's TLS identities, made fresh in DIR/tls at every start (EC
# P-256, valid 30 days): a test CA (ca.pem) and a server certificate it
# signs for the bed's names (server.pem/.key), and a self-signed one for
# the same names that no test trusts (untrusted.pem/.key).
make_tls() {
    local tls=$1/tls names n san="" serial
    local -a list
    names="bimi.test,*.bimi.test,demo.test,*.demo.test"
    # The MTA-STS policy hosts of tests/zones/mtasts.test.zone, one by one
    # (a wildcard covers one label); mta-sts.wrongcert.mtasts.test is left
    # out on purpose: its policy is served with a certificate for others.
    for n in enforce-ok enforce-gap testing redirect no-policy two-txt ctype \
        badpolicy nomx modenone tlsrpt-ok tlsrpt-bad; do
        names="$names,mta-sts.$n.mtasts.test"
    done
    [ -n "${BED_HTTPS_NAMES:-}" ] && names="$names,$BED_HTTPS_NAMES"
    IFS=, read -ra list <<<"$names"
    for n in "${list[@]}"; do
        n=${n//[[:space:]]/}
        [ -n "$n" ] || continue
        [[ $n =~ ^[A-Za-z0-9*.-]+$ ]] || die "BED_HTTPS_NAMES: bad name '$n'"
        san="${san:+$san,}DNS:$n"
    done
    rm -rf -- "$tls"
    mkdir -p "$tls" || return 1
    serial=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    {
        openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
            -nodes -keyout "$tls/ca.key" -out "$tls/ca.pem" -days 30 \
            -subj "/CN=posture test bed CA" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" &&
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
            -keyout "$tls/server.key" -out "$tls/server.csr" \
            -subj "/CN=bimi.test" &&
        printf '%s\n' "subjectAltName=$san" \
            "basicConstraints=critical,CA:FALSE" \
            "keyUsage=critical,digitalSignature" \
            "extendedKeyUsage=serverAuth" > "$tls/server.ext" &&
        openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" \
            -CAkey "$tls/ca.key" -set_serial "0x$serial" -days 30 -sha256 \
            -extfile "$tls/server.ext" -out "$tls/server.pem" &&
        openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
            -nodes -keyout "$tls/untrusted.key" -out "$tls/untrusted.pem" \
            -days 30 -subj "/CN=bimi.test" -addext "subjectAltName=$san"
    } >"$tls/openssl.log" 2>&1 || {
        echo "bed.sh: openssl could not make the test certificates" >&2
        return 1
    }
}

# --- signed zones (README.md, "Signed zones") --------------------------

# SIGNED[zone] = sign | presigned, from each zone file's first line;
# SERVED[zone] for every zone.  One read per file and no fork: benchmarks
# serve hundreds of zones.
declare -A SIGNED=() SERVED=()
dnssec_scan() {
    local z line re='^;[[:space:]]*dnssec:[[:space:]]*(sign|presigned)[[:space:]]*$'
    SIGNED=()
    SERVED=()
    for z in "${ZONE_FILES[@]}"; do
        zone_name "$z"
        SERVED[$REPLY]=1
        line=
        IFS= read -r line < "$z"
        line=${line%$'\r'}
        [[ $line =~ $re ]] && SIGNED[$REPLY]=${BASH_REMATCH[1]}
    done
    return 0
}

# Signs each presigned zone into DIR/presigned/ZONE.zone, its DS record in
# DIR/presigned/ZONE.ds (presign.py: a fresh key at every start).
dnssec_presign() {
    local dir=$1 z
    rm -rf -- "$dir/presigned"
    for z in "${ZONE_FILES[@]}"; do
        zone_name "$z"
        [ "${SIGNED[$REPLY]:-}" = presigned ] || continue
        mkdir -p "$dir/presigned" || return 1
        "$PY" "$HERE/presign.py" "$z" "$REPLY" "$dir/presigned/$REPLY.zone" \
            >"$dir/presigned/$REPLY.ds" || {
            echo "bed.sh: presign.py could not sign $z" >&2
            return 1
        }
    done
}

# Writes DIR/trust-anchors.txt: the DS records (SHA-256) of every signed
# zone whose closest enclosing zone in the bed is unsigned, or that has
# none -- no signed parent here holds a DS for it, so a validator must be
# told to trust it.  (A signed zone under a signed one gets no DS in its
# parent and so reads as insecure: sign one level only.)
write_trust_anchors() {
    local dir=$1 out=$1/trust-anchors.txt zone up keymgr="" ds
    {
        echo "; Trust anchors of the bed's signed zones, written by bed.sh at start."
        for zone in $(printf '%s\n' "${!SIGNED[@]}" | sort); do
            up=$zone
            while [[ $up == *.* ]]; do
                up=${up#*.}
                [ -n "${SERVED[$up]:-}" ] && break
            done
            [ "$up" != "$zone" ] && [ -n "${SIGNED[$up]:-}" ] && continue
            if [ "${SIGNED[$zone]}" = presigned ]; then
                cat -- "$dir/presigned/$zone.ds" || return 1
                continue
            fi
            [ -n "$keymgr" ] || keymgr=$(find_keymgr) || return 1
            ds=$("$keymgr" -c "$dir/knot.conf" "$zone." ds 2>&1 |
                 grep -E '^[^ ]+ DS [0-9]+ [0-9]+ 2 ')
            [ -n "$ds" ] || { echo "bed.sh: no DS record for $zone (keymgr)" >&2; return 1; }
            echo "$ds"
        done
    } > "$out.tmp" && mv -f -- "$out.tmp" "$out"
}

# One attempt with a fresh set of ports.
# Returns 0 when up, 1 on failure, 2 on a port clash worth retrying.
try_start() {
    local dir=$1 zones=$2 ports auth fault https untrusted knotd deadline
    local kpid fpid hpid knot_ok=0 fault_ok=0
    ports=$("$PY" "$HERE/freeport.py" -n 4) || return 1
    auth=$(sed -n 1p <<<"$ports")
    fault=$(sed -n 2p <<<"$ports")
    https=$(sed -n 3p <<<"$ports")
    untrusted=$(sed -n 4p <<<"$ports")
    knotd=$(find_knotd) || return 1

    write_knot_conf "$dir" "$auth" "$zones" || return 1
    # stdin/stdout/stderr all redirected: a server holding the caller's
    # pipe open would hang anyone reading bed.sh's output to EOF.
    "$knotd" -c "$dir/knot.conf" </dev/null >"$dir/knotd.log" 2>&1 &
    kpid=$!
    echo "$kpid" > "$dir/knotd.pid"
    "$PY" "$HERE/faultdns.py" --addr 127.0.0.1 --port "$fault" \
        --pidfile "$dir/faultdns.pid" </dev/null >"$dir/faultdns.log" 2>&1 &
    fpid=$!
    echo "$fpid" > "$dir/faultdns.pid"
    rm -f -- "$dir/httpsd.ready"
    "$PY" "$HERE/httpsd.py" --addr 127.0.0.1 --port "$https" \
        --cert "$dir/tls/server.pem" --key "$dir/tls/server.key" \
        --untrusted-port "$untrusted" --untrusted-cert "$dir/tls/untrusted.pem" \
        --untrusted-key "$dir/tls/untrusted.key" --root "$HTTPS_ROOT" \
        --ready "$dir/httpsd.ready" \
        </dev/null >"$dir/httpsd.log" 2>&1 &
    hpid=$!
    echo "$hpid" > "$dir/httpsd.pid"

    deadline=$((SECONDS + START_TIMEOUT))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if ! alive "$kpid" || ! alive "$fpid" || ! alive "$hpid"; then
            port_clash "$dir" && return 2
            echo "bed.sh: a server exited during startup" >&2
            return 1
        fi
        if knot_zone_failed "$dir"; then
            echo "bed.sh: knotd could not load a zone file" >&2
            return 1
        fi
        [ $knot_ok = 1 ] || { knot_zones_ready "$auth" && knot_ok=1; }
        [ $fault_ok = 1 ] ||
            { [ "$(probe "$fault" ready.fault.test. TXT)" = NOERROR ] &&
              fault_ok=1; }
        if [ $knot_ok = 1 ] && [ $fault_ok = 1 ] && [ -e "$dir/httpsd.ready" ]; then
            write_trust_anchors "$dir" || return 1
            {
                printf 'BED_DIR=%q\n' "$dir"
                echo "BED_AUTH_PORT=$auth"
                echo "BED_FAULT_PORT=$fault"
                echo "BED_AUTH=127.0.0.1:$auth"
                echo "BED_FAULT=127.0.0.1:$fault"
                echo "BED_HTTPS_PORT=$https"
                echo "BED_HTTPS=127.0.0.1:$https"
                echo "BED_HTTPS_UNTRUSTED=127.0.0.1:$untrusted"
                printf 'BED_CA=%q\n' "$dir/tls/ca.pem"
                printf 'BED_TRUST_ANCHORS=%q\n' "$dir/trust-anchors.txt"
            } > "$dir/bed.env.tmp" && mv -f "$dir/bed.env.tmp" "$dir/bed.env"
            return 0
        fi
        sleep 0.1
    done
    echo "bed.sh: servers not ready after ${START_TIMEOUT}s" \
         "(knotd ready=$knot_ok, faultdns ready=$fault_ok," \
         "httpsd ready=$([ -e "$dir/httpsd.ready" ] && echo 1 || echo 0))" >&2
    return 1
}

refuse_if_running() {
    local f pid
    for f in "$1"/*.pid; do
        [ -e "$f" ] || continue
        if pid=$(read_pid "$f") && alive "$pid" && is_bed_process "$pid"; then
            die "a bed is already running in $1 (bed.sh stop $1)"
        fi
    done
}

start_bed() {
    local dir=$1 zones f attempt rc
    zones=${BED_ZONES:-$ROOT/tests/zones}
    zones=$(cd -- "$zones" 2>/dev/null && pwd -P) ||
        die "zone directory not found: ${BED_ZONES:-$ROOT/tests/zones}"
    ZONE_FILES=()
    for f in "$zones"/*.zone; do
        [ -e "$f" ] && ZONE_FILES+=("$f")
    done
    [ ${#ZONE_FILES[@]} -gt 0 ] || die "no *.zone files in $zones"
    HTTPS_ROOT=${BED_HTTPS_ROOT:-$ROOT/tests/fixtures/https}
    HTTPS_ROOT=$(cd -- "$HTTPS_ROOT" 2>/dev/null && pwd -P) ||
        die "HTTPS root not found: ${BED_HTTPS_ROOT:-$ROOT/tests/fixtures/https}"

    refuse_if_running "$dir"
    rm -f -- "$dir"/*.pid "$dir/bed.env"
    mkdir -p "$dir/knot/db" || die "cannot create $dir/knot/db"
    make_tls "$dir" || { show_logs "$dir"; return 1; }
    dnssec_scan
    dnssec_presign "$dir" || return 1

    # Let servers use the hard fd limit (bounded) for many TCP clients.
    local hard
    hard=$(ulimit -Hn)
    [ "$hard" = unlimited ] && hard=65536
    [ "$hard" -gt 65536 ] && hard=65536
    ulimit -n "$hard" 2>/dev/null

    for attempt in $(seq 1 "$PORT_ATTEMPTS"); do
        try_start "$dir" "$zones"
        rc=$?
        [ $rc = 0 ] && return 0
        if [ $rc = 2 ] && [ "$attempt" -lt "$PORT_ATTEMPTS" ]; then
            echo "bed.sh: port clash, retrying with new ports" >&2
            stop_bed "$dir"
            continue
        fi
        show_logs "$dir"
        stop_bed "$dir"
        return 1
    done
}

abs_dir() {
    mkdir -p -- "$1" || die "cannot create $1"
    (cd -- "$1" && pwd -P)
}

# --- run mode ----------------------------------------------------------

RUN_DIR=
CHILD=

# Stops CMD (if still running) and the bed.  Used for every way out of
# run mode, so it must be safe to call more than once.
run_cleanup() {
    if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
        kill -TERM "$CHILD" 2>/dev/null
        wait "$CHILD" 2>/dev/null
    fi
    CHILD=
    [ -n "$RUN_DIR" ] && stop_bed "$RUN_DIR"
    RUN_DIR=
}

on_signal() {
    trap - INT TERM HUP
    run_cleanup
    exit $((128 + $1))
}

run_bed() {
    local dir=$1 status
    shift
    [ "${1:-}" = -- ] && shift
    [ $# -gt 0 ] || usage

    # Checked before the traps exist: their clean-up would otherwise
    # stop the very bed we refuse to disturb.
    refuse_if_running "$dir"
    # Traps go in before start: a signal mid-start must still clean up.
    RUN_DIR=$dir
    trap run_cleanup EXIT
    trap 'on_signal 2' INT
    trap 'on_signal 15' TERM
    trap 'on_signal 1' HUP

    start_bed "$dir" || exit 1
    set -a
    # shellcheck disable=SC1091
    . "$dir/bed.env"
    set +a

    # CMD runs in the background and we wait for it: bash defers traps
    # while a foreground child runs, so a SIGTERM to bed.sh would not
    # stop the bed until CMD finished on its own.  "<&0" keeps CMD's
    # stdin, which bash would otherwise point at /dev/null for "&".
    "$@" <&0 &
    CHILD=$!
    wait "$CHILD"
    status=$?
    CHILD=
    run_cleanup
    trap - EXIT
    exit "$status"
}

# --- main --------------------------------------------------------------

[ $# -ge 2 ] || usage
cmd=$1
case $cmd in
    # stop must not create DIR; a missing DIR simply has nothing running.
    stop) dir=$(cd -- "$2" 2>/dev/null && pwd -P) || exit 0 ;;
    *)    dir=$(abs_dir "$2") || exit 1 ;;
esac
shift 2

case $cmd in
    start)
        [ $# -eq 0 ] || usage
        # Ctrl-C or TERM while starting must not leave half a bed.
        trap 'stop_bed "$dir"; exit 130' INT
        trap 'stop_bed "$dir"; exit 143' TERM
        start_bed "$dir" || exit 1
        ;;
    stop)
        [ $# -eq 0 ] || usage
        stop_bed "$dir"
        ;;
    run)
        run_bed "$dir" "$@"
        ;;
    *)
        usage
        ;;
esac
