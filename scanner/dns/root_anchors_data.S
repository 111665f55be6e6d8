/* The bundled root trust anchor (lists/root-anchors.txt), compiled into
 * the binary so posture reads no anchor file at run time (dnssec.c). */
	.section .rodata
	.global posture_root_anchors_data
	.global posture_root_anchors_data_end
	.balign 16
posture_root_anchors_data:
	.incbin "lists/root-anchors.txt"
posture_root_anchors_data_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
