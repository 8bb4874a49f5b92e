/* Runs open-read-close through its generated C skeleton: orc-main PATH; prints JSON (the
 * emits, then the bytes read and an FNV-1a hash of them, to compare with the file). */
#include <stdio.h>
#include <sys/mman.h>
#include "orc.skel.h"

#define BUF_SIZE 4096

static int on_emit(void *ctx, const struct orc__emit *e)
{
	(void)ctx;
	printf("{\"emit\":{\"userData\":%llu,\"res\":%d}}\n", (unsigned long long)e->user_data, e->res);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int fnv = 2166136261u;
	unsigned char *buf;
	struct orc *s;
	int err, n;

	if (argc != 2)
		return 2;
	buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return printf("{\"error\":\"mmap\"}\n"), 1;
	s = orc__open();
	if (!s)
		return printf("{\"error\":\"open\"}\n"), 1;
	if ((err = orc__ring_setup(s, 16, 64))) {
		printf("{\"error\":%d}\n", err);
		orc__destroy(s);
		return 1;
	}
	/* The program opens the path itself: PATH is the address of the NUL-terminated string. */
	s->rodata->PATH = (unsigned long)argv[1];
	s->rodata->BUF = (unsigned long)buf;
	s->rodata->BUF_LEN = BUF_SIZE;
	if ((err = orc__load(s)) || (err = orc__attach(s)) || (err = orc__run(s))) {
		printf("{\"error\":%d}\n", err);
		orc__destroy(s);
		return 1;
	}
	orc__drain_emits(s, on_emit, NULL);
	n = s->bss->result;
	for (int i = 0; i < n && i < BUF_SIZE; i++)
		fnv = (fnv ^ buf[i]) * 16777619u;
	printf("{\"result\":%d,\"fnv\":%u}\n", n, fnv);
	orc__destroy(s);
	return 0;
}
