/* main.c: the command line. */
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "journal: not built yet\n");
    return 2;
}
