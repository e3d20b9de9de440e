/*
 * qmp: a minimal QMP client for the rig's L1 root (busybox cannot talk to unix sockets).
 *
 *   qmp SOCKET COMMAND [ARGUMENTS-JSON]   run one command, print its "return" value
 *   qmp SOCKET hmp "info status"          run an HMP command, print its text output
 *   qmp -w SECONDS ...                    give up after SECONDS (default 30)
 *
 * Exit status: 0 on "return", 1 on "error" (the error object is printed on stderr), 2 when
 * the socket cannot be reached or the reply does not come in time. Asynchronous events are
 * skipped. Replies are single-line JSON objects; only the top-level key is looked at, so no
 * JSON parser is needed: tests grep the printed value.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char buf[1 << 20];
static size_t len;

static void on_alarm(int sig)
{
	(void)sig;
	fprintf(stderr, "qmp: timed out\n");
	_exit(2);
}

/* Read one newline-terminated message into buf (NUL-terminated, without the newline). */
static int read_msg(int fd)
{
	static char in[1 << 16];
	static size_t have, pos;

	len = 0;
	for (;;) {
		while (pos < have) {
			char c = in[pos++];

			if (c == '\n') {
				buf[len] = 0;
				return 0;
			}
			if (len < sizeof(buf) - 1)
				buf[len++] = c;
		}
		ssize_t n = read(fd, in, sizeof(in));

		if (n <= 0)
			return -1;
		have = n;
		pos = 0;
	}
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= w;
	}
	return 0;
}

/* Send one command and wait for its reply; events are skipped. 0 = return, 1 = error. */
static int transact(int fd, const char *cmd)
{
	if (write_all(fd, cmd, strlen(cmd)) || write_all(fd, "\n", 1))
		return -1;
	for (;;) {
		if (read_msg(fd))
			return -1;
		if (!strncmp(buf, "{\"return\"", 9))
			return 0;
		if (!strncmp(buf, "{\"error\"", 8))
			return 1;
		/* {"event": ...} or a greeting: keep reading */
	}
}

/* Print s as a JSON string literal into out. */
static void json_string(char *out, size_t size, const char *s)
{
	size_t o = 0;

	out[o++] = '"';
	for (; *s && o + 8 < size; s++) {
		if (*s == '"' || *s == '\\') {
			out[o++] = '\\';
			out[o++] = *s;
		} else if ((unsigned char)*s < 0x20) {
			o += snprintf(out + o, size - o, "\\u%04x", *s);
		} else {
			out[o++] = *s;
		}
	}
	out[o++] = '"';
	out[o] = 0;
}

/* Print an HMP reply {"return": "text"} as plain text. */
static void print_hmp(void)
{
	char *p = strchr(buf, ':');
	char *q;

	if (!p || !(p = strchr(p, '"')))
		return;
	for (q = p + 1; *q && *q != '"'; q++) {
		if (*q == '\\' && q[1]) {
			q++;
			if (*q == 'n')
				putchar('\n');
			else if (*q == 'r')
				continue;
			else if (*q == 'u' && q[1] && q[2] && q[3] && q[4]) {
				putchar('?');
				q += 4;
			} else
				putchar(*q);
		} else {
			putchar(*q);
		}
	}
}

int main(int argc, char **argv)
{
	static char cmd[1 << 16];
	static char arg[1 << 15];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int wait = 30, fd, rc;

	if (argc > 2 && !strcmp(argv[1], "-w")) {
		wait = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: qmp [-w SECONDS] SOCKET COMMAND [ARGS-JSON]\n"
				"       qmp [-w SECONDS] SOCKET hmp 'HMP COMMAND'\n");
		return 2;
	}
	signal(SIGALRM, on_alarm);
	alarm(wait);

	if (strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "qmp: socket path too long\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "qmp: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (read_msg(fd) || transact(fd, "{\"execute\": \"qmp_capabilities\"}")) {
		fprintf(stderr, "qmp: no QMP greeting on %s\n", argv[1]);
		return 2;
	}

	if (!strcmp(argv[2], "hmp")) {
		if (argc != 4) {
			fprintf(stderr, "qmp: hmp needs a command\n");
			return 2;
		}
		json_string(arg, sizeof(arg), argv[3]);
		snprintf(cmd, sizeof(cmd),
			 "{\"execute\": \"human-monitor-command\", "
			 "\"arguments\": {\"command-line\": %s}}", arg);
	} else if (argc == 4) {
		snprintf(cmd, sizeof(cmd), "{\"execute\": \"%s\", \"arguments\": %s}",
			 argv[2], argv[3]);
	} else {
		snprintf(cmd, sizeof(cmd), "{\"execute\": \"%s\"}", argv[2]);
	}

	rc = transact(fd, cmd);
	if (rc < 0) {
		fprintf(stderr, "qmp: connection closed before the reply\n");
		return 2;
	}
	if (rc == 1) {
		fprintf(stderr, "%s\n", buf);
		return 1;
	}
	if (!strcmp(argv[2], "hmp"))
		print_hmp();
	else
		printf("%s\n", buf);
	return 0;
}
