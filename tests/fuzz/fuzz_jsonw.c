/* libFuzzer harness: the JSON writer on arbitrary bytes (make fuzz). The
 * contract: whatever the bytes, the output is JSON that jansson reads back,
 * and a string of valid UTF-8 without NUL comes back unchanged; utf8_clean
 * always gives valid UTF-8 within its buffer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonw.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsonw w;
	jsonw_init(&w);
	jsonw_arr(&w);
	jsonw_strn(&w, (const char *)data, size);
	jsonw_end_arr(&w);
	char *text = jsonw_finish(&w);
	if (text == NULL)
		return 0;
	json_t *v = json_loads(text, JSON_ALLOW_NUL, NULL);
	if (v == NULL)
		__builtin_trap();
	char *s = malloc(size + 1);
	if (s != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
		char clean[64];
		utf8_clean(s, clean, sizeof(clean));
		json_t *c = json_string(clean); /* NULL when not UTF-8 */
		if (c == NULL)
			__builtin_trap();
		json_decref(c);
		json_t *orig = strlen(s) == size ? json_string(s) : NULL;
		if (orig != NULL) {
			/* Valid UTF-8: the same text back. */
			if (!json_equal(orig, json_array_get(v, 0)))
				__builtin_trap();
			json_decref(orig);
		}
		free(s);
	}
	json_decref(v);
	free(text);
	return 0;
}
