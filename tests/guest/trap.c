/* An out-of-bounds access must end the guest with a trap (exit 134), never
 * touch host memory. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)0xfffffff0u;
    printf("trap: reading guest address 0xfffffff0\n");
    fflush(stdout);
    return (int)*p;
}
