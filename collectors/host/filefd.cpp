// node_exporter's "filefd" collector: node_filefd_allocated and
// node_filefd_maximum from /proc/sys/fs/file-nr.

#include "collectors/collector_registry.h"
#include "collectors/procfs/file_nr.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_filefd_allocated", "File descriptor statistics: allocated.", MetricType::Gauge, {}},
    {"node_filefd_maximum", "File descriptor statistics: maximum.", MetricType::Gauge, {}},
};

class FilefdCollector : public Collector {
 public:
  explicit FilefdCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "filefd"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto nr = procfs::ReadFileNr(proc_, buffer_);
    if (!nr) {
      return nr.error();
    }
    out.Add(kDescs[0], static_cast<double>(nr->allocated));
    out.Add(kDescs[1], static_cast<double>(nr->maximum));
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(filefd, "File handle allocation, from /proc/sys/fs/file-nr", kEnabled, {},
                          FilefdCollector);

}  // namespace vitals::collectors
