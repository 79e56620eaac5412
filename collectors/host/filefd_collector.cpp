#include "collectors/host/filefd_collector.h"

#include "collectors/procfs/file_nr.h"

namespace vitals::collectors {

namespace {
using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_filefd_allocated", "File descriptor statistics: allocated.", MetricType::Gauge, {}},
    {"node_filefd_maximum", "File descriptor statistics: maximum.", MetricType::Gauge, {}},
};
}  // namespace

std::span<const MetricDesc> FilefdCollector::Describe() const { return kDescs; }

procfs::Result<void> FilefdCollector::Collect(MetricSink& out) {
  auto nr = procfs::ReadFileNr(proc_, buffer_);
  if (!nr) {
    return nr.error();
  }
  out.Add(kDescs[0], static_cast<double>(nr->allocated));
  out.Add(kDescs[1], static_cast<double>(nr->maximum));
  return {};
}

}  // namespace vitals::collectors
