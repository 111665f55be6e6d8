#!/bin/sh
# nightly.sh -- one night of a posture audit, for cron or a systemd timer.
#
#   LIST=FILE [DB=FILE] [LABEL=L] [OUT=DIR] [POSTURE=CMD] nightly.sh [SCAN-OPTION...]
#
# What it does, in order:
#   1. posture scan "$LIST" --db "$DB" --label "$LABEL" --quiet SCAN-OPTION...
#      (without --quiet when SCAN-OPTION asks for --progress lines)
#      A run with more inconclusive results than --max-inconclusive allows
#      (default 5 %: a dead or overrun resolver) ends `degraded`, exit 4:
#      the script says so on stderr and stops, publishing no report, so a
#      night that could not see the domains never looks like a good one.
#   2. On a finished run (scan exit 0, or 1: a few inconclusive results,
#      which the next night retries and latest_results covers), the
#      night's reports into OUT, named by the UTC date and the run id:
#        OUT/posture-YYYY-MM-DD-runN-stats.csv   statistics (CSV)
#        OUT/posture-YYYY-MM-DD-runN.html        the HTML report
#   3. posture diff --latest --label "$LABEL": the two newest finished runs
#      of the label. Nothing regressed: silent. Regressions: printed on
#      stdout. The first night of a label (diff says "not enough runs") is
#      a normal night, not an error.
# It prints nothing when the night went well and nothing regressed, so
# cron mails only regressions and failures; under systemd a non-zero exit
# fails the unit (OnFailure=, systemctl --failed).
#
# Arguments: every argument is passed to `posture scan` as it is: the
# resolver and its pacing (--resolver ADDR[:PORT], --qps N, --timeout MS,
# --retries N, --workers N, --inflight N), --max-inconclusive PCT,
# --checks, --no-fetch, ... (doc/commands.md). POSTURE_RESOLVER and the
# other POSTURE_* variables of posture reach it through the environment.
#
# Environment:
#   LIST     the list to scan (required; a file posture scan reads)
#   DB       the database (default posture.db)
#   LABEL    the runs' label, which diff --latest compares (default nightly)
#   OUT      the directory the reports go to (default .; created)
#   POSTURE  the posture command (default posture, from PATH)
#
# Exit status:
#   0    the night finished and nothing regressed (or it was the first night)
#   1    at least one domain regressed since the previous finished run
#        (the regressions are on stdout)
#   2    usage: LIST unset, OUT not writable, or posture scan refused the
#        run (a list that gives no domain, a database another scan is
#        writing, a bad option)
#   3    failure: scan, report or diff failed (message on stderr)
#   4    degraded: too many inconclusive results, no report published
#   130  interrupted (the run is `interrupted`: posture scan --resume ID)

LABEL=${LABEL:-nightly}
DB=${DB:-posture.db}
OUT=${OUT:-.}
POSTURE=${POSTURE:-posture}

say() {
	echo "posture nightly: $*" >&2
}

if [ -z "${LIST:-}" ]; then
	say "LIST is not set (the list to scan)"
	exit 2
fi
if ! mkdir -p -- "$OUT" || [ ! -w "$OUT" ]; then
	say "cannot write reports into $OUT"
	exit 2
fi

# --quiet (no summary: cron mails nothing from a good night) unless the
# caller asked for progress lines (for the journal), which it excludes.
quiet=--quiet
for arg; do
	case $arg in
	--progress | --progress-every | --progress-every=*) quiet= ;;
	esac
done
# shellcheck disable=SC2086 # $quiet: one word or none
"$POSTURE" scan "$LIST" --db "$DB" --label "$LABEL" $quiet "$@"
rc=$?
case $rc in
0 | 1) ;;
4)
	say "run degraded (resolver?) — no report published"
	exit 4
	;;
130)
	say "scan interrupted — no report published"
	exit 130
	;;
2)
	say "scan refused (exit 2) — no report published"
	exit 2
	;;
*)
	say "scan failed (exit $rc) — no report published"
	exit 3
	;;
esac

# The run just made: the newest run of the database (posture runs lists
# newest first; the scan held the database's lock, so no other run came
# in between). Its id names the reports and pins them to this run.
run=$("$POSTURE" runs --db "$DB" --json |
	sed -n '1s/^[[:space:]]*\[[[:space:]]*{[[:space:]]*"id":[[:space:]]*\([0-9][0-9]*\).*/\1/p')
if [ -z "$run" ]; then
	say "cannot find tonight's run in $DB"
	exit 3
fi
base="$OUT/posture-$(date -u +%Y-%m-%d)-run$run"
"$POSTURE" report --db "$DB" --run "$run" --format csv --stats -o "$base-stats.csv" ||
	{ say "report (CSV) failed"; exit 3; }
"$POSTURE" report --db "$DB" --run "$run" --format html -o "$base.html" ||
	{ say "report (HTML) failed"; exit 3; }

# diff --latest writes its "not enough runs" refusal on stderr: keep it
# to tell the first night from a real usage error.
err=$(mktemp "${TMPDIR:-/tmp}/posture-nightly.XXXXXX") || exit 3
"$POSTURE" diff --latest --label "$LABEL" --db "$DB" 2>"$err"
rc=$?
case $rc in
0 | 1) cat "$err" >&2 ;;
2)
	if grep -q '^posture: diff --latest: not enough runs:' "$err"; then
		rc=0 # the label's first finished night: nothing to compare with
	else
		cat "$err" >&2
		say "diff failed (exit 2)"
		rc=3
	fi
	;;
*)
	cat "$err" >&2
	say "diff failed (exit $rc)"
	rc=3
	;;
esac
rm -f -- "$err"
exit $rc
