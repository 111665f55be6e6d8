/* The BIMI Group's SVG 1.2 Tiny PS RELAX NG schema
 * (scanner/bimi/data/svg_1.2_ps.rng; origin and licence in
 * scanner/data/README.md), compiled into the binary so posture never
 * reads a schema file at run time. NUL-terminated after the end label. */
	.section .rodata
	.global posture_svg_schema
	.global posture_svg_schema_end
	.balign 16
posture_svg_schema:
	.incbin "scanner/bimi/data/svg_1.2_ps.rng"
posture_svg_schema_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
