#!/usr/bin/python3
"""Generates DMARC aggregate reports for a domain, as receivers send them,
for the demo and the tests (posture reports import, posture check
--reports-db). Stdlib only; the same arguments make the same files.

    scripts/gen-reports.py OUTDIR --domain D --from-days-ago N --to-days-ago M
                           [--crm fail|pass] [--now YYYY-MM-DD]

One report per reporter and day, for the days from N days ago to M days
ago (N > M >= 0, counted back from --now, default today, UTC). Three
reporters, each report in the form that reporter uses: plain XML
(google.example), gzip (yahoo.example), a zip inside a mail message
(outlook.example). Per reporter and day:
  - 192.0.2.10, the domain's own mail server: OWN messages, SPF and DKIM
    pass, aligned (pass);
  - 198.51.100.25, a CRM sending as the domain: CRM messages; with
    --crm fail (the default) SPF fails (not in the domain's record) and
    no DKIM signature: DMARC fail; with --crm pass it signs with DKIM
    d=DOMAIN, selector crm: pass;
  - one spoofer address a day (203.0.113.x): SPOOF messages, nothing
    passes.
OWN, CRM and SPOOF are printed, with the totals, so a test can check
posture's counts against numbers it did not compute with posture.
"""
import argparse
import datetime
import gzip
import io
import os
import sys
import zipfile
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

OWN, CRM, SPOOF = 200, 40, 2
REPORTERS = ("google.example", "yahoo.example", "outlook.example")


def record(ip, count, disp, dkim, spf, header_from, auth, envelope_from=None):
    rows = []
    for kind, fields in auth:
        rows.append("      <%s>%s</%s>" % (kind, "".join(
            "<%s>%s</%s>" % (k, v, k) for k, v in fields), kind))
    return """  <record>
    <row>
      <source_ip>%s</source_ip>
      <count>%d</count>
      <policy_evaluated><disposition>%s</disposition><dkim>%s</dkim><spf>%s</spf></policy_evaluated>
    </row>
    <identifiers><envelope_from>%s</envelope_from><header_from>%s</header_from></identifiers>
    <auth_results>
%s
    </auth_results>
  </record>
""" % (ip, count, disp, dkim, spf, envelope_from or header_from, header_from, "\n".join(rows))


def report(org, domain, day, n, crm_pass):
    begin = int(day.timestamp())
    end = begin + 86399
    rid = "%s-%s-%d" % (org.split(".")[0], domain, begin)
    recs = [record("192.0.2.10", OWN, "none", "pass", "pass", domain,
                   [("dkim", [("domain", domain), ("selector", "mail"), ("result", "pass")]),
                    ("spf", [("domain", domain), ("result", "pass")])])]
    if crm_pass:
        recs.append(record("198.51.100.25", CRM, "none", "pass", "fail", domain,
                           [("dkim", [("domain", domain), ("selector", "crm"),
                                      ("result", "pass")]),
                            ("spf", [("domain", "bounce.crm.example"), ("result", "pass")])],
                           "bounce.crm.example"))
    else:
        recs.append(record("198.51.100.25", CRM, "none", "fail", "fail", domain,
                           [("spf", [("domain", domain), ("result", "fail")])]))
    recs.append(record("203.0.113.%d" % (n % 250 + 1), SPOOF, "none", "fail", "fail", domain,
                       [("spf", [("domain", domain), ("result", "fail")])]))
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <version>1.0</version>
  <report_metadata>
    <org_name>%s</org_name>
    <email>dmarc-noreply@%s</email>
    <report_id>%s</report_id>
    <date_range><begin>%d</begin><end>%d</end></date_range>
  </report_metadata>
  <policy_published>
    <domain>%s</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct>
  </policy_published>
%s</feedback>
""" % (org, org, rid, begin, end, domain, "".join(recs))
    return "%s!%s!%d!%d" % (org, domain, begin, end), xml.encode()


def write(outdir, org, name, xml):
    if org == "google.example":
        path = os.path.join(outdir, name + ".xml")
        data = xml
    elif org == "yahoo.example":
        path = os.path.join(outdir, name + ".xml.gz")
        data = gzip.compress(xml, mtime=0)
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            info = zipfile.ZipInfo(name + ".xml", date_time=(2020, 1, 1, 0, 0, 0))
            z.writestr(info, xml, zipfile.ZIP_DEFLATED)
        # A fixed boundary: the same arguments make the same bytes.
        msg = MIMEMultipart(boundary="==posture-" + name.replace("!", "-"))
        msg["From"] = "dmarc-noreply@" + org
        msg["To"] = "dmarc@reports.example"
        msg["Subject"] = "Report Domain: %s Submitter: %s" % (name.split("!")[1], org)
        msg["Message-ID"] = "<%s@%s>" % (name.replace("!", "."), org)
        msg.attach(MIMEText("This is a DMARC aggregate report.\n"))
        part = MIMEApplication(buf.getvalue(), "zip")
        part.add_header("Content-Disposition", "attachment", filename=name + ".zip")
        msg.attach(part)
        path = os.path.join(outdir, name + ".eml")
        data = msg.as_bytes()
    with open(path, "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--domain", required=True)
    ap.add_argument("--from-days-ago", type=int, required=True)
    ap.add_argument("--to-days-ago", type=int, required=True)
    ap.add_argument("--crm", choices=("fail", "pass"), default="fail")
    ap.add_argument("--now", help="YYYY-MM-DD (default: today, UTC)")
    a = ap.parse_args()
    if not a.from_days_ago > a.to_days_ago >= 0:
        ap.error("--from-days-ago must be above --to-days-ago, which is 0 or more")
    today = (datetime.datetime.strptime(a.now, "%Y-%m-%d") if a.now else
             datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None))
    today = datetime.datetime(today.year, today.month, today.day,
                              tzinfo=datetime.timezone.utc)
    os.makedirs(a.outdir, exist_ok=True)
    days = 0
    for ago in range(a.from_days_ago, a.to_days_ago - 1, -1):
        day = today - datetime.timedelta(days=ago)
        for org in REPORTERS:
            name, xml = report(org, a.domain, day, ago, a.crm == "pass")
            write(a.outdir, org, name, xml)
        days += 1
    n = days * len(REPORTERS)
    total = n * (OWN + CRM + SPOOF)
    passed = n * (OWN + (CRM if a.crm == "pass" else 0))
    print("reports=%d own=%d crm=%d spoof=%d messages=%d pass=%d" %
          (n, OWN, CRM, SPOOF, total, passed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
