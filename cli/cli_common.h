/* SPDX-License-Identifier: GPL-2.0 */
/* Small pieces the subcommands share: number options and the report. */
#ifndef DROPSPOT_CLI_COMMON_H
#define DROPSPOT_CLI_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/engine.h"

/* A whole non-negative decimal (or 0x hex) number; -1 on anything else. */
int cli_parse_u64(const char *s, uint64_t *out);

/*
 * The report of a finished engine on stdout: JSON, or text with colour
 * when color is 1, or -1 and stdout is a terminal.  0, or -1 when writing
 * failed.
 */
int cli_report(const struct engine *e, bool json, int color,
	       unsigned ladder_max, bool verbose);

#endif /* DROPSPOT_CLI_COMMON_H */
