// node_exporter's "conntrack" collector: the size and limit of netfilter's
// connection tracking table (/proc/sys/net/netfilter/nf_conntrack_{count,
// max}) and its statistics summed over the CPUs (/proc/net/stat/
// nf_conntrack). Without the nf_conntrack module the files are absent:
// "no data", as node_exporter.

#include <string>

#include "collectors/collector_registry.h"
#include "collectors/procfs/net_conntrack.h"
#include "collectors/procfs/sysctl.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_nf_conntrack_entries", "Number of currently allocated flow entries for connection tracking.",
     MetricType::Gauge, {}},
    {"node_nf_conntrack_entries_limit", "Maximum size of connection tracking table.", MetricType::Gauge, {}},
    {"node_nf_conntrack_stat_found", "Number of searched entries which were successful.",
     MetricType::Gauge, {}},
    {"node_nf_conntrack_stat_invalid", "Number of packets seen which can not be tracked.",
     MetricType::Gauge, {}},
    {"node_nf_conntrack_stat_ignore",
     "Number of packets seen which are already connected to a conntrack entry.", MetricType::Gauge, {}},
    {"node_nf_conntrack_stat_insert", "Number of entries inserted into the list.", MetricType::Gauge, {}},
    {"node_nf_conntrack_stat_insert_failed",
     "Number of entries for which list insertion was attempted but failed.", MetricType::Gauge, {}},
    {"node_nf_conntrack_stat_drop", "Number of packets dropped due to conntrack failure.",
     MetricType::Gauge, {}},
    {"node_nf_conntrack_stat_early_drop",
     "Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.",
     MetricType::Gauge, {}},
    {"node_nf_conntrack_stat_search_restart",
     "Number of conntrack table lookups which had to be restarted due to hashtable resizes.",
     MetricType::Gauge, {}},
};

constexpr std::string_view kNotLoaded = "conntrack probably not loaded";

class ConntrackCollector : public Collector {
 public:
  explicit ConntrackCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "conntrack"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  // Samples made before a file turns out absent stay, as node_exporter's.
  procfs::Result<void> Collect(MetricSink& out) override {
    std::size_t next = 0;
    for (std::string_view path : {"sys/net/netfilter/nf_conntrack_count", "sys/net/netfilter/nf_conntrack_max"}) {
      auto value = procfs::ReadSysctlNumber(proc_, path, buffer_);
      if (!value) {
        return NoDataIfAbsent(value.error(), kNotLoaded);
      }
      out.Add(kDescs[next++], static_cast<double>(*value));
    }
    auto stat = procfs::ReadConntrackStat(proc_, buffer_);
    if (!stat) {
      return NoDataIfAbsent(stat.error(), kNotLoaded);
    }
    for (std::uint64_t value : {stat->found, stat->invalid, stat->ignore, stat->insert,
                                stat->insert_failed, stat->drop, stat->early_drop, stat->search_restart}) {
      out.Add(kDescs[next++], static_cast<double>(value));
    }
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(conntrack, "Connection tracking table size and statistics, from /proc",
                          kEnabled, {}, ConntrackCollector);

}  // namespace vitals::collectors
