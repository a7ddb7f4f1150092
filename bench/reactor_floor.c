/*
 * The C side of bench/reactor_bench.ts: peers for the Skein reactor and the
 * C floors it is compared against. Compiled at bench time with `cc -O2`.
 *
 *   reactor_floor writer PATH N [GAP] connect to the Unix socket PATH; N times:
 *                                    sleep GAP/2 to 3*GAP/2 µs (random; GAP
 *                                    defaults to 2000, so 1-3 ms), write an
 *                                    8-byte CLOCK_MONOTONIC stamp (ns)
 *   reactor_floor floor N [GAP]      the C wake-up floor: fork a writer as
 *                                    above over a socketpair; block in
 *                                    epoll_wait(-1); latency = now - stamp.
 *                                    Prints {"p50_us":..,"p99_us":..,"n":..}
 *   reactor_floor pingpong PATH N    connect to PATH; N round trips of 64
 *                                    bytes (write, read back 64). Prints
 *                                    {"rtps":..,"p50_us":..,"p99_us":..}
 *   reactor_floor pingfloor N        the C ping-pong floor: the same client
 *                                    against a forked epoll echo over a
 *                                    socketpair.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p) {
  qsort(v, n, sizeof(double), cmp_d);
  int i = (int)(p * (n - 1) + 0.5);
  return v[i];
}

static int connect_unix(const char *path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
  for (int tries = 0; tries < 200; tries++) {
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) return fd;
    usleep(10000);
  }
  perror("connect");
  exit(2);
}

static void write_stamps(int fd, int n, int gap_us) {
  srand((unsigned)getpid());
  if (gap_us < 2) gap_us = 2;
  for (int i = 0; i < n; i++) {
    usleep(gap_us / 2 + rand() % gap_us);
    int64_t t = now_ns();
    if (write(fd, &t, 8) != 8) break;
  }
  close(fd);
}

static int read_full(int fd, char *buf, int n) {
  int got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r <= 0) {
      if (r < 0 && errno == EINTR) continue;
      return -1;
    }
    got += (int)r;
  }
  return got;
}

static void pingpong(int fd, int n) {
  char msg[64], back[64];
  memset(msg, 'x', sizeof msg);
  double *rtt = malloc(sizeof(double) * n);
  int64_t t0 = now_ns();
  int done = 0;
  for (; done < n; done++) {
    int64_t a = now_ns();
    if (write(fd, msg, 64) != 64) break;
    if (read_full(fd, back, 64) != 64) break;
    rtt[done] = (now_ns() - a) / 1000.0;
  }
  double secs = (now_ns() - t0) / 1e9;
  printf("{\"rtps\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"n\":%d}\n", done / secs,
         pct(rtt, done, 0.5), pct(rtt, done, 0.99), done);
  close(fd);
}

/* Fork a child joined to us by a socketpair: 0 in the child, which keeps
 * *fd = sv[1]; the child's pid in the parent, which keeps *fd = sv[0]. */
static pid_t fork_pair(int *fd) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  pid_t pid = fork();
  close(sv[pid == 0 ? 0 : 1]);
  *fd = sv[pid == 0 ? 1 : 0];
  return pid;
}

/* An epoll instance watching fd for input. */
static int epoll_in(int fd) {
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  return ep;
}

/* Block in epoll_wait(-1) until ep reports something (EINTR: wait again). */
static void wait_in(int ep) {
  struct epoll_event out[4];
  while (epoll_wait(ep, out, 4, -1) < 0 && errno == EINTR) {
  }
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[1], "writer") == 0) {
    write_stamps(connect_unix(argv[2]), atoi(argv[3]), argc >= 5 ? atoi(argv[4]) : 2000);
    return 0;
  }
  if (argc >= 4 && strcmp(argv[1], "pingpong") == 0) {
    pingpong(connect_unix(argv[2]), atoi(argv[3]));
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "floor") == 0) {
    int n = atoi(argv[2]);
    int fd;
    pid_t pid = fork_pair(&fd);
    if (pid == 0) {
      write_stamps(fd, n, argc >= 4 ? atoi(argv[3]) : 2000);
      _exit(0);
    }
    int ep = epoll_in(fd);
    double *lat = malloc(sizeof(double) * n);
    int got = 0;
    for (;;) {
      wait_in(ep);
      int64_t t = now_ns();
      int64_t stamps[64];
      ssize_t r = read(fd, stamps, sizeof stamps);
      if (r <= 0) break;
      for (int i = 0; i < r / 8; i++) if (got < n) lat[got++] = (t - stamps[i]) / 1000.0;
    }
    waitpid(pid, NULL, 0);
    int skip = got > 40 ? 20 : 0;
    printf("{\"p50_us\":%.1f,\"p99_us\":%.1f,\"n\":%d}\n", pct(lat + skip, got - skip, 0.5),
           pct(lat + skip, got - skip, 0.99), got - skip);
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "pingfloor") == 0) {
    int n = atoi(argv[2]);
    int fd;
    pid_t pid = fork_pair(&fd);
    if (pid == 0) {
      int ep = epoll_in(fd);
      char buf[4096];
      for (;;) {
        wait_in(ep);
        ssize_t r = read(fd, buf, sizeof buf);
        if (r <= 0) break;
        if (write(fd, buf, r) != r) break;
      }
      _exit(0);
    }
    pingpong(fd, n);
    waitpid(pid, NULL, 0);
    return 0;
  }
  fprintf(stderr, "usage: reactor_floor writer PATH N | floor N | pingpong PATH N | pingfloor N\n");
  return 64;
}
