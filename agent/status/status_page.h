#pragma once
// StatusPage: the status page at "/", the JSON its script polls
// (/status.json) and its stylesheet and script (/static/*), as handlers.
//
// Cost: nothing runs for the page unless someone asks. A request builds the
// page from what the agent keeps anyway (the health snapshot, the sampler's
// families, the action runner's state), plus a scrape for the host's
// filesystems and disks made at most every kScrapeEvery while the page is
// open. A built page is shared for kReuse by every poller (one build a second
// for ten open browsers), and while one request builds, the others take the
// last page rather than wait, so pollers never pile up on the handler
// threads that /metrics needs.
//
// The actions section is shown only to a request that passed basic auth
// while /debug/state is on (the route checks credentials when they are
// sent); "/?signin" asks the browser for them.
//
// These handlers are why vitals_status links vitals_http; the page itself
// (view, page_model) knows no HTTP.
// Thread contract: handlers may run concurrently; Apply() from any thread.

#include <prometheus/metric_family.h>

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/health/clock.h"
#include "agent/health/scheduler.h"
#include "agent/http/server.h"
#include "agent/status/page_model.h"
#include "config/config.h"

namespace vitals::status {

class StatusPage {
 public:
  static constexpr std::chrono::seconds kReuse{1};
  static constexpr std::chrono::seconds kScrapeEvery{10};

  // Where the page's data comes from; each is called only while building.
  struct Sources {
    std::function<health::Snapshot()> snapshot;
    std::function<std::vector<prometheus::MetricFamily>()> samples;  // the health sampler's
    std::function<std::vector<prometheus::MetricFamily>()> scrape;   // a whole scrape
    std::function<nlohmann::json()> actions;                         // ActionRunner::State()
    std::function<bool()> debug_state;                               // /debug/state is on
    std::function<bool()> has_users;  // the web config has basic_auth_users
    std::function<std::map<std::string, std::string>()> outputs;  // heartbeats' last output
  };
  struct Info {
    std::string host;
    std::string version;
    std::string telemetry_path = "/metrics";
    std::string docs_url;
    std::vector<CollectorEntry> collectors;
  };

  StatusPage(Sources sources, Info info, std::shared_ptr<const health::Clock> clock);

  // The declared process groups of a (re)loaded config.
  void Apply(const config::Config& config);

  http::Response ServePage(const http::Request& request);  // "/", "/?signin"
  http::Response ServeJson(const http::Request& request);  // "/status.json"
  static http::Response ServeAsset(const http::Request& request);  // "/static/<name>"

  // Pages built so far (for tests of the sharing).
  std::uint64_t builds() const;

 private:
  struct Built {
    health::SteadyTime at;
    Page page;
    std::string json;
  };
  ActionsAccess Access(const http::Request& request) const;
  std::shared_ptr<const Built> Get(ActionsAccess access);
  std::shared_ptr<const Built> Build(ActionsAccess access);

  const Sources sources_;
  const Info info_;
  const std::shared_ptr<const health::Clock> clock_;

  mutable std::mutex mutex_;  // guards the fields below up to build_mutex_
  std::vector<DeclaredGroup> declared_;
  std::array<std::shared_ptr<const Built>, 4> built_;  // by ActionsAccess
  std::uint64_t builds_ = 0;

  std::mutex build_mutex_;  // one build at a time; guards the scrape state below
  std::vector<prometheus::MetricFamily> scraped_;  // only what the host section reads
  std::optional<health::SteadyTime> scraped_at_;
  std::optional<DiskReading> disks_, previous_disks_;
};

}  // namespace vitals::status
