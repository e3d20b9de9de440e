/*
 * Positive control for the ASan/UBSan run (scripts/asan-run.sh): one UBSan and one ASan
 * report from a program built with the same cross toolchain and flags as the sanitized
 * QEMU, run in L1 with the same runtime options. It proves that the runtimes load, that
 * reports reach the artifacts, and that the classifier attributes them by source file.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    volatile int one = 1;
    int shift = argc + 31;          /* 32 without arguments */
    char *p;

    printf("%d\n", one << shift);   /* UBSan: shift exponent too large */
    p = malloc(8);
    p[7 + argc] = 1;                /* ASan: heap-buffer-overflow */
    printf("%d\n", p[0]);
    free(p);
    return 0;
}
