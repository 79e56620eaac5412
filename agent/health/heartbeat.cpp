#include "agent/health/heartbeat.h"

#include <algorithm>
#include <sstream>

#include "agent/health/report.h"

namespace vitals::health {

namespace {

std::string Seconds(Duration d) {
  std::ostringstream out;
  out.imbue(std::locale::classic());
  out.precision(3);
  out << std::chrono::duration<double>(d).count() << "s";
  return out.str();
}

double Epoch(WallTime t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

}  // namespace

HeartbeatCheck::HeartbeatCheck(HeartbeatSpec spec, std::shared_ptr<const Clock> clock)
    : spec_(std::move(spec)),
      clock_(std::move(clock)),
      base_(clock_->Now()),
      base_wall_(clock_->WallNow()),
      due_(spec_.schedule ? spec_.schedule(base_wall_) : std::nullopt) {}

void HeartbeatCheck::AdvanceSchedule(WallTime now) {
  const auto grace = std::chrono::duration_cast<WallTime::duration>(spec_.grace);
  while (due_ && *due_ + grace <= now && scheduled_misses_ < kMaxScheduledMisses) {
    ++scheduled_misses_;
    due_ = spec_.schedule(*due_);
  }
}

CheckResult HeartbeatCheck::Run(const CheckContext& ctx) {
  std::lock_guard lock(mutex_);
  const Duration since = ctx.now - base_;
  const std::string last =
      state_.last_beat ? "last heartbeat " + Seconds(since) + " ago"
                       : "no heartbeat yet (" + Seconds(since) + " since the check started)";
  CheckResult r;
  r.data["grace"] = std::chrono::duration<double>(spec_.grace).count();
  if (state_.last_beat) {
    r.data["last_heartbeat"] = Epoch(*state_.last_beat);
  }
  if (state_.pid) {
    r.data["pid"] = *state_.pid;
  }
  if (state_.exit_code) {
    r.data["exit_code"] = *state_.exit_code;
  }
  bool late = false;
  std::string next;
  if (spec_.schedule) {
    const WallTime now = clock_->WallNow();
    AdvanceSchedule(now);
    state_.misses = scheduled_misses_;
    r.data["schedule"] = spec_.schedule_text;
    if (due_) {
      r.data["next_run"] = Epoch(*due_);
      late = now > *due_;
      next = "; next run due " + FormatTime(*due_) + " (" + spec_.schedule_text + ")";
    }
  } else {
    r.data["period"] = std::chrono::duration<double>(spec_.period).count();
    const Duration overdue = since - SaturatingAdd(spec_.period, spec_.grace);
    state_.misses = overdue < Duration::zero()
                        ? 0
                        : static_cast<std::uint32_t>(std::min<Duration::rep>(
                              1 + overdue / spec_.period, 1'000'000));
    late = since > spec_.period;
  }
  r.data["misses"] = state_.misses;
  if (failed_) {
    r.status = HealthStatus::kUnhealthy;
    r.description = "the job reported a failure" +
                    (state_.exit_code ? " (exit status " + std::to_string(*state_.exit_code) + ")"
                                      : std::string()) +
                    "; " + last;
  } else if (state_.misses >= spec_.misses_allowed) {
    r.status = HealthStatus::kUnhealthy;
    r.description = std::to_string(state_.misses) + " missed heartbeats (" +
                    std::to_string(spec_.misses_allowed) + " allowed before Unhealthy); " + last;
  } else if (state_.misses > 0) {
    r.status = HealthStatus::kDegraded;
    r.description = std::to_string(state_.misses) + " missed heartbeat" +
                    (state_.misses == 1 ? "" : "s") + " of " +
                    std::to_string(spec_.misses_allowed) + "; " + last;
  } else {
    r.status = HealthStatus::kHealthy;
    r.description = last + (late ? " (late, within the grace)" : "");
  }
  r.description += next;
  if (start_steady_) {
    r.description += "; a run started " + Seconds(ctx.now - *start_steady_) + " ago";
  }
  return r;
}

void HeartbeatCheck::Ping(PingKind kind, std::optional<int> pid, std::optional<int> exit_code,
                          std::string_view output) {
  const SteadyTime now = clock_->Now();
  const WallTime wall = clock_->WallNow();
  std::lock_guard lock(mutex_);
  if (pid && pid != state_.pid) {
    state_.pid = pid;
    state_.pid_since = wall;
    ++state_.worker_starts;
  }
  switch (kind) {
    case PingKind::kStart:
      ++state_.starts;
      state_.last_start = wall;
      start_steady_ = now;
      return;
    case PingKind::kSuccess:
      ++state_.beats;
      state_.last_beat = wall;
      state_.exit_code = exit_code.value_or(0);
      base_ = now;
      base_wall_ = wall;
      if (spec_.schedule) {
        due_ = spec_.schedule(wall);
        scheduled_misses_ = 0;
      }
      failed_ = false;
      break;
    case PingKind::kFail:
      ++state_.fails;
      state_.last_fail = wall;
      state_.exit_code = exit_code;
      failed_ = true;
      break;
  }
  state_.output = std::string(output.substr(0, kMaxOutputBytes));
  if (start_steady_) {
    state_.last_job_seconds = std::chrono::duration<double>(now - *start_steady_).count();
    start_steady_.reset();
  }
}

bool HeartbeatCheck::TokenMatches(std::string_view token) const {
  const std::string& want = spec_.token;
  // Time depends on the lengths only.
  unsigned diff = token.size() == want.size() ? 0u : 1u;
  const std::size_t n = std::max(token.size(), want.size());
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char a = i < token.size() ? static_cast<unsigned char>(token[i]) : 0;
    const unsigned char b = i < want.size() ? static_cast<unsigned char>(want[i]) : 0;
    diff |= static_cast<unsigned>(a ^ b);
  }
  return diff == 0 && !want.empty();
}

void HeartbeatCheck::CountRejected() {
  std::lock_guard lock(mutex_);
  ++state_.rejected;
}

HeartbeatState HeartbeatCheck::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::shared_ptr<HeartbeatCheck> HeartbeatRegistry::Prepare(const std::string& name,
                                                           const std::string& definition,
                                                           HeartbeatSpec spec) {
  std::lock_guard lock(mutex_);
  auto it = items_.find(name);
  if (it != items_.end() && !definition.empty() && it->second.definition == definition) {
    pending_[name] = it->second;
    return it->second.check;
  }
  auto check = std::make_shared<HeartbeatCheck>(std::move(spec), clock_);
  pending_[name] = Item{definition, check};
  return check;
}

void HeartbeatRegistry::Commit() {
  std::lock_guard lock(mutex_);
  items_ = std::move(pending_);
  pending_.clear();
}

std::shared_ptr<HeartbeatCheck> HeartbeatRegistry::Find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = items_.find(name);
  return it == items_.end() ? nullptr : it->second.check;
}

