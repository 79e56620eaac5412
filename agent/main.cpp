// vitals: flags -> App::Start -> wait for a signal. Exit status 2 for bad
// flags (as kingpin does), 1 when the agent cannot start.

#include <signal.h>

#include <cstdio>
#include <string>
#include <vector>

#include "agent/app.h"
#include "agent/flags.h"
#include "agent/log.h"

int main(int argc, char** argv) {
  using namespace vitals;
  collectors::CollectorRegistry registry;
  collectors::RegisterBuiltinCollectors(registry);

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

  // Block the stop signals before any thread starts, so that every thread
  // inherits the mask and only WaitForSignal receives them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto app = App::Start(options);
  if (auto* err = std::get_if<std::string>(&app)) {
    log::Error("cannot start", {{"err", *err}});
    return 1;
  }
  std::get<std::unique_ptr<App>>(app)->WaitForSignal();
  return 0;
}
