#include "cli.h"

int main(int argc, char **argv)
{
    return mx_cli_main(argc, argv);
}
