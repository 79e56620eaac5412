#include "agent/app.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "agent/http/heartbeat_handler.h"
#include "agent/health/kind.h"
#include "agent/http/http_collector.h"
#include "agent/http/web_config.h"
#include "agent/log/log.h"
#include "agent/platform/subprocess.h"
#include "agent/scrape/text_format.h"
#include "agent/status/host_summary.h"
#include "agent/version.h"
#include "collectors/collector_registry.h"
#include "collectors/process/process_collector.h"
#include "collectors/process_table.h"
#include "collectors/self/self_collector.h"

namespace vitals {

namespace {

std::string Compiler() {
#if defined(__clang__)
  return "clang-" __clang_version__;
#elif defined(__GNUC__)
  return "gcc-" __VERSION__;
#else
  return "unknown";
#endif
}

std::string HostName() {
  char name[256] = {};
  return gethostname(name, sizeof name - 1) == 0 ? std::string(name) : std::string("unknown host");
}

// Every host collector of the registry, with its flags' values, for the
// status page.
std::vector<status::CollectorEntry> CollectorEntries(const Options& options) {
  std::vector<status::CollectorEntry> out;
  const auto& enabled = options.collectors;
  for (const auto& info : collectors::CollectorRegistry::Builtin().all()) {
    status::CollectorEntry e{std::string(info.name),
                             std::find(enabled.begin(), enabled.end(), info.name) != enabled.end(),
                             std::string(info.help),
                             {}};
    for (const auto& flag : info.flags) {
      e.flags.emplace_back(std::string(flag.name), options.collector_flags.String(flag.name));
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

std::string BuildVersionString() {
  return std::string("vitals, version ") + kVersion + " (revision: " + kRevision + ")\n  compiler: " +
         Compiler() + "\n";
}

std::variant<std::unique_ptr<App>, std::string> App::Start(const Options& options) {
  return Start(options, config::DefaultConfig());
}

std::variant<std::unique_ptr<App>, std::string> App::Start(const Options& options,
                                                           const config::Config& config) {
  std::unique_ptr<App> app(new App());
  app->options_ = options;
  // Orphans of what exec checks and actions start come back to the agent,
  // to be reaped and killed at exit (platform/subprocess.h).
  if (std::string err = platform::BecomeChildSubreaper(); !err.empty()) {
    log::Warn("processes left by a killed keeper will go to init", {{"err", err}});
  }

  const auto info = procfs::SystemInfo::FromHost();
  procfs::SystemInfo tree_info = info;  // of --path.procfs: this host's, or the capture's
  tree_info.page_size = options.testing_page_size.value_or(info.page_size);
  tree_info.ticks_per_second = options.testing_clock_ticks.value_or(info.ticks_per_second);
  auto proc = procfs::ProcFs::Open(options.procfs, tree_info);
  if (!proc) {
    return "cannot open --path.procfs " + options.procfs.string() + ": " + proc.error().detail;
  }
  app->proc_ = std::make_unique<procfs::ProcFs>(std::move(*proc));
  for (auto [flag, path, dir] : {std::tuple{"--path.sysfs", &options.sysfs, &app->sys_},
                                 std::tuple{"--path.rootfs", &options.rootfs, &app->rootfs_}}) {
    auto opened = procfs::RootDir::Open(*path);
    if (!opened) {
      return std::string("cannot open ") + flag + " " + path->string() + ": " +
             opened.error().detail;
    }
    *dir = std::make_unique<procfs::RootDir>(std::move(*opened));
  }
  auto self_proc = procfs::ProcFs::Open("/proc", info);
  if (!self_proc) {
    return "cannot open /proc for the agent's own metrics: " + self_proc.error().detail;
  }
  app->self_proc_ = std::make_unique<procfs::ProcFs>(std::move(*self_proc));

  const auto& registry = collectors::CollectorRegistry::Builtin();
  // One pass over /proc/<pid>/stat per scrape serves both "processes" and
  // the process groups (DESIGN.md section 1).
  auto process_table = std::make_shared<collectors::ProcessTable>(*app->proc_);
  collectors::CollectorContext ctx{*app->proc_, *app->sys_, *app->rootfs_,
                                   app->options_.collector_flags, process_table};
  std::vector<std::shared_ptr<collectors::Collector>> enabled;
  std::string names;
  for (const std::string& name : options.collectors) {
    try {
      enabled.push_back(registry.Find(name)->factory(ctx));
    } catch (const std::invalid_argument& e) {  // its flags contradict each other (collector.h)
      return "collector " + name + ": " + e.what();
    }
    names += (names.empty() ? "" : ",") + name;
  }
  enabled.push_back(std::make_unique<collectors::SelfCollector>(*app->self_proc_));
  // One process-group collector serves /metrics and the health checks.
  app->process_groups_ = std::make_shared<collectors::ProcessCollector>(
      *app->proc_, config.process_groups, config.process_collector, process_table,
      [](const std::string& warning) { log::Warn("process groups", {{"err", warning}}); });
  for (const auto& warning : app->process_groups_->warnings()) {
    log::Warn("process groups", {{"err", warning}});
  }
  enabled.push_back(app->process_groups_);
  http::WebConfig web;
  if (!options.web_config_file.empty()) {
    try {
      web = http::LoadWebConfig(options.web_config_file);
    } catch (const config::ConfigError& e) {
      return std::string("invalid --web.config.file ") + e.what();
    }
  }
  auto http_stats = std::make_shared<http::ServerStats>();
  enabled.push_back(std::make_unique<http::HttpCollector>(http_stats, web.tls.has_value()));
  app->health_ =
      std::make_unique<http::HealthService>(*app->proc_, app->process_groups_, &ctx);
  app->actions_ =
      std::make_unique<actions::ActionRunner>(*app->proc_, std::make_shared<health::SystemClock>());
  // The health model and the actions are sources of the same scrape.
  for (auto& source : app->health_->Sources()) {
    enabled.push_back(std::move(source));
  }
  enabled.push_back(std::make_shared<collectors::SourceCollector>(
      "actions", actions::ActionRunner::Descs(),
      [runner = app->actions_.get()](collectors::MetricSink& out) { runner->AddSeries(out); }));
  app->scrape_ = std::make_unique<scrape::ScrapeCollectable>(
      std::move(enabled), scrape::BuildInfo{kVersion, kRevision, Compiler()}, process_table,
      options.exporter_identity);
  app->health_->Subscribe([runner = app->actions_.get()](const health::TransitionEvent& e) {
    runner->OnTransition(e);
  });
  app->actions_->Apply(config);  // before the checks, so no first transition is missed
  app->debug_ = std::make_unique<debug::DebugState>(*app->health_, *app->actions_, *app->proc_);
  app->debug_->SetEnabled(config.health.debug_state);
  app->health_->KeepSampling(status::SummaryValues());  // the status page's host table
  app->health_->Apply(config);
  app->health_->RecordReload(true);  // the initial load counts as the first success
  app->process_groups_definition_ = config.process_groups_definition;
  app->process_collector_definition_ = config.process_collector_definition;

  const App* self = app.get();
  app->status_ = std::make_unique<status::StatusPage>(
      status::StatusPage::Sources{[self] { return self->health_->snapshot(); },
                                  [self] { return self->health_->SampleFamilies(); },
                                  [self] { return self->scrape_->Collect(); },
                                  [self] { return self->actions_->State(); },
                                  [self] { return self->debug_->enabled(); },
                                  [self] { return self->server_->has_users(); },
                                  [self] { return self->health_->heartbeats().Outputs(); }},
      status::StatusPage::Info{HostName(), kVersion, options.telemetry_path, kDocsUrl,
                               CollectorEntries(options)},
      std::make_shared<health::SystemClock>());
  app->status_->Apply(config);
  std::vector<http::Route> routes;
  routes.push_back({options.telemetry_path,
                    [self](const http::Request& r) { return self->Metrics(r); }});
  routes.push_back({"/-/healthy", [](const http::Request&) {
                      return http::Response::Text(200, "vitals is Healthy.\n");
                    }});
  routes.push_back({"/-/ready", [](const http::Request&) {
                      return http::Response::Text(200, "vitals is Ready.\n");
                    }});
  routes.push_back({"/health", [self](const http::Request& r) { return self->health_->Handle(r); },
                    true});
  App* mutable_self = app.get();
  routes.push_back({"/-/reload",
                    [mutable_self](const http::Request&) {
                      const std::string err = mutable_self->ReloadConfig();
                      return err.empty() ? http::Response::Text(200, "configuration reloaded\n")
                                         : http::Response::Text(
                                               500, "configuration not reloaded, the previous "
                                                    "one runs:\n" + err + "\n");
                    },
                    false,
                    {"POST"}});
  // Heartbeats: their tokens are the authentication (heartbeat_handler.h).
  for (std::string_view prefix : {http::kHeartbeatPrefix, http::kPingPrefix}) {
    routes.push_back({std::string(prefix),
                      [mutable_self](const http::Request& r) {
                        return http::HandleHeartbeat(mutable_self->health_->heartbeats(), r);
                      },
                      true, {"GET", "HEAD", "POST"}, false, false, true});
  }
  routes.push_back({"/debug/state", [self](const http::Request& r) { return self->debug_->Handle(r); },
                    false,
                    {"GET", "HEAD"},
                    true});
  // The status page: credentials are checked when sent, so it can show
  // recent actions to users who may read /debug/state.
  status::StatusPage* page = app->status_.get();
  routes.push_back({"/", [page](const http::Request& r) { return page->ServePage(r); }, false,
                    {"GET", "HEAD"}, false, true});
  routes.push_back({"/status.json", [page](const http::Request& r) { return page->ServeJson(r); },
                    false, {"GET", "HEAD"}, false, true});
  routes.push_back({"/static", &status::StatusPage::ServeAsset, true});

  auto server = http::Server::Start(
      {options.listen.host, options.listen.port, 8, web, http_stats}, std::move(routes));
  if (auto* err = std::get_if<std::string>(&server)) {
    return *err;
  }
  app->server_ = std::move(std::get<std::unique_ptr<http::Server>>(server));
  ListenAddress bound = options.listen;
  bound.port = static_cast<std::uint16_t>(app->server_->port());
  log::Info("listening", {{"address", bound.ToString()},
                          {"telemetry_path", options.telemetry_path},
                          {"tls", web.tls ? "on" : "off"},
                          {"procfs", options.procfs.string()},
                          {"sysfs", options.sysfs.string()},
                          {"rootfs", options.rootfs.string()},
                          {"collectors", names}});
  return app;
}

std::string App::ReloadWebConfig() {
  if (options_.web_config_file.empty()) {
    return {};
  }
  try {
    return server_->ApplyWebConfig(http::LoadWebConfig(options_.web_config_file));
  } catch (const config::ConfigError& e) {
    return e.what();
  }
}

App::~App() {
  Stop([](std::string_view) {});
}

void App::Stop(const std::function<void(std::string_view)>& stage) {
  if (stopped_) {
    return;
  }
  stopped_ = true;
  stage("the HTTP server (a request handler has not returned)");
  server_.reset();  // stop serving before the collectors go away
  scrape_.reset();  // its sources read health_ and actions_
  stage("the health checks (the scheduler, the sampler, a check's run)");
  health_.reset();
  stage("the actions (a command or a signal action)");
  debug_.reset();  // it refers to the health service and the actions
  actions_.reset();
  // Last, after the runs above killed their own trees: whatever is still
  // below the agent (services that actions started, orphans).
  stage("the processes the agent started (killing and reaping them)");
  if (const std::size_t killed = platform::KillAllChildren(); killed > 0) {
    log::Info("killed the processes the agent had started", {{"processes", std::to_string(killed)}});
  }
}

std::string App::ReloadConfig() {
  // Last, once the old config and the parsed file are freed: glibc returns
  // only the top of the heap by itself, and what they held lies in the
  // middle (a reload from 5,000 groups back to a few kept 15 MB).
  struct TrimOnReturn {
    ~TrimOnReturn() { malloc_trim(0); }
  } trim;
  std::lock_guard lock(reload_mutex_);
  // --web.config.file first: a bad one keeps both running configs.
  if (std::string err = ReloadWebConfig(); !err.empty()) {
    log::Error("web configuration not reloaded",
               {{"file", options_.web_config_file.string()}, {"err", err}});
    health_->RecordReload(false);
    log::Warn("reload rejected", {{"file", options_.web_config_file.string()},
                                  {"running", "the previous configuration"}});
    return err;
  }
  try {
    config::Config config =
        options_.config_file.empty()
            ? config::DefaultConfig()
            : config::Load(options_.config_file, health::CheckKinds::Builtin().table());
    // The groups first, so checks that name a new group find it at once;
    // an unchanged section is left alone (no process is matched again).
    if (config.process_groups_definition != process_groups_definition_ ||
        config.process_collector_definition != process_collector_definition_) {
      for (const auto& warning :
           process_groups_->Apply(config.process_groups, config.process_collector)) {
        log::Warn("process groups", {{"err", warning}});
      }
      // Moved, not copied: a copy would keep the old text's capacity.
      process_groups_definition_ = std::move(config.process_groups_definition);
      process_collector_definition_ = std::move(config.process_collector_definition);
    }
    actions_->Apply(config);
    debug_->SetEnabled(config.health.debug_state);
    auto kept = health_->Apply(config);
    status_->Apply(config);
    health_->RecordReload(true);
    log::Info("configuration reloaded", {{"file", options_.config_file.string()},
                                         {"process_groups",
                                          std::to_string(config.process_groups.size())},
                                         {"checks", std::to_string(config.checks.size())},
                                         {"kept", std::to_string(kept.size())}});
    return {};
  } catch (const config::ConfigError& e) {
    for (const auto& problem : e.problems()) {
      log::Error("configuration not reloaded",
                 {{"file", e.source()}, {"pointer", problem.pointer}, {"err", problem.message}});
    }
    health_->RecordReload(false);  // before the summary: it tells a watcher the outcome
    log::Warn("reload rejected", {{"file", e.source()},
                                  {"problems", std::to_string(e.problems().size())},
                                  {"running", "the previous configuration"}});
    return e.what();
  }
}

http::Response App::Metrics(const http::Request&) const {
  auto families = scrape_->Collect();  // every source, sorted once
  http::Response response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body.reserve(64u << 10);
  scrape::AppendTextFormat(response.body, families);
  return response;
}

}  // namespace vitals
