#include "agent/status/page_model.h"

#include <algorithm>
#include <map>

#include "agent/health/report.h"
#include "agent/status/format.h"

namespace vitals::status {

namespace {

using health::HealthStatus;
using Clock = std::chrono::system_clock;

constexpr std::size_t kMaxDescription = 400;  // bytes in the cell; the title has more
constexpr std::size_t kMaxTitle = 2000;
constexpr std::size_t kMaxOutput = 200;  // of a heartbeat's last output, in the cell

std::string_view Symbol(HealthStatus status) {
  switch (status) {
    case HealthStatus::kHealthy: return "✔";
    case HealthStatus::kDegraded: return "▲";
    case HealthStatus::kUnhealthy: return "✖";
  }
  return "✖";
}

// A section with its help text and, when the README's URL is known, a link
// to its section `readme` (whose anchor is `anchor`).
Section NewSection(const PageInput& in, std::string id, std::string title, std::string help,
                   std::string_view anchor, std::string_view readme) {
  Section s;
  s.id = std::move(id);
  s.title = std::move(title);
  s.help = std::move(help);
  if (!in.docs_url.empty()) {
    s.docs = Link{"README: " + std::string(readme), in.docs_url + "#" + std::string(anchor)};
  }
  return s;
}

// ---------------------------------------------------------------- checks

// `output`: what the job sent with its last heartbeat, if it is one.
Row CheckRow(const health::EntrySnapshot& e, Clock::time_point now, const std::string* output) {
  Row row;
  row.id = "check:" + e.name;
  row.label = e.name;
  std::string tags;
  for (const auto& tag : e.tags) {
    tags += (tags.empty() ? "" : ", ") + tag;
  }
  row.label_title = "kind " + e.kind + (tags.empty() ? "" : "; tags " + tags);

  Cell status{StatusText(e.status), StatusClass(e.status)};
  if (e.pending) {
    status.title = "no result yet: a check is Unhealthy until its first result";
  } else if (e.stale) {
    status.title = "its last result is older than its staleness bound";
  }
  row.cells.push_back(std::move(status));
  Cell description(OneLine(e.description, kMaxDescription), "desc",
                   OneLine(e.description, kMaxTitle));
  if (output != nullptr && !output->empty()) {
    description.text += " — last output: " + OneLine(*output, kMaxOutput);
    description.title += "\nlast output: " + OneLine(*output, kMaxTitle);
  }
  row.cells.push_back(std::move(description));
  row.cells.push_back(Cell{Span(now - e.since), "", "since " + Timestamp(e.since)});
  if (e.last_run) {
    row.cells.push_back(Cell{Span(now - *e.last_run) + " ago", "", Timestamp(*e.last_run)});
    row.cells.push_back(Cell{Took(e.duration)});
  } else {
    row.cells.push_back(Missing("no run has finished yet"));
    row.cells.push_back(Missing("no run has finished yet"));
  }
  row.cells.push_back(
      Cell{std::to_string(e.consecutive_failures), e.consecutive_failures > 0 ? "warn" : ""});
  row.cells.push_back(Cell{std::to_string(e.transitions)});
  Cell strip;
  strip.cls = "strip";
  for (const auto& mark : e.recent) {
    strip.marks.push_back(Cell{std::string(Symbol(mark.status)), "mk " + StatusClass(mark.status),
                               Timestamp(mark.at) + ": " + std::string(StatusName(mark.status))});
  }
  if (e.recent.empty()) {
    strip.text = "none yet";
  }
  strip.title = "the last " + std::to_string(e.recent.size()) +
                " results, oldest first, before hysteresis";
  row.cells.push_back(std::move(strip));
  return row;
}

Section Checks(const PageInput& in) {
  Section s = NewSection(
      in, "checks", "Checks",
      "Every check of the health model with the status /health reports for it: the first "
      "result applies at once, later changes need failures_before_unhealthy or "
      "successes_before_healthy results in a row. The strip shows the raw results, oldest "
      "first. A check with no result yet, or whose last result is older than its staleness "
      "bound, is Unhealthy.",
      "configuration", "Configuration");
  Table& t = s.tables.emplace_back();
  t.id = "checks-table";
  t.label_column = "Check";
  t.columns = {{"Status", "As /health reports it"},
               {"Description", "What the last result said"},
               {"For", "Time in this status"},
               {"Last run", "When the last result came in"},
               {"Took", "How long the last run took", true},
               {"Failures", "Results in a row that were not Healthy", true},
               {"Transitions", "Changes of the reported status since the check was created", true},
               {"Recent results", "Oldest first"}};
  t.empty_text = "No checks are configured: add \"checks\" to --config.file.";
  // Grouped by their set of tags, so each check is listed once.
  std::map<std::string, RowGroup> groups;
  for (const auto& e : in.snapshot.entries) {
    std::string key;
    for (const auto& tag : e.tags) {
      key += (key.empty() ? "" : ", ") + tag;
    }
    RowGroup& g = groups[key];
    g.heading = key.empty() ? "no tags" : "tags: " + key;
    auto output = in.outputs.find(e.name);
    g.rows.push_back(CheckRow(e, in.now, output != in.outputs.end() ? &output->second : nullptr));
  }
  for (auto& [key, group] : groups) {
    if (!key.empty()) {
      t.groups.push_back(std::move(group));
    }
  }
  if (auto untagged = groups.find(""); untagged != groups.end()) {
    t.groups.push_back(std::move(untagged->second));  // last
  }
  return s;
}

// ---------------------------------------------------------------- groups

Section Groups(const PageInput& in, const FamilyIndex& f) {
  Section s = NewSection(
      in, "groups", "Process groups",
      "The process groups of namedprocess_namegroup_*, as the health sampler last read them. A "
      "group the config declares (a fixed name) is listed even with no process, and stands out "
      "then. CPU is the share of all CPUs between the last two samples; fd use is the highest "
      "open fds / soft limit of any process in the group.",
      "metrics", "Metrics");
  LabelColumns by_group(f, "groupname");
  std::map<std::string, const DeclaredGroup*> names;
  for (const auto& [name, sample] : by_group.Of("vitals_sample_group_num_procs")) {
    names.emplace(name, nullptr);
  }
  for (const auto& d : in.declared_groups) {
    names[d.name] = &d;
  }
  Table& t = s.tables.emplace_back();
  t.id = "groups-table";
  t.label_column = "Group";
  t.columns = {{"Processes", "Processes in the group (declared bounds in brackets)"},
               {"CPU", "Share of all CPUs between the last two samples"},
               {"Memory", "Resident memory (RSS)"},
               {"Threads", "", true},
               {"Open fds", "", true},
               {"Fd use", "Highest open fds / soft limit of any process in the group"}};
  t.empty_text = "No process groups: add \"process_groups\" to --config.file.";
  RowGroup& g = t.groups.emplace_back();
  for (const auto& [name, declared] : names) {
    Row row;
    row.id = "group:" + name;
    row.label = name;
    row.label_title = declared != nullptr ? "declared in the config" : "named from its processes";
    const auto n = by_group.At("vitals_sample_group_num_procs", name);
    if (!n) {
      row.cells.push_back(Missing("not sampled yet"));
      for (int i = 0; i < 5; ++i) {
        row.cells.push_back(Missing("not sampled yet"));
      }
      g.rows.push_back(std::move(row));
      continue;
    }
    const auto count = static_cast<std::uint64_t>(*n);
    Cell c{std::to_string(count)};
    std::string bounds;
    if (declared != nullptr && (declared->min || declared->max)) {
      bounds = " (" + (declared->min ? std::to_string(*declared->min) : std::string("0")) + "–" +
               (declared->max ? std::to_string(*declared->max) : std::string("∞")) + ")";
    }
    const bool below = declared != nullptr && declared->min && count < *declared->min;
    const bool above = declared != nullptr && declared->max && count > *declared->max;
    if (count == 0 && declared != nullptr) {
      c.text = "⚠ none running" + bounds;
      c.cls = "alert";
      c.title = "the config declares this group, and no process matches it";
    } else if (below || above) {
      c.text = "⚠ " + std::to_string(count) + bounds;
      c.cls = "alert";
      c.title = below ? "fewer than the declared minimum" : "more than the declared maximum";
    } else {
      c.text += bounds;
    }
    row.cells.push_back(std::move(c));
    const auto cpu_ratio = by_group.At("vitals_sample_group_cpu_ratio", name);
    row.cells.push_back(cpu_ratio ? Cell{Percent(*cpu_ratio)} : Missing("needs two samples"));
    const auto r = by_group.At("vitals_sample_group_memory_rss_bytes", name);
    row.cells.push_back(r ? Cell{Bytes(*r)} : Missing("not sampled"));
    const auto th = by_group.At("vitals_sample_group_num_threads", name);
    row.cells.push_back(th ? Cell{Fixed(*th, 0)} : Missing("not sampled"));
    const auto fd = by_group.At("vitals_sample_group_open_fds", name);
    row.cells.push_back(fd ? Cell{Fixed(*fd, 0)} : Missing("not readable"));
    const auto ratio = by_group.At("vitals_sample_group_worst_fd_ratio", name);
    const auto limit = by_group.At("namedprocess_namegroup_worst_fd_limit", name);
    if (ratio && count > 0) {
      Cell use{Percent(*ratio) + (limit && *limit > 0 ? " of " + Fixed(*limit, 0) : "")};
      use.meter = *ratio;
      use.cls = *ratio >= 0.9 ? "alert" : *ratio >= 0.7 ? "warn" : "";
      row.cells.push_back(std::move(use));
    } else {
      row.cells.push_back(Missing(count == 0 ? "no process" : "not readable"));
    }
    g.rows.push_back(std::move(row));
  }
  return s;
}

// ---------------------------------------------------------------- host

Section Host(const PageInput& in, const FamilyIndex& f) {
  Section s = NewSection(
      in, "host", "Host",
      "CPU, memory, load, swap and file handles as the health sampler last read them; "
      "filesystems and disks when their collectors run (node_filesystem_*, node_disk_*), from a "
      "scrape the page makes at most every 10 s while it is open.",
      "metrics", "Metrics");
  static const DiskReading kNone;
  s.tables = HostTables(f, in.previous_disks, in.disks != nullptr ? *in.disks : kNone);
  return s;
}

// ---------------------------------------------------------------- actions

Section Actions(const PageInput& in) {
  Section s = NewSection(
      in, "actions", "Recent actions",
      "Restarts, commands and signals run when a check turns Unhealthy, with their limits: an "
      "action waits out its back-off, and past its burst limit it is suppressed until the "
      "oldest run leaves the window.",
      "self-healing", "Self-healing");
  switch (in.actions_access) {
    case ActionsAccess::kDebugOff:
      s.notes.push_back("Shown when /debug/state is on (\"debug_state\": true in the health "
                        "section) to users who sign in.");
      return s;
    case ActionsAccess::kNoUsers:
      s.notes.push_back("Shown to users who sign in: configure basic_auth_users in "
                        "--web.config.file.");
      return s;
    case ActionsAccess::kNeedsSignIn:
      s.notes.push_back("Shown to users who may read /debug/state.");
      s.note_links.push_back(Link{"Sign in to see them", "/?signin"});
      return s;
    case ActionsAccess::kShown:
      break;
  }
  Table& t = s.tables.emplace_back();
  t.id = "actions-table";
  t.label_column = "Check: action";
  t.columns = {{"Does", "restart a unit, signal a group, or run a command"},
               {"State", "ready, running, backoff (waiting between runs) or suppressed "
                         "(burst limit reached)"},
               {"Last run", ""},
               {"Result", ""},
               {"Runs in window", "Runs within limit_interval, of limit_burst", true},
               {"Suppressed", "Attempts not run because of the burst limit", true},
               {"Next allowed", "When the limits let it run again"}};
  t.empty_text = "No check has actions.";
  RowGroup& g = t.groups.emplace_back();
  for (const auto& [check, state] : in.actions.items()) {
    if (!state.contains("actions")) {
      continue;
    }
    for (const auto& a : state["actions"]) {
      const std::string name = a.value("name", "");
      const std::string type = a.value("type", "");
      Row row;
      row.id = "action:" + check + "/" + name;
      row.label = check + ": " + name;
      // Commands may carry secrets in their arguments: only units and groups.
      row.cells.push_back(Cell{type == "exec" ? "run a command"
                                              : type + " " + a.value("target", "")});
      const std::string st = a.value("state", "");
      row.cells.push_back(Cell{st, st == "suppressed" ? "alert" : st == "backoff" ? "warn" : ""});
      if (a.contains("last_run") && a["last_run"].is_number()) {
        const auto at = Clock::time_point(std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(a["last_run"].get<double>())));
        row.cells.push_back(Cell{Span(in.now - at) + " ago", "", Timestamp(at)});
      } else {
        row.cells.push_back(Missing("never run"));
      }
      const std::string result =
          a.contains("last_result") && a["last_result"].is_string() ? a["last_result"].get<std::string>()
                                                                     : "";
      row.cells.push_back(Cell{result.empty() ? "—" : result,
                               result == "failure" || result == "timeout" ? "alert" : "",
                               OneLine(a.value("last_detail", ""), kMaxTitle)});
      row.cells.push_back(Cell{std::to_string(a.value("runs_in_window", 0)) + " of " +
                               std::to_string(a.value("limit_burst", 0))});
      const auto suppressed = a.value("suppressed", 0);
      row.cells.push_back(Cell{std::to_string(suppressed), suppressed > 0 ? "warn" : ""});
      const double next = a.value("next_allowed_in_seconds", 0.0);
      row.cells.push_back(Cell{next > 0 ? "in " + Span(std::chrono::duration_cast<Clock::duration>(
                                                      std::chrono::duration<double>(next)))
                                        : "now"});
      g.rows.push_back(std::move(row));
    }
  }
  return s;
}

// ---------------------------------------------------------------- collectors

Section Collectors(const PageInput& in) {
  Section s = NewSection(
      in, "collectors", "Host collectors",
      "node_exporter's collectors this agent has, which are on (--collector.<name>, "
      "--no-collector.<name>) and the values of their flags.",
      "layout", "Layout");
  Table& t = s.tables.emplace_back();
  t.id = "collectors-table";
  t.label_column = "Collector";
  t.columns = {{"State", ""}, {"What", ""}, {"Flags", "", true}};
  t.fixed = true;
  RowGroup& g = t.groups.emplace_back();
  for (const auto& c : in.collectors) {
    std::string flags;
    for (const auto& [name, value] : c.flags) {
      flags += (flags.empty() ? "--" : ", --") + name + "=" + value;
    }
    g.rows.push_back(Row{"collector:" + c.name, c.name, "",
                         {Cell(c.enabled ? "enabled" : "disabled", c.enabled ? "" : "muted"),
                          Cell(c.help, "wrap"), Cell(flags, "wrap")}});
  }
  return s;
}

}  // namespace

