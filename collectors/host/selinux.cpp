// node_exporter's "selinux" collector: whether SELinux is enabled and, if
// so, its current and configured modes (sysfs/selinux.h says from where).

#include "collectors/collector_registry.h"
#include "collectors/sysfs/selinux.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_selinux_config_mode", "Configured SELinux enforcement mode", MetricType::Gauge, {}},
    {"node_selinux_current_mode", "Current SELinux enforcement mode", MetricType::Gauge, {}},
    {"node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", MetricType::Gauge, {}},
};

class SelinuxCollector : public Collector {
 public:
  explicit SelinuxCollector(const CollectorContext& ctx) : sys_(ctx.sys), root_(ctx.root) {}
  std::string_view name() const override { return "selinux"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto selinux = sysfs::ReadSelinux(sys_, root_, buffer_);
    if (!selinux) {
      return selinux.error();
    }
    out.Add(kDescs[2], selinux->enabled ? 1 : 0);
    if (selinux->enabled) {
      out.Add(kDescs[0], selinux->config_mode);
      out.Add(kDescs[1], selinux->current_mode);
    }
    return {};
  }

 private:
  const procfs::RootDir& sys_;
  const procfs::RootDir& root_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(selinux, "SELinux state, from <sysfs>/fs/selinux and /etc/selinux/config",
                          kEnabled, {}, SelinuxCollector);

}  // namespace vitals::collectors
