// node_exporter's "uname" collector: node_uname_info, labelled with what
// uname(2) returns (the kernel the agent runs on, whatever --path.procfs is).

#include <sys/utsname.h>

#include <cerrno>
#include <cstring>

#include "collectors/collector_registry.h"

namespace vitals::collectors {

namespace {

const MetricDesc kDescs[] = {
    {"node_uname_info", "Labeled system information as provided by the uname system call.",
     prometheus::MetricType::Gauge,
     {"sysname", "release", "version", "machine", "nodename", "domainname"}},
};

class UnameCollector : public Collector {
 public:
  explicit UnameCollector(const CollectorContext&) {}
  std::string_view name() const override { return "uname"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    struct utsname u {};
    if (::uname(&u) != 0) {
      return procfs::Error{procfs::Errc::kIo, "uname(2)", std::strerror(errno), errno};
    }
    out.Add(kDescs[0], 1, {u.sysname, u.release, u.version, u.machine, u.nodename, u.domainname});
    return {};
  }
};

}  // namespace

VITALS_REGISTER_COLLECTOR(uname, "Kernel name, release, version, machine and host name, from uname(2)",
                          kEnabled, {}, UnameCollector);

}  // namespace vitals::collectors
