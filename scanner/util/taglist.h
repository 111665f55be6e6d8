/*
 * taglist.h — tag=value lists (RFC 6376 3.2), the syntax of DKIM key
 * records, DMARC records (RFC 7489 6.4, RFC 9989 4.7) and BIMI assertion
 * records (the BIMI draft adopts RFC 6376's):
 *
 *   tag-list  = tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec  = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 *   tag-name  = ALPHA *ALNUMPUNC          ; ALNUMPUNC = ALPHA / DIGIT / "_"
 *   tag-value = [ tval *( 1*(WSP / FWS) tval ) ]
 *   tval      = 1*VALCHAR                 ; VALCHAR = %x21-3A / %x3C-7E
 *
 * The tokenizer is pure and lenient: it cuts the text at every ';' and
 * tells each piece (a "spec") as it is, classifying the ones outside the
 * grammar instead of refusing them, so each record type keeps its own
 * findings. Every piece is yielded, empty ones too: "a=1;" gives "a=1"
 * and then an empty last spec (the optional trailing ';'); ";;" gives an
 * empty spec in the middle, which the grammar does not allow (DMARC and
 * BIMI tolerate both; a caller that must not checks .last).
 *
 * Ownership: nothing is copied or allocated; every pointer in a spec
 * points into the caller's text and lives as long as it does.
 * Units: lengths are in bytes. The text is (pointer, length) and may hold
 * NUL or any other byte; nothing reads outside it (no strlen).
 */
#ifndef POSTURE_TAGLIST_H
#define POSTURE_TAGLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which bytes count as white space around names, '=' and values. */
enum taglist_space {
	/* SP and HTAB only: RFC 7489 6.4's "*WSP" around '=' and ';'. */
	TAGLIST_SPACE_WSP = 0,
	/* SP, HTAB, CR and LF: RFC 6376's FWS, with any CR or LF accepted
	 * as part of a fold (TXT strings rarely hold them, but a folded
	 * record is still one record). */
	TAGLIST_SPACE_FWS,
};

enum taglist_class {
	TAGLIST_OK = 0,     /* name=value, the name an RFC 6376 tag-name */
	TAGLIST_EMPTY,      /* nothing but white space */
	TAGLIST_NO_EQUALS,  /* no '=' at all */
	TAGLIST_EMPTY_NAME, /* nothing but white space before the first '=' */
	TAGLIST_BAD_NAME,   /* a name that is not ALPHA *ALNUMPUNC (ASCII) */
};

struct taglist_spec {
	const char *raw; /* the bytes between the separators, untrimmed */
	size_t raw_len;
	const char *spec; /* raw without white space at either end */
	size_t spec_len;
	/* Before the first '=', trimmed; for OK and BAD_NAME (a BAD_NAME
	 * name may hold white space, ';' never). Empty otherwise. */
	const char *name;
	size_t name_len;
	/* After the first '=' (later ones belong to it), trimmed; set for
	 * OK, BAD_NAME and EMPTY_NAME, empty otherwise. */
	const char *value;
	size_t value_len;
	/* The value holds only VALCHARs and white space bytes (of the
	 * chosen set): no control, DEL, or non-ASCII byte. */
	bool value_valchars;
	bool last; /* no ';' follows: this spec ends the text */
	enum taglist_class cls;
};

struct taglist_iter {
	const char *text;
	size_t len;
	size_t pos; /* where the next spec starts */
	enum taglist_space space;
	bool done;
};

/* Starts reading text (len bytes; text may be NULL when len is 0). */
void taglist_begin(struct taglist_iter *it, const char *text, size_t len, enum taglist_space space);

/* Fills *out with the next spec and returns true, or returns false when
 * the text is used up. A text of n ';' gives n + 1 specs. */
bool taglist_next(struct taglist_iter *it, struct taglist_spec *out);

/* One known tag of a record type; tables are arrays of these. */
struct taglist_tag {
	const char *name; /* canonical spelling, e.g. "rua" */
	int id;           /* the caller's, 0 to 63 for taglist_mark_seen */
};

enum taglist_case {
	TAGLIST_CASE_SENSITIVE = 0, /* RFC 6376 3.2: DKIM, BIMI */
	TAGLIST_CASE_INSENSITIVE,   /* ASCII only: DMARC (RFC 7489 6.4) */
};

/* The entry of tags[0..ntags) whose name is name (len bytes, may hold
 * any byte), or NULL. */
const struct taglist_tag *taglist_find(const struct taglist_tag *tags, size_t ntags,
                                       const char *name, size_t len, enum taglist_case c);

/* Duplicate detection with a bitmap per record (start at 0): marks id
 * (0 to 63) as seen and returns true when it already was. */
bool taglist_mark_seen(uint64_t *seen, int id);

/* True when id (0 to 63) is marked in seen. */
bool taglist_was_seen(uint64_t seen, int id);

#endif
