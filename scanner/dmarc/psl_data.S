/* The bundled Public Suffix List (lists/public_suffix_list.dat, MPL-2.0),
 * compiled into the binary so a copied posture needs no data files. */
	.section .rodata
	.global posture_psl_data
	.global posture_psl_data_end
	.balign 16
posture_psl_data:
	.incbin "lists/public_suffix_list.dat"
posture_psl_data_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
