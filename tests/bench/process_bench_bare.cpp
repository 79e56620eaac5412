// The floor for one scrape of process groups: one pass over /proc that reads
// only what the metrics need and nothing else: <pid>/stat of every process
// (to tell groups and reused pids apart), and for processes whose comm starts
// with the given prefix <pid>/status, <pid>/io and the fd count (stat() of
// fd/ on Linux >= 6.2, else listing it). Files are read with openat() into
// one reused buffer; no parsing beyond finding comm. Prints the CPU seconds
// per pass. Usage: process_bench_bare PREFIX PASSES
#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

char buffer[65536];

long ReadAt(int dir, const char* path) {
  int fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return -1;
  }
  long total = 0;
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) {
      break;
    }
    total += n;
  }
  close(fd);
  return total;
}

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PREFIX PASSES\n", argv[0]);
    return 2;
  }
  std::string prefix = argv[1];
  int passes = std::atoi(argv[2]);
  int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat self_fd {};
  bool fd_size = fstatat(proc, "self/fd", &self_fd, 0) == 0 && self_fd.st_size > 0;
  long matched = 0, processes = 0;
  double start = CpuSeconds();
  for (int p = 0; p < passes; ++p) {
    matched = processes = 0;
    DIR* dir = fdopendir(openat(proc, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    char path[300];
    while (dirent* e = readdir(dir)) {
      if (e->d_name[0] < '1' || e->d_name[0] > '9') {
        continue;
      }
      std::snprintf(path, sizeof path, "%s/stat", e->d_name);
      long n = ReadAt(proc, path);
      if (n <= 0) {
        continue;
      }
      ++processes;
      const char* open_paren = static_cast<const char*>(std::memchr(buffer, '(', static_cast<size_t>(n)));
      if (open_paren == nullptr || std::strncmp(open_paren + 1, prefix.c_str(), prefix.size()) != 0) {
        continue;
      }
      ++matched;
      std::snprintf(path, sizeof path, "%s/status", e->d_name);
      ReadAt(proc, path);
      std::snprintf(path, sizeof path, "%s/io", e->d_name);
      ReadAt(proc, path);
      std::snprintf(path, sizeof path, "%s/fd", e->d_name);
      if (fd_size) {
        struct stat st {};
        fstatat(proc, path, &st, 0);
      } else {
        DIR* fds = fdopendir(openat(proc, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (fds != nullptr) {
          while (readdir(fds) != nullptr) {
          }
          closedir(fds);
        }
      }
    }
    closedir(dir);
  }
  double per_pass = (CpuSeconds() - start) / passes;
  std::printf("%.6f %ld %ld %d\n", per_pass, processes, matched, fd_size ? 1 : 0);
  return 0;
}
