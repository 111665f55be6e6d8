/* The zstd dictionary of result bodies (db/results.dict; how it was
 * trained is in db/README.md), compiled into the binary. A database keeps
 * its own copy of every dictionary it was written with (table zdicts), so
 * this one is needed only to write. */
	.section .rodata
	.global posture_results_dict
	.global posture_results_dict_end
	.balign 16
posture_results_dict:
	.incbin "db/results.dict"
posture_results_dict_end:
	.section .note.GNU-stack,"",@progbits
