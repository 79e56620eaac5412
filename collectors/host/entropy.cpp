// node_exporter's "entropy" collector: the kernel's entropy estimate and
// pool size, from /proc/sys/kernel/random (random(4)).

#include "collectors/collector_registry.h"
#include "collectors/procfs/sysctl.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_entropy_available_bits", "Bits of available entropy.", MetricType::Gauge, {}},
    {"node_entropy_pool_size_bits", "Bits of entropy pool.", MetricType::Gauge, {}},
};
constexpr std::string_view kFiles[] = {"sys/kernel/random/entropy_avail",
                                       "sys/kernel/random/poolsize"};

class EntropyCollector : public Collector {
 public:
  explicit EntropyCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "entropy"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    for (std::size_t i = 0; i < std::size(kFiles); ++i) {
      auto bits = procfs::ReadSysctlNumber(proc_, kFiles[i], buffer_);
      if (!bits) {
        return bits.error();  // node_exporter fails too, absent files included
      }
      out.Add(kDescs[i], static_cast<double>(*bits));
    }
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(entropy, "Available entropy, from /proc/sys/kernel/random", kEnabled, {},
                          EntropyCollector);

}  // namespace vitals::collectors
