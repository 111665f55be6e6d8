/*
 * dkim_providers.c — which provider a DKIM selector's CNAME points to.
 *
 * Providers that hold a customer's DKIM key have the customer publish
 * "<selector>._domainkey.<domain> CNAME <a name of theirs>", so the
 * provider rotates the key without the customer's DNS. The target's
 * suffix names the provider. Only suffixes the providers' own setup
 * pages show (lists/dkim-selectors.txt names those pages) or that are the
 * provider's own mail domains; a target under none of them is named by
 * its registrable domain instead (dkim_probe.c).
 */
#include "dkim_probe.h"

#include <string.h>
#include <strings.h>

static const struct dkim_provider table[] = {
	/* selector1/selector2 CNAME to <selector>-<domain>._domainkey.<tenant>.onmicrosoft.com;
	 * tenants set up since 2024 get <tenant>.<x>-v1.dkim.mail.microsoft
	 * (.microsoft is Microsoft's own top-level domain). */
	{ ".onmicrosoft.com", "Microsoft 365" },
	{ ".dkim.mail.microsoft", "Microsoft 365" },
	/* Easy DKIM: <token>._domainkey CNAME <token>.dkim.amazonses.com. */
	{ ".dkim.amazonses.com", "Amazon SES" },
	/* s1/s2 CNAME to s1.domainkey.u<id>.wl<n>.sendgrid.net. */
	{ ".sendgrid.net", "SendGrid" },
	/* k2/k3 CNAME to dkim2.mcsv.net, dkim3.mcsv.net. */
	{ ".mcsv.net", "Mailchimp" },
	/* mte1/mte2 CNAME to dkim1.mandrillapp.com, dkim2.mandrillapp.com. */
	{ ".mandrillapp.com", "Mailchimp Transactional (Mandrill)" },
	{ ".hubspotemail.net", "HubSpot" },
	/* zendesk1/zendesk2 CNAME to zendesk1._domainkey.zendesk.com. */
	{ ".zendesk.com", "Zendesk" },
	{ ".mailgun.org", "Mailgun" },
	{ ".pm.mtasv.net", "Postmark" },
	/* fm1-fm3 CNAME to fm1.<domain>.dkim.fmhosted.com. */
	{ ".fmhosted.com", "Fastmail" },
	{ ".fastmail.com", "Fastmail" },
	{ ".messagingengine.com", "Fastmail" },
	/* protonmail* CNAME to protonmail.domainkey.<id>.domains.proton.ch. */
	{ ".proton.ch", "Proton" },
	{ ".protonmail.ch", "Proton" },
	{ ".zoho.com", "Zoho" },
	{ ".zohomail.com", "Zoho" },
	{ ".exacttarget.com", "Salesforce Marketing Cloud" },
	/* sig1 CNAME to sig1.dkim.<domain>.at.icloudmailadmin.com. */
	{ ".icloudmailadmin.com", "iCloud Mail" },
};

const struct dkim_provider *dkim_providers(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

const char *dkim_provider_of(const char *target)
{
	size_t len = strlen(target);
	/* A final dot is the same name (dnsutil.h, "Names"). */
	if (len > 0 && target[len - 1] == '.')
		len--;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const char *suf = table[i].suffix;
		size_t sl = strlen(suf);
		/* Whole labels: the suffix starts with its dot, so
		 * "evilonmicrosoft.com" does not match ".onmicrosoft.com";
		 * the suffix without its dot is the provider's own name. */
		if (len >= sl && strncasecmp(target + len - sl, suf, sl) == 0)
			return table[i].name;
		if (len == sl - 1 && strncasecmp(target, suf + 1, len) == 0)
			return table[i].name;
	}
	return NULL;
}
