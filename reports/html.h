/*
 * html.h — HTML escaping, the report page's own script (html.c) and its
 * charts (htmlchart.c).
 */
#ifndef POSTURE_HTML_H
#define POSTURE_HTML_H

#include <stdio.h>

/* Writes s as HTML text or attribute value: & < > " ' escaped, control
 * bytes shown as U+FFFD. NULL writes nothing. */
void html_text(FILE *out, const char *s);
/* The page's inline script, and base64(SHA-256) of it as the
 * Content-Security-Policy allows it. */
const char *report_html_script(void);
const char *report_html_script_sha256(void);

/* A page around a body: doctype, the Content-Security-Policy, the
 * style, <title> (escaped), then <main>; html_page_end closes it with the
 * script. Every HTML page posture writes starts and ends with these. */
void html_page_start(FILE *out, const char *title);
void html_page_end(FILE *out);

struct report_doc;
/* The charts (htmlchart.c): the run's bar charts, the trend lines (a gap
 * where a check did not run), DMARC enforced per --by group. */
void html_charts(FILE *out, const struct report_doc *d);
void html_trend(FILE *out, const struct report_doc *d);
void html_group_chart(FILE *out, const struct report_doc *d);

#endif
