/*
 * check_out.h — what cmd_check.c and check_transport.c share to print
 * posture check's screen: the colour choice, the [PASS]/[FAIL] marks and
 * one line of a check; and the advisory transport block (MTA-STS,
 * TLS-RPT, DNSSEC, DANE) with its JSON objects, in check_transport.c.
 */
#ifndef POSTURE_CHECK_OUT_H
#define POSTURE_CHECK_OUT_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>

#include "checks.h"

struct style {
	bool color;
};

#define RED   "\033[31m"
#define GREEN "\033[32m"
#define AMBER "\033[33m"
#define DIM   "\033[2m"
#define BOLD  "\033[1m"
#define OFF   "\033[0m"

/* Colours only on a terminal, and never when NO_COLOR is set and not
 * empty (no-color.org). */
bool check_use_color(void);
/* code when colours are on, else "". */
const char *check_paint(const struct style *st, const char *code);
/* "[PASS]", "[FAIL]", "[WARN]" or "[ ?? ]", coloured. */
void check_mark(const struct style *st, enum ready_status s);
/* "  WHAT   [MARK] text": what padded to width, the text made
 * terminal-safe. */
void check_vline(const struct style *st, int width, const char *what, enum ready_status s,
                 const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* The "Mail transport (advisory ...)" block of r, with its fixes. */
void check_print_transport(const struct style *st, const struct domain_result *r);
/* Adds "mta_sts", "tls_rpt", "dnssec" and "dane" to o ({"status":
 * "not_run"} for a check that did not run). Returns 0 or -1. */
int check_add_transport(json_t *o, const struct domain_result *r);

#endif
