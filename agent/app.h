#pragma once
// App: wiring only. Opens procfs, builds the enabled collectors, starts the
// HTTP server; main.cpp reloads and stops it on signals (lifecycle.h).

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>

#include "agent/actions/runner.h"
#include "agent/debug/state.h"
#include "agent/flags.h"
#include "agent/http/health_service.h"
#include "agent/http/server.h"
#include "agent/status/status_page.h"
#include "agent/scrape/scrape_collectable.h"
#include "collectors/process/process_collector.h"
#include "collectors/procfs/proc_fs.h"
#include "config/config.h"

namespace vitals {

class App {
 public:
  // Builds and starts everything, or says why not in one line.
  static std::variant<std::unique_ptr<App>, std::string> Start(const Options& options);
  // With a loaded configuration (Start(options) uses the embedded default).
  static std::variant<std::unique_ptr<App>, std::string> Start(const Options& options,
                                                               const config::Config& config);
  ~App();

  int port() const { return server_->port(); }
  // Re-reads --web.config.file and applies it (users, protected paths, TLS
  // files); returns why not, and then the running one stays.
  std::string ReloadWebConfig();
  // Re-reads --web.config.file and --config.file and applies them whole:
  // process groups (groups that stay keep their counters), checks, actions.
  // A bad file keeps the running config, logs every problem and returns
  // them (the file, then one "pointer: message" a line); "" on success.
  std::string ReloadConfig();
  // Stops the parts that run threads, the server first, naming each in
  // `stage` before it stops it: a stop that hangs is then reported by what
  // it waits for. The destructor does the same without names, unless done.
  void Stop(const std::function<void(std::string_view)>& stage);

 private:
  App() = default;
  http::Response Metrics(const http::Request& request) const;

  Options options_;
  std::unique_ptr<procfs::ProcFs> proc_;       // --path.procfs
  std::unique_ptr<procfs::RootDir> sys_;       // --path.sysfs
  std::unique_ptr<procfs::RootDir> rootfs_;    // --path.rootfs
  std::unique_ptr<procfs::ProcFs> self_proc_;  // the agent's own /proc
  std::shared_ptr<collectors::ProcessCollector> process_groups_;  // /metrics and health
  std::unique_ptr<scrape::ScrapeCollectable> scrape_;
  std::unique_ptr<http::HealthService> health_;  // checks, /health, reload
  std::unique_ptr<actions::ActionRunner> actions_;  // runs on transitions into Unhealthy
  std::unique_ptr<debug::DebugState> debug_;        // /debug/state
  std::unique_ptr<status::StatusPage> status_;      // the status page at /
  std::mutex reload_mutex_;  // one reload at a time (SIGHUP, POST /-/reload)
  // The running process sections (config.h), guarded by reload_mutex_: a
  // reload re-groups only when they changed.
  std::string process_groups_definition_;
  std::string process_collector_definition_;
  bool stopped_ = false;  // Stop() ran
  std::unique_ptr<http::Server> server_;  // last: stopped first
};

std::string BuildVersionString();

}  // namespace vitals
