// fd-attach: bridges conmon's attach socket (AF_UNIX SOCK_SEQPACKET, which Node cannot open) to stdio.
//   usage: fd-attach DIR        connects to DIR/attach (relative, so long paths never hit sun_path's limit)
// stdin  -> socket: raw bytes, one packet per read; stdin EOF shuts the socket's write side, which makes
//                   conmon close the container's stdin.
// socket -> stdout: each packet framed as [1 byte stream (2 stdout, 3 stderr)][4 bytes big-endian length][bytes].
// Once connected it writes one empty frame with stream 0, so the caller knows no output can be missed from then on.
// Exits 0 when conmon closes the socket (the process ended), 2 when it cannot connect.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BUF 8192

static int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: fd-attach DIR\n");
    return 2;
  }
  if (chdir(argv[1]) != 0) {
    fprintf(stderr, "fd-attach: %s: %s\n", argv[1], strerror(errno));
    return 2;
  }
  int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  strcpy(addr.sun_path, "attach");
  if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof addr) != 0) {
    fprintf(stderr, "fd-attach: cannot connect to %s/attach: %s\n", argv[1], strerror(errno));
    return 2;
  }
  char buf[BUF + 1];
  unsigned char frame[5 + BUF + 1];
  memset(frame, 0, 5);
  if (write_all(1, frame, 5) != 0) return 1;
  int stdin_open = 1;
  for (;;) {
    struct pollfd fds[2] = {{.fd = s, .events = POLLIN}, {.fd = 0, .events = POLLIN}};
    int n = poll(fds, stdin_open ? 2 : 1, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t got = recv(s, frame + 4, BUF + 1, 0);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return 0;
      // recv put [stream][payload] at frame+4: the payload is already in place, the header goes before it.
      unsigned char stream = frame[4];
      uint32_t len = (uint32_t)(got - 1);
      frame[0] = stream;
      frame[1] = (unsigned char)(len >> 24);
      frame[2] = (unsigned char)(len >> 16);
      frame[3] = (unsigned char)(len >> 8);
      frame[4] = (unsigned char)len;
      if (write_all(1, frame, 5 + len) != 0) return 1;
    }
    if (stdin_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t got = read(0, buf, BUF);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        shutdown(s, SHUT_WR);
        stdin_open = 0;
      } else if (write_all(s, buf, (size_t)got) != 0) {
        stdin_open = 0;
      }
    }
  }
}
