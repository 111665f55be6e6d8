/*
 * xmlsafe.c — the libxml2 settings every reader of untrusted XML in
 * posture shares (xmlsafe.h).
 */
#include "xmlsafe.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

/* posture never wants an external DTD or entity: every one is refused,
 * for every libxml2 user in the process. */
static xmlParserInputPtr refuse_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static void setup(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(refuse_loader);
}

void xmlsafe_init(void)
{
	pthread_once(&once, setup);
}

static void drop_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void drop_structured(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

/* void (*)(void) converts to and from any function pointer type (C11
 * 6.3.2.3p8): the saved handlers are called only as their own type. */
void xmlsafe_quiet_begin(struct xmlsafe_quiet *q)
{
	q->generic = (void (*)(void))xmlGenericError;
	q->generic_ctx = xmlGenericErrorContext;
	q->structured = (void (*)(void))xmlStructuredError;
	q->structured_ctx = xmlStructuredErrorContext;
	xmlSetGenericErrorFunc(NULL, drop_generic);
	xmlSetStructuredErrorFunc(NULL, drop_structured);
}

void xmlsafe_quiet_end(const struct xmlsafe_quiet *q)
{
	xmlSetGenericErrorFunc(q->generic_ctx, (xmlGenericErrorFunc)q->generic);
	xmlSetStructuredErrorFunc(q->structured_ctx, (xmlStructuredErrorFunc)q->structured);
}
