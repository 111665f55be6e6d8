/* The bundled DKIM selectors (lists/dkim-selectors.txt), compiled into
 * the binary so posture reads no list at run time (dkim_selectors.c). */
	.section .rodata
	.global posture_dkim_selectors_data
	.global posture_dkim_selectors_data_end
	.balign 16
posture_dkim_selectors_data:
	.incbin "lists/dkim-selectors.txt"
posture_dkim_selectors_data_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