std::string StatusText(HealthStatus status) {
  return std::string(Symbol(status)) + " " + std::string(health::StatusName(status));
}

std::string StatusClass(HealthStatus status) {
  switch (status) {
    case HealthStatus::kHealthy: return "st st-healthy";
    case HealthStatus::kDegraded: return "st st-degraded";
    case HealthStatus::kUnhealthy: return "st st-unhealthy";
  }
  return "st st-unhealthy";
}

Page BuildPage(const PageInput& in) {
  static const std::vector<prometheus::MetricFamily> kNoFamilies;
  const FamilyIndex families(in.families != nullptr ? *in.families : kNoFamilies);
  const health::HealthReport report = health::BuildReport(in.snapshot);
  Page page;
  page.overall = Cell{StatusText(report.status), "overall " + StatusClass(report.status)};
  std::map<HealthStatus, std::vector<std::string>> by_status;
  for (const auto& e : in.snapshot.entries) {
    by_status[e.status].push_back(e.name);
  }
  std::string summary;
  if (in.snapshot.entries.empty()) {
    summary = "No checks configured.";
  } else {
    summary = std::to_string(in.snapshot.entries.size()) + " checks:";
    for (auto status : health::kAllStatuses) {
      if (auto it = by_status.find(status); it != by_status.end()) {
        summary += " " + std::to_string(it->second.size()) + " " +
                   std::string(health::StatusName(status)) + ",";
      }
    }
    summary.pop_back();
    summary += ".";
    for (auto status : {HealthStatus::kUnhealthy, HealthStatus::kDegraded}) {
      auto it = by_status.find(status);
      if (it == by_status.end()) {
        continue;
      }
      constexpr std::size_t kNamed = 5;
      summary += " " + std::string(health::StatusName(status)) + ":";
      for (std::size_t i = 0; i < it->second.size() && i < kNamed; ++i) {
        summary += (i == 0 ? " " : ", ") + it->second[i];
      }
      if (it->second.size() > kNamed) {
        summary += " and " + std::to_string(it->second.size() - kNamed) + " more";
      }
      summary += ".";
    }
  }
  page.summary = Cell{OneLine(summary, kMaxTitle), "summary"};
  page.updated = Cell{"updated " + Timestamp(in.now)};
  page.meta = in.host + " · vitals " + in.version;
  page.title = std::string(health::StatusName(report.status)) + " · vitals on " + in.host;
  page.links = {{"Metrics", in.telemetry_path}, {"Health (JSON)", "/health"}};
  if (in.actions_access == ActionsAccess::kShown) {
    page.links.push_back({"Debug state (JSON)", "/debug/state"});
  }
  if (!in.docs_url.empty()) {
    page.links.push_back({"Documentation", in.docs_url});
  }
  page.sections.push_back(Checks(in));
  page.sections.push_back(Groups(in, families));
  page.sections.push_back(Host(in, families));
  page.sections.push_back(Actions(in));
  if (!in.collectors.empty()) {
    page.sections.push_back(Collectors(in));
  }
  return page;
}

}  // namespace vitals::status
