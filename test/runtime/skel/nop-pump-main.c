/* Runs nop-pump through its generated C skeleton (ioubpf gen skeleton) and prints JSON. */
#include <stdio.h>
#include "nop_pump.skel.h"

static int on_emit(void *ctx, const struct nop_pump__emit *e)
{
	(void)ctx;
	printf("{\"emit\":{\"userData\":%llu,\"res\":%d}}\n", (unsigned long long)e->user_data, e->res);
	return 0;
}

int main(void)
{
	struct nop_pump *s = nop_pump__open();
	int err;

	if (!s)
		return printf("{\"error\":\"open\"}\n"), 1;
	if ((err = nop_pump__ring_setup(s, 16, 64)) || (err = nop_pump__load(s)) || (err = nop_pump__attach(s)) ||
	    (err = nop_pump__run(s))) {
		printf("{\"error\":%d}\n", err);
		nop_pump__destroy(s);
		return 1;
	}
	nop_pump__drain_emits(s, on_emit, NULL);
	printf("{\"completed\":%llu,\"steps\":%u}\n", (unsigned long long)s->bss->completed, s->bss->nop_pump__iou_steps);
	nop_pump__destroy(s);
	return 0;
}
