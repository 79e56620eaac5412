// node_exporter's "ipvs" collector: IPVS totals (/proc/net/ip_vs_stats) and
// per real server its connections and weight (/proc/net/ip_vs), summed over
// the servers that share the labels chosen by --collector.ipvs.backend-labels.
// Without the ip_vs module the files are absent: "no data", as node_exporter.

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "collectors/collector_registry.h"
#include "collectors/procfs/net_ip_vs.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;

// In the order node_exporter gives the labels, whatever the flag's order.
constexpr std::array<std::string_view, 6> kBackendLabels = {
    "local_address", "local_port", "remote_address", "remote_port", "proto", "local_mark"};

const FlagSpec kFlags[] = {
    {"collector.ipvs.backend-labels", FlagKind::kString,
     "local_address,local_port,remote_address,remote_port,proto,local_mark",
     "Comma separated list for IPVS backend stats labels."},
};

const MetricDesc kTotals[] = {
    {"node_ipvs_connections_total", "The total number of connections made.", MetricType::Counter, {}},
    {"node_ipvs_incoming_packets_total", "The total number of incoming packets.", MetricType::Counter, {}},
    {"node_ipvs_outgoing_packets_total", "The total number of outgoing packets.", MetricType::Counter, {}},
    {"node_ipvs_incoming_bytes_total", "The total amount of incoming data.", MetricType::Counter, {}},
    {"node_ipvs_outgoing_bytes_total", "The total amount of outgoing data.", MetricType::Counter, {}},
};

// The chosen labels (indices into kBackendLabels), or why the flag is wrong:
// node_exporter refuses to start on a label it does not know.
std::vector<std::size_t> ParseBackendLabels(std::string_view flag) {
  std::vector<bool> chosen(kBackendLabels.size(), false);
  std::set<std::string_view> unknown;  // sorted, as node_exporter lists them
  for (std::size_t comma = 0; comma != std::string_view::npos;) {
    comma = flag.find(',');
    std::string_view label = flag.substr(0, comma);
    flag.remove_prefix(comma == std::string_view::npos ? flag.size() : comma + 1);
    auto known = std::find(kBackendLabels.begin(), kBackendLabels.end(), label);
    if (known != kBackendLabels.end()) {
      chosen[static_cast<std::size_t>(known - kBackendLabels.begin())] = true;
    } else if (!label.empty()) {
      unknown.insert(label);
    }
  }
  if (!unknown.empty()) {
    std::string names;
    for (std::string_view label : unknown) {
      names += (names.empty() ? "" : ", ") + std::string(label);
    }
    throw std::invalid_argument("--collector.ipvs.backend-labels: unknown IPVS backend labels: \"" +
                                names + "\"");
  }
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if (chosen[i]) {
      out.push_back(i);
    }
  }
  return out;
}

class IpvsCollector : public Collector {
 public:
  explicit IpvsCollector(const CollectorContext& ctx)
      : proc_(ctx.proc), labels_(ParseBackendLabels(ctx.flags.String("collector.ipvs.backend-labels"))) {
    std::vector<std::string_view> names;
    for (std::size_t i : labels_) {
      names.push_back(kBackendLabels[i]);
    }
    descs_.assign(std::begin(kTotals), std::end(kTotals));
    descs_.push_back({"node_ipvs_backend_connections_active",
                      "The current active connections by local and remote address.", MetricType::Gauge, names});
    descs_.push_back({"node_ipvs_backend_connections_inactive",
                      "The current inactive connections by local and remote address.", MetricType::Gauge,
                      names});
    descs_.push_back({"node_ipvs_backend_weight", "The current backend weight by local and remote address.",
                      MetricType::Gauge, names});
  }
  std::string_view name() const override { return "ipvs"; }
  std::span<const MetricDesc> Describe() const override { return descs_; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto stats = procfs::ReadIpVsStats(proc_, buffer_);
    if (!stats) {
      return NoDataIfAbsent(stats.error(), "ipvs collector metrics are not available for this system");
    }
    std::size_t next = 0;
    for (std::uint64_t value : {stats->connections, stats->incoming_packets, stats->outgoing_packets,
                                stats->incoming_bytes, stats->outgoing_bytes}) {
      out.Add(descs_[next++], static_cast<double>(value));
    }
    if (auto read = procfs::ReadIpVsBackends(proc_, buffer_, backends_); !read) {
      return read;
    }
    // Servers with the same chosen labels are one series (their sums).
    struct Sums {
      std::uint64_t active = 0, inactive = 0, weight = 0;
    };
    std::map<std::vector<std::string>, Sums> series;
    for (const procfs::IpVsBackend& backend : backends_) {
      const std::array<std::string, 6> all = {
          backend.local_address, std::to_string(backend.local_port), backend.remote_address,
          std::to_string(backend.remote_port), std::string(backend.proto), std::string(backend.local_mark)};
      std::vector<std::string> key;
      for (std::size_t i : labels_) {
        key.push_back(all[i]);
      }
      Sums& sums = series[std::move(key)];
      sums.active += backend.active_connections;
      sums.inactive += backend.inactive_connections;
      sums.weight += backend.weight;
    }
    std::vector<std::string_view> values;
    for (const auto& [key, sums] : series) {
      values.assign(key.begin(), key.end());
      out.Add(descs_[5], static_cast<double>(sums.active), values);
      out.Add(descs_[6], static_cast<double>(sums.inactive), values);
      out.Add(descs_[7], static_cast<double>(sums.weight), values);
    }
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  const std::vector<std::size_t> labels_;
  std::vector<MetricDesc> descs_;  // the totals, then the three backend families
  std::string buffer_;
  std::vector<procfs::IpVsBackend> backends_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(ipvs, "IPVS totals and real servers, from /proc/net/ip_vs*", kEnabled, kFlags,
                          IpvsCollector);

}  // namespace vitals::collectors
