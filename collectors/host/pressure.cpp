// node_exporter's "pressure" collector: total time stalled on CPU, I/O and
// memory, from /proc/pressure/* (PSI, Linux >= 4.20 with CONFIG_PSI).

#include <cerrno>

#include "collectors/collector_registry.h"
#include "collectors/procfs/pressure.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_pressure_cpu_waiting_seconds_total",
     "Total time in seconds that processes have waited for CPU time", MetricType::Counter, {}},
    {"node_pressure_io_waiting_seconds_total",
     "Total time in seconds that processes have waited due to IO congestion", MetricType::Counter,
     {}},
    {"node_pressure_io_stalled_seconds_total",
     "Total time in seconds no process could make progress due to IO congestion",
     MetricType::Counter, {}},
    {"node_pressure_memory_waiting_seconds_total",
     "Total time in seconds that processes have waited for memory", MetricType::Counter, {}},
    {"node_pressure_memory_stalled_seconds_total",
     "Total time in seconds no process could make progress due to memory congestion",
     MetricType::Counter, {}},
};

// Each resource's file, and its "some" and "full" families (null: not exported).
struct Resource {
  std::string_view name;
  const MetricDesc* some;
  const MetricDesc* full;
};
const Resource kResources[] = {
    {"cpu", &kDescs[0], nullptr},
    {"io", &kDescs[1], &kDescs[2]},
    {"memory", &kDescs[3], &kDescs[4]},
};

// Microseconds as seconds, divided as node_exporter divides them (by 1000
// twice): dividing by 1e6 at once can differ in the last bit.
double Seconds(std::uint64_t us) { return static_cast<double>(us) / 1000.0 / 1000.0; }

class PressureCollector : public Collector {
 public:
  explicit PressureCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "pressure"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    for (const Resource& resource : kResources) {
      auto psi = procfs::ReadPsi(proc_, resource.name, buffer_);
      if (!psi) {
        const procfs::Error& e = psi.error();
        if (e.sys_errno == EOPNOTSUPP) {
          return NoData(e.path, "pressure information is disabled: boot with psi=1");
        }
        return NoDataIfAbsent(
            e, "pressure information is unavailable: it needs Linux >= 4.20 with CONFIG_PSI");
      }
      // node_exporter dereferences both lines unchecked: a file without one
      // is not what the kernel writes.
      if (!psi->some || (resource.full != nullptr && !psi->full)) {
        return procfs::ParseError("pressure/" + std::string(resource.name),
                                  psi->some ? "no \"full\" line" : "no \"some\" line");
      }
      out.Add(*resource.some, Seconds(psi->some->total));
      if (resource.full != nullptr) {
        out.Add(*resource.full, Seconds(psi->full->total));
      }
    }
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(pressure, "Pressure stall information, from /proc/pressure", kEnabled, {},
                          PressureCollector);

}  // namespace vitals::collectors
