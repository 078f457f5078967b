/* SPDX-License-Identifier: MIT */
/* cli/options.h: the command line of `ringfence run`, parsed. */
#ifndef RF_OPTIONS_H
#define RF_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

#define RF_MAX_LIST 256

/* exit statuses of the launcher itself (as docker run and env(1)) */
#define RF_EXIT_LAUNCHER 125 /* ringfence failed: usage, policy, no backend */
#define RF_EXIT_CANNOT_EXEC 126
#define RF_EXIT_NOT_FOUND 127

struct rf_opts {
	const char *policy[RF_MAX_LIST];
	int npolicy;
	const char *profile[RF_MAX_LIST];
	int nprofile;
	const char *pledge;     /* NULL: not given */
	const char *exec_pledge; /* NULL: executed programs keep the policy */
	const char *unveil[RF_MAX_LIST];
	int nunveil;
	const char *env[RF_MAX_LIST];
	int nenv;
	int clearenv;
	const char *log;        /* NULL, "-" or a file */
	int log_backtrace;
	uint32_t default_action;
	int default_set;
	const char *backend;    /* NULL: auto */
	int ring0;              /* --ring0: Dune mode, the program at guest CPL0 */
	int exitless;           /* --exitless: 0 unset, 1 on, 2 off, 3 auto */
	long max_tasks;         /* -1: not given */
	char **argv;            /* the program and its arguments */
};

enum rf_cmd { RF_CMD_RUN, RF_CMD_HELP, RF_CMD_VERSION };

/* Parse argv. Return the command, or -1 after printing a one-line error
 * to stderr. */
int rf_parse(int argc, char **argv, struct rf_opts *o, enum rf_cmd *cmd);
void rf_usage(FILE *f);

#endif
