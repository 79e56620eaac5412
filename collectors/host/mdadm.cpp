// node_exporter's "mdadm" collector: the state, disks and sync progress of
// each md (software RAID) device, from /proc/mdstat.

#include "collectors/collector_registry.h"
#include "collectors/procfs/mdstat.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;

const MetricDesc kDescs[] = {
    {"node_md_state", "Indicates the state of md-device.", MetricType::Gauge, {"device", "state"}},
    {"node_md_disks",
     "Number of active/failed/spare disks of device.",
     MetricType::Gauge,
     {"device", "state"}},
    {"node_md_disks_required", "Total number of disks of device.", MetricType::Gauge, {"device"}},
    {"node_md_blocks", "Total number of blocks on device.", MetricType::Gauge, {"device"}},
    {"node_md_blocks_synced", "Number of blocks synced on device.", MetricType::Gauge, {"device"}},
};
enum Desc { kState, kDisks, kDisksRequired, kBlocks, kBlocksSynced };

// node_md_state's states, and the activity (procfs' name) each stands for.
constexpr std::pair<std::string_view, std::string_view> kStates[] = {
    {"active", "active"},    {"inactive", "inactive"}, {"recovering", "recovering"},
    {"resync", "resyncing"}, {"check", "checking"},
};

class MdadmCollector : public Collector {
 public:
  explicit MdadmCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "mdadm"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto text = proc_.ReadInto("mdstat", buffer_);
    if (!text) {
      return NoDataIfAbsent(text.error(), "the md driver is not loaded");
    }
    auto devices = procfs::ParseReadViewing(text, buffer_, procfs::ParseMdstat);
    if (!devices) {
      return devices.error();
    }
    for (const procfs::MdStat& md : *devices) {
      const std::string_view device = md.name;
      out.Add(kDescs[kDisksRequired], static_cast<double>(md.disks_total), {device});
      out.Add(kDescs[kDisks], static_cast<double>(md.disks_active), {device, "active"});
      out.Add(kDescs[kDisks], static_cast<double>(md.disks_failed), {device, "failed"});
      out.Add(kDescs[kDisks], static_cast<double>(md.disks_spare), {device, "spare"});
      for (const auto& [state, activity] : kStates) {
        out.Add(kDescs[kState], md.activity == activity ? 1 : 0, {device, state});
      }
      out.Add(kDescs[kBlocks], static_cast<double>(md.blocks_total), {device});
      out.Add(kDescs[kBlocksSynced], static_cast<double>(md.blocks_synced), {device});
    }
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(mdadm, "md (software RAID) devices, from /proc/mdstat", kEnabled, {},
                          MdadmCollector);

}  // namespace vitals::collectors
