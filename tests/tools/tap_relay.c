// SPDX-License-Identifier: GPL-2.0
/*
 * tap_relay: what a VMM does with a guest NIC, for the netns lab.
 *
 *   tap_relay HOST_TAP GUEST_NETNS GUEST_IF
 *
 * Creates tap HOST_TAP (IFF_TAP|IFF_NO_PI) in the caller's netns, a second
 * tap GUEST_IF inside GUEST_NETNS (a name under /var/run/netns or a path),
 * and copies frames both ways.  Both taps exist only while this process
 * holds them: killing it removes them, so the lab cleans up by killing it.
 * Prints "ready" on stdout once both taps exist.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/if_tun.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static int tap_open(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "tap_relay: /dev/net/tun: %s\n", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "tap_relay: TUNSETIFF %s: %s\n", name, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int enter_netns(const char *ns)
{
	char path[4096];
	int fd;

	if (strchr(ns, '/'))
		snprintf(path, sizeof(path), "%s", ns);
	else
		snprintf(path, sizeof(path), "/var/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "tap_relay: netns %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Copies one frame from -> to; a failed write drops it, like a full NIC. */
static int relay_one(int from, int to, unsigned char *buf, size_t len)
{
	ssize_t n = read(from, buf, len);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	if (write(to, buf, (size_t)n) < 0 && errno != EIO && errno != EAGAIN &&
	    errno != ENOBUFS && errno != EINVAL)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static unsigned char buf[65536];
	struct pollfd pfd[2];
	struct sigaction sa;
	int host, guest;

	if (argc != 4) {
		fprintf(stderr, "usage: tap_relay HOST_TAP GUEST_NETNS GUEST_IF\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	host = tap_open(argv[1]);
	if (host < 0)
		return 1;
	if (enter_netns(argv[2]))
		return 1;
	guest = tap_open(argv[3]);
	if (guest < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);

	pfd[0].fd = host;
	pfd[0].events = POLLIN;
	pfd[1].fd = guest;
	pfd[1].events = POLLIN;
	while (!stop) {
		int n = poll(pfd, 2, 500);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if ((pfd[0].revents & POLLIN) && relay_one(host, guest, buf, sizeof(buf)))
			break;
		if ((pfd[1].revents & POLLIN) && relay_one(guest, host, buf, sizeof(buf)))
			break;
	}
	close(host);
	close(guest);
	return 0;
}
