/* Runs echo through its generated C skeleton: echo-main PORT; listens on 127.0.0.1:PORT,
 * serves one connection, prints JSON (the emits, then the final served/echoed globals). */
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include "echo.skel.h"

#define BUF_SIZE 4096

static int on_emit(void *ctx, const struct echo__emit *e)
{
	(void)ctx;
	printf("{\"emit\":{\"userData\":%llu,\"res\":%d}}\n", (unsigned long long)e->user_data, e->res);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct echo *s;
	int one = 1, lfd, err;
	void *buf;

	if (argc != 2)
		return 2;
	addr.sin_port = htons((unsigned short)atoi(argv[1]));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (lfd < 0 || buf == MAP_FAILED || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) || listen(lfd, 16))
		return printf("{\"error\":\"listen\"}\n"), 1;
	s = echo__open();
	if (!s)
		return printf("{\"error\":\"open\"}\n"), 1;
	if ((err = echo__ring_setup(s, 16, 64))) {
		printf("{\"error\":%d}\n", err);
		echo__destroy(s);
		return 1;
	}
	s->rodata->LISTEN_FD = lfd;
	s->rodata->BUF = (unsigned long)buf;
	s->rodata->BUF_LEN = BUF_SIZE;
	s->rodata->MAX_CONNS = 1;
	if ((err = echo__load(s)) || (err = echo__attach(s)) || (err = echo__run(s))) {
		printf("{\"error\":%d}\n", err);
		echo__destroy(s);
		return 1;
	}
	echo__drain_emits(s, on_emit, NULL);
	printf("{\"served\":%llu,\"echoed\":%llu}\n", (unsigned long long)s->bss->served,
	       (unsigned long long)s->bss->echoed);
	echo__destroy(s);
	close(lfd);
	return 0;
}
