// Benchmark load: forks N idle children named bk_00..bk_<G-1> (prctl), each
// with T extra threads and F open fds, then waits; the script kills the
// whole session. Usage: process_bench_kids N G T F
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

static void* Idle(void* arg) {
  (void)arg;
  for (;;) {
    pause();
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s N GROUPS THREADS FDS\n", argv[0]);
    return 2;
  }
  int n = atoi(argv[1]), groups = atoi(argv[2]), threads = atoi(argv[3]), fds = atoi(argv[4]);
  for (int i = 0; i < n; ++i) {
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      return 1;
    }
    if (pid == 0) {
      char name[16];
      snprintf(name, sizeof name, "bk_%02d", i % groups);
      prctl(PR_SET_NAME, name, 0, 0, 0);
      for (int f = 0; f < fds; ++f) {
        open("/dev/null", O_RDONLY);
      }
      pthread_attr_t attr;
      pthread_attr_init(&attr);
      pthread_attr_setstacksize(&attr, 64 * 1024);
      for (int t = 0; t < threads; ++t) {
        pthread_t th;
        pthread_create(&th, &attr, Idle, NULL);
      }
      for (;;) {
        pause();
      }
    }
  }
  printf("ready\n");
  fflush(stdout);
  for (;;) {
    pause();
  }
}
