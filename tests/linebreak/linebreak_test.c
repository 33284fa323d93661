/* linebreak_test.c: total-fit line breaking. */
#include <stdio.h>

#include "linebreak.h"

int main(void)
{
    return 0;
}
