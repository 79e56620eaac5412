#include "collectors/host/meminfo_collector.h"

#include <prometheus/check_names.h>

#include "collectors/procfs/meminfo.h"

namespace vitals::collectors {

std::string MeminfoCollector::MetricName(std::string_view field, bool in_bytes) {
  std::string name = "node_memory_";
  for (char c : field) {
    if (c == '(') {
      name += '_';
    } else if (c != ')') {
      name += c;
    }
  }
  if (in_bytes) {
    name += "_bytes";
  }
  return name;
}

const MetricDesc& MeminfoCollector::DescFor(std::string_view field, bool in_bytes) {
  std::string key(field);
  key += in_bytes ? "/kB" : "/-";
  auto it = descs_.find(key);
  if (it == descs_.end()) {
    OwnedDesc owned;
    owned.name = MetricName(field, in_bytes);
    owned.help = "Memory information field " + owned.name.substr(12) + ".";
    it = descs_.emplace(std::move(key), std::move(owned)).first;
    // The strings live in the map node, which never moves.
    it->second.desc = MetricDesc{it->second.name, it->second.help, prometheus::MetricType::Gauge, {}};
  }
  return it->second.desc;
}

procfs::Result<void> MeminfoCollector::Collect(MetricSink& out) {
  auto fields = procfs::ReadMeminfo(proc_, buffer_);
  if (!fields) {
    return fields.error();
  }
  for (const auto& field : *fields) {
    const MetricDesc& desc = DescFor(field.name, field.in_bytes);
    if (!prometheus::CheckMetricName(std::string(desc.name))) {
      return procfs::ParseError("meminfo", "field \"" + std::string(field.name) +
                                               "\" does not make a valid metric name");
    }
  }
  for (const auto& field : *fields) {
    out.Add(DescFor(field.name, field.in_bytes), static_cast<double>(field.value));
  }
  return {};
}

}  // namespace vitals::collectors
