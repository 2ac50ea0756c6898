/* cli.h - the command line front end. Returns the process exit status:
 * 0 success, 1 a run failed (e.g. a lossless round trip differed),
 * 2 bad usage or bad input. */
#ifndef MX_CLI_H
#define MX_CLI_H
int mx_cli_main(int argc, char **argv);
#endif
