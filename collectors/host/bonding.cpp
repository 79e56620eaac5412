// node_exporter's "bonding" collector: per bonding master the number of
// slaves and of slaves whose link is up (/sys/class/net/bonding_masters and
// each bond's files). Without bonds (no bonding_masters) "no data", as
// node_exporter.

#include <string>

#include "collectors/collector_registry.h"
#include "collectors/sysfs/bonding.h"

namespace vitals::collectors {

namespace {

const MetricDesc kDescs[] = {
    {"node_bonding_slaves", "Number of configured slaves per bonding interface.",
     prometheus::MetricType::Gauge, {"master"}},
    {"node_bonding_active", "Number of active slaves per bonding interface.", prometheus::MetricType::Gauge,
     {"master"}},
};

class BondingCollector : public Collector {
 public:
  explicit BondingCollector(const CollectorContext& ctx) : sys_(ctx.sys) {}
  std::string_view name() const override { return "bonding"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto bonds = sysfs::ReadBonding(sys_, buffer_);
    if (!bonds) {
      return NoDataIfAbsent(bonds.error(), "not collecting bonding");
    }
    for (const sysfs::Bond& bond : *bonds) {
      out.Add(kDescs[0], bond.slaves, {bond.master});
      out.Add(kDescs[1], bond.active, {bond.master});
    }
    return {};
  }

 private:
  const procfs::RootDir& sys_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(bonding, "Bonded network interfaces' slaves, from /sys/class/net", kEnabled, {},
                          BondingCollector);

}  // namespace vitals::collectors
