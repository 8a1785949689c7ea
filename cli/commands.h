/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Subcommands.  Each parses its own options (getopt_long, argv[0] is the
 * command name) and returns the process exit status:
 *   0 success, 1 a finding/regression where the command defines one,
 *   2 usage error or unreadable / malformed input.
 */
#ifndef DROPSPOT_COMMANDS_H
#define DROPSPOT_COMMANDS_H

#define EXIT_FINDING 1
#define EXIT_TROUBLE 2

int cmd_dissect(int argc, char **argv);
int cmd_capture(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_diff(int argc, char **argv);

#endif /* DROPSPOT_COMMANDS_H */
