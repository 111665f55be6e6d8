/* libFuzzer harness: the tag-list tokenizer on arbitrary bytes, in both
 * white space modes (make fuzz). */
#include <stddef.h>
#include <stdint.h>

#include "taglist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct taglist_tag tags[] = { { "v", 0 }, { "p", 1 }, { "rua", 2 } };
	const char *text = (const char *)data;
	for (int space = TAGLIST_SPACE_WSP; space <= TAGLIST_SPACE_FWS; space++) {
		struct taglist_iter it;
		struct taglist_spec s;
		uint64_t seen = 0;
		size_t end = 0;
		taglist_begin(&it, text, size, (enum taglist_space)space);
		while (taglist_next(&it, &s)) {
			/* The contract: specs tile the text between the ';',
			 * and name and value lie inside the trimmed spec. */
			if (s.raw != text + end || s.spec < s.raw ||
			    s.spec + s.spec_len > s.raw + s.raw_len ||
			    s.value + s.value_len > s.spec + s.spec_len ||
			    (s.cls == TAGLIST_OK && (s.name != s.spec || s.name_len == 0)))
				__builtin_trap();
			end += s.raw_len + 1;
			const struct taglist_tag *t =
			        taglist_find(tags, 3, s.name, s.name_len, (enum taglist_case)space);
			if (t != NULL)
				(void)taglist_mark_seen(&seen, t->id);
		}
		if (end != size + 1)
			__builtin_trap();
	}
	return 0;
}
