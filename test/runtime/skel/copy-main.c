/* Runs copy through its generated C skeleton: copy-main IN OUT; prints JSON. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "copy.skel.h"

static int on_emit(void *ctx, const struct copy__emit *e)
{
	(void)ctx;
	printf("{\"emit\":{\"userData\":%llu,\"res\":%d}}\n", (unsigned long long)e->user_data, e->res);
	return 0;
}

int main(int argc, char **argv)
{
	struct copy *s;
	struct stat st;
	int in, out, err;
	void *buf;

	if (argc != 3)
		return 2;
	in = open(argv[1], O_RDONLY);
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	buf = mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (in < 0 || out < 0 || buf == MAP_FAILED || fstat(in, &st))
		return printf("{\"error\":\"files\"}\n"), 1;
	s = copy__open();
	if (!s)
		return printf("{\"error\":\"open\"}\n"), 1;
	if ((err = copy__ring_setup(s, 16, 64)))
		return printf("{\"error\":%d}\n", err), 1;
	/* As `ioubpf exec --fd` does, register in and out as fixed-file slots equal to their fds, so
	 * the same numbers also work for a variant of the program that uses fixedFile. */
	{
		int table[64];
		int n = (in > out ? in : out) + 1;

		for (int i = 0; i < n; i++)
			table[i] = i == in || i == out ? i : -1;
		if (syscall(__NR_io_uring_register, s->ring_fd, IORING_REGISTER_FILES, table, n) < 0)
			return printf("{\"error\":\"register\"}\n"), 1;
	}
	s->rodata->IN_FD = in;
	s->rodata->OUT_FD = out;
	s->rodata->BUF = (unsigned long)buf;
	s->rodata->SIZE = st.st_size;
	if ((err = copy__load(s)) || (err = copy__attach(s)) || (err = copy__run(s))) {
		printf("{\"error\":%d}\n", err);
		copy__destroy(s);
		return 1;
	}
	copy__drain_emits(s, on_emit, NULL);
	printf("{\"offset\":%llu}\n", (unsigned long long)s->bss->offset);
	copy__destroy(s);
	return 0;
}
