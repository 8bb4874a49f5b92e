/* Runs ticker through its generated C skeleton: ticker-main TICKS PERIOD_NS; prints JSON
 * (one line per emit, then the tick count and the time the run took). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <linux/time_types.h>
#include "ticker.skel.h"

static int on_emit(void *ctx, const struct ticker__emit *e)
{
	(void)ctx;
	printf("{\"emit\":{\"userData\":%llu,\"res\":%d}}\n", (unsigned long long)e->user_data, e->res);
	return 0;
}

static unsigned long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long long)t.tv_sec * 1000000000ULL + (unsigned long long)t.tv_nsec;
}

int main(int argc, char **argv)
{
	/* The timeout SQEs point at this period: it must outlive the run. */
	static struct __kernel_timespec period;
	unsigned long long ns, start, end;
	struct ticker *s;
	int err;

	if (argc != 3)
		return 2;
	ns = strtoull(argv[2], NULL, 0);
	period.tv_sec = (long long)(ns / 1000000000ULL);
	period.tv_nsec = (long long)(ns % 1000000000ULL);
	s = ticker__open();
	if (!s)
		return printf("{\"error\":\"open\"}\n"), 1;
	if ((err = ticker__ring_setup(s, 16, 64))) {
		printf("{\"error\":%d}\n", err);
		ticker__destroy(s);
		return 1;
	}
	s->rodata->PERIOD_TS = (unsigned long)&period;
	s->rodata->TICKS = strtoull(argv[1], NULL, 0);
	if ((err = ticker__load(s)) || (err = ticker__attach(s))) {
		printf("{\"error\":%d}\n", err);
		ticker__destroy(s);
		return 1;
	}
	start = now_ns();
	err = ticker__run(s);
	end = now_ns();
	if (err) {
		printf("{\"error\":%d}\n", err);
		ticker__destroy(s);
		return 1;
	}
	ticker__drain_emits(s, on_emit, NULL);
	printf("{\"ticks\":%llu,\"elapsedNs\":%llu}\n", (unsigned long long)s->bss->ticks, end - start);
	ticker__destroy(s);
	return 0;
}