std::vector<std::pair<std::string, std::shared_ptr<HeartbeatCheck>>> HeartbeatRegistry::All()
    const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, std::shared_ptr<HeartbeatCheck>>> out;
  for (const auto& [name, item] : items_) {
    out.emplace_back(name, item.check);
  }
  return out;
}

std::shared_ptr<HeartbeatCheck> HeartbeatRegistry::FindByToken(std::string_view token) const {
  std::shared_ptr<HeartbeatCheck> found;
  for (const auto& [name, check] : All()) {
    // Every token is compared, so the time says nothing about which matched.
    if (check->TokenMatches(token)) {
      found = check;
    }
  }
  return found;
}

std::map<std::string, std::string> HeartbeatRegistry::Outputs() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, check] : All()) {
    out[name] = check->state().output;
  }
  return out;
}

void HeartbeatRegistry::CountUnknown() {
  std::lock_guard lock(mutex_);
  ++unknown_;
}

void HeartbeatRegistry::CountUnknownToken() {
  std::lock_guard lock(mutex_);
  ++unknown_tokens_;
}

namespace {

using collectors::MetricDesc;

const MetricDesc kHeartbeatDescs[] = {
    {"vitals_heartbeat_last_timestamp_seconds",
     "Time of the last heartbeat of a heartbeat check (0: none yet).",
     prometheus::MetricType::Gauge, {"check"}},
    {"vitals_heartbeat_job_duration_seconds",
     "Duration of the last job run, from /start to its heartbeat or /fail.",
     prometheus::MetricType::Gauge, {"check"}},
    {"vitals_heartbeat_pings_total", "Accepted heartbeat requests by type (success, start, fail).",
     prometheus::MetricType::Counter, {"check", "type"}},
    {"vitals_heartbeat_rejected_total",
     "Refused heartbeat requests: wrong or missing token, unknown check, a /ping token that "
     "is no check's.",
     prometheus::MetricType::Counter, {"check", "reason"}},
    {"vitals_heartbeat_exit_code",
     "Exit status of the job's last run as it reported it (0 with a plain heartbeat); absent "
     "after a failure without one.",
     prometheus::MetricType::Gauge, {"check"}},
};

}  // namespace

std::span<const collectors::MetricDesc> HeartbeatRegistry::Descs() { return kHeartbeatDescs; }

void HeartbeatRegistry::AddSeries(collectors::MetricSink& out) const {
  const auto& [last, job, pings, rejected, exit_code] = kHeartbeatDescs;
  std::uint64_t unknown = 0;
  std::uint64_t unknown_tokens = 0;
  {
    std::lock_guard lock(mutex_);
    unknown = unknown_;
    unknown_tokens = unknown_tokens_;
  }
  const auto all = All();
  if (all.empty()) {
    return;  // no heartbeat check configured: no vitals_heartbeat_* at all
  }
  for (const auto& [name, check] : all) {
    const HeartbeatState s = check->state();
    out.Add(last, s.last_beat ? Epoch(*s.last_beat) : 0, {name});
    if (s.last_job_seconds) {
      out.Add(job, *s.last_job_seconds, {name});
    }
    for (auto [type, n] : {std::pair{"fail", s.fails}, std::pair{"start", s.starts},
                           std::pair{"success", s.beats}}) {
      out.Add(pings, static_cast<double>(n), {name, type});
    }
    out.Add(rejected, static_cast<double>(s.rejected), {name, "token"});
    if (s.exit_code) {
      out.Add(exit_code, *s.exit_code, {name});
    }
  }
  out.Add(rejected, static_cast<double>(unknown), {"", "unknown_check"});
  out.Add(rejected, static_cast<double>(unknown_tokens), {"", "unknown_token"});
}

}  // namespace vitals::health
