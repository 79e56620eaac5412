// vitals: flags -> config -> App::Start -> reload on SIGHUP, stop on SIGTERM or
// SIGINT. Exit status 2 for bad flags (as kingpin does), 1 when the agent cannot
// start or its stop timed out. `vitals status ...` is the client of a running
// agent (agent/cli/status_command.h).

#include <malloc.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/app.h"
#include "agent/cli/status_command.h"
#include "agent/flags.h"
#include "agent/health/kind.h"
#include "agent/lifecycle.h"
#include "agent/log/log.h"
#include "config/config.h"

int main(int argc, char** argv) {
  using namespace vitals;
  if (argc > 1 && std::string_view(argv[1]) == "status") {
    return cli::RunStatusCommand(std::vector<std::string>(argv + 2, argv + argc));
  }
  const collectors::CollectorRegistry& registry = collectors::CollectorRegistry::Builtin();

  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = ParseFlags(args, registry);
  if (auto* err = std::get_if<std::string>(&parsed)) {
    std::fprintf(stderr, "vitals: error: %s\n", err->c_str());
    return 2;
  }
  const Options& options = std::get<Options>(parsed);
  if (options.help) {
    std::fputs(HelpText(registry).c_str(), stdout);
    return 0;
  }
  if (options.version) {
    std::fputs(BuildVersionString().c_str(), stdout);
    return 0;
  }
  log::Configure(options.log_level, options.log_format);

  // The config is loaded before anything starts; a bad file is reported in
  // full (every problem with its JSON pointer) and the agent does not start.
  std::optional<config::Config> loaded;
  try {
    loaded = options.config_file.empty()
                 ? config::DefaultConfig()
                 : config::Load(options.config_file, health::CheckKinds::Builtin().table());
  } catch (const config::ConfigError& e) {
    if (options.config_check) {
      std::fprintf(stderr, "%s\n", e.what());
    } else {
      log::Error("invalid configuration", {{"file", e.source()}, {"err", e.what()}});
    }
    return 1;
  }
  if (options.config_check) {
    std::printf("%s: valid (%zu process groups)\n",
                options.config_file.empty() ? "<embedded default>" : options.config_file.c_str(),
                loaded->process_groups.size());
    return 0;
  }

  // glibc gives each thread that allocates its own arena; every handler
  // thread that serves a scrape would keep ~1 MB of freed pages. One arena
  // for all threads: scrapes are serialized anyway, and a second arena kept
  // ~0.4 MB more with 2,000 processes grouped (9.4 vs 9.8 MB, 3 runs each).
  // Set before any thread exists.
  mallopt(M_ARENA_MAX, 1);
  // Pin the mmap and trim thresholds at glibc's starting 128 KiB, which also
  // turns off their adjustment: left dynamic, freeing one big mmapped block
  // (a 16 MiB hostile /proc file) raises the mmap threshold to its size and
  // the trim threshold to twice that, and the next big buffers stay on the
  // heap for good (+32 MiB RSS in e2e.hostile_proc). Buffers over 128 KiB
  // are mmapped and unmapped on free. ASan's allocator ignores both.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  mallopt(M_TRIM_THRESHOLD, 128 * 1024);

  // Block the stop signals before any thread starts, so that every thread
  // inherits the mask and only the Lifecycle's thread receives them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);  // reload
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // From here a stop signal ends the process within kStopGrace, whatever
  // does not return (lifecycle.h).
  constexpr std::chrono::seconds kStopGrace{5};
  Lifecycle lifecycle(kStopGrace);
  auto started = App::Start(options, *loaded);
  loaded.reset();  // the running parts keep what they need; a reload replaces it
  if (auto* err = std::get_if<std::string>(&started)) {
    log::Error("cannot start", {{"err", *err}});
    return 1;
  }
  std::unique_ptr<App> app = std::move(std::get<std::unique_ptr<App>>(started));
  lifecycle.Stage("serving");
  while (lifecycle.Next() == Lifecycle::Event::kReload) {
    lifecycle.Stage("reloading the configuration");
    log::Info("reloading", {{"signal", "SIGHUP"}});
    app->ReloadConfig();
    lifecycle.Stage("serving");
  }
  app->Stop([&](std::string_view what) { lifecycle.Stage(what); });
  lifecycle.Stage("releasing the rest");
  app.reset();
  lifecycle.Stopped();
  return 0;
}
