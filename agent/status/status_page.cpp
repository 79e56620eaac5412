#include "agent/status/status_page.h"

#include <algorithm>

#include "agent/status/assets.h"
#include "agent/status/view.h"

namespace vitals::status {

namespace {

constexpr std::string_view kStaticPrefix = "/static/";

std::string AssetUrl(std::string_view name) {
  const Asset* asset = FindAsset(name);
  return std::string(kStaticPrefix) + std::string(name) +
         (asset != nullptr ? "?v=" + std::string(asset->hash) : "");
}

bool HasParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    std::string_view param = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), param.size() + 1));
    if (param.substr(0, param.find('=')) == name) {
      return true;
    }
  }
  return false;
}

}  // namespace

StatusPage::StatusPage(Sources sources, Info info, std::shared_ptr<const health::Clock> clock)
    : sources_(std::move(sources)), info_(std::move(info)), clock_(std::move(clock)) {}

void StatusPage::Apply(const config::Config& config) {
  std::vector<DeclaredGroup> declared;
  for (const auto& group : config.process_groups) {
    if (group.name.fixed()) {
      declared.push_back({group.name.FixedName(), group.min, group.max});
    }
  }
  std::lock_guard lock(mutex_);
  declared_ = std::move(declared);
  built_ = {};  // the next request shows the new groups
}

std::uint64_t StatusPage::builds() const {
  std::lock_guard lock(mutex_);
  return builds_;
}

ActionsAccess StatusPage::Access(const http::Request& request) const {
  if (!sources_.debug_state()) {
    return ActionsAccess::kDebugOff;
  }
  if (request.authenticated()) {
    return ActionsAccess::kShown;
  }
  return sources_.has_users() ? ActionsAccess::kNeedsSignIn : ActionsAccess::kNoUsers;
}

std::shared_ptr<const StatusPage::Built> StatusPage::Get(ActionsAccess access) {
  const auto slot = static_cast<std::size_t>(access);
  std::shared_ptr<const Built> last;
  {
    std::lock_guard lock(mutex_);
    last = built_[slot];
  }
  if (last != nullptr && clock_->Now() - last->at < kReuse) {
    return last;
  }
  std::unique_lock building(build_mutex_, std::try_to_lock);
  if (!building.owns_lock()) {
    if (last != nullptr) {
      return last;  // another request is building: this one is at most a moment older
    }
    building.lock();
    std::lock_guard lock(mutex_);
    if (built_[slot] != nullptr) {
      return built_[slot];
    }
  }
  auto built = Build(access);
  std::lock_guard lock(mutex_);
  built_[slot] = built;
  return built;
}

// build_mutex_ held.
std::shared_ptr<const StatusPage::Built> StatusPage::Build(ActionsAccess access) {
  const health::SteadyTime now = clock_->Now();
  const auto wall_now = clock_->WallNow();
  if (!scraped_at_ || now - *scraped_at_ >= kScrapeEvery) {
    auto families = sources_.scrape();
    std::erase_if(families, [](const auto& f) { return !ReadFromScrape(f.name); });
    scraped_ = std::move(families);
    scraped_at_ = now;
    previous_disks_ = std::move(disks_);
    disks_ = ReadDisks(FamilyIndex(scraped_), wall_now);
  }
  std::vector<prometheus::MetricFamily> families = sources_.samples();
  families.insert(families.end(), scraped_.begin(), scraped_.end());

  PageInput in;
  in.now = wall_now;
  in.snapshot = sources_.snapshot();
  in.outputs = sources_.outputs();
  in.families = &families;
  in.previous_disks = previous_disks_ ? &*previous_disks_ : nullptr;
  in.disks = disks_ ? &*disks_ : nullptr;
  in.actions_access = access;
  if (access == ActionsAccess::kShown) {
    in.actions = sources_.actions();
  }
  in.host = info_.host;
  in.version = info_.version;
  in.telemetry_path = info_.telemetry_path;
  in.docs_url = info_.docs_url;
  in.collectors = info_.collectors;
  {
    std::lock_guard lock(mutex_);
    in.declared_groups = declared_;
    ++builds_;
  }
  auto built = std::make_shared<Built>();
  built->at = now;
  built->page = BuildPage(in);
  built->json = RenderJson(built->page).dump(-1, ' ', false,
                                             nlohmann::json::error_handler_t::replace) + "\n";
  return built;
}

http::Response StatusPage::ServePage(const http::Request& request) {
  if (HasParam(request.query(), "signin") && !request.authenticated() && sources_.has_users()) {
    // Asks the browser for credentials; the route checks them when sent.
    auto r = http::Response::Text(401, "401 Unauthorized: sign in to see recent actions\n");
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"vitals\", charset=\"UTF-8\"");
    return r;
  }
  auto built = Get(Access(request));
  http::Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = RenderHtml(built->page,
                      Resources{AssetUrl("status.css"), AssetUrl("status.js"), "/status.json"});
  return r;
}

http::Response StatusPage::ServeJson(const http::Request& request) {
  auto built = Get(Access(request));
  http::Response r;
  r.content_type = "application/json; charset=utf-8";
  r.body = built->json;
  return r;
}

http::Response StatusPage::ServeAsset(const http::Request& request) {
  std::string_view path = request.path();
  const status::Asset* asset =
      path.substr(0, kStaticPrefix.size()) == kStaticPrefix
          ? FindAsset(path.substr(kStaticPrefix.size()))
          : nullptr;
  if (asset == nullptr) {
    return http::Response::Text(404, "404 page not found\n");
  }
  http::Response r;
  r.content_type = std::string(asset->content_type);
  r.body = std::string(asset->body);
  // The page links to ?v=<content hash>, so a changed file is a new URL.
  r.headers.emplace_back("Cache-Control", "private, max-age=86400");
  return r;
}

}  // namespace vitals::status
