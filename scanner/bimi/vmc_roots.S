/* The bundled Mark Verifying Authority trust store (lists/vmc-roots/,
 * origin and licences in lists/README.md), compiled into the binary so a
 * copied posture needs no data files. The two bundles overlap; a
 * certificate added twice to an X509_STORE is kept once. */
	.section .rodata
	.global posture_vmc_roots
	.global posture_vmc_roots_end
	.balign 16
posture_vmc_roots:
	.incbin "lists/vmc-roots/markcerts-mvarcs-cacert.pem"
	.byte 10
	.incbin "lists/vmc-roots/checkdmarc-MVACAs.pem"
posture_vmc_roots_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
