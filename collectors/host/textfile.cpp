// node_exporter's "textfile" collector: metrics that cron jobs and scripts
// write as *.prom files in the Prometheus text format, in the directory (or
// the directories a glob matches) of --collector.textfile.directory, merged
// per family across files; node_textfile_mtime_seconds{file} for each file
// read, node_textfile_scrape_error when a directory or file could not be
// read or parsed. A bad file is left out whole, logged, and the others
// still serve, as in node_exporter 1.5.0, whose rules this follows:
//   - files: every *.prom entry of each directory, in name order; a file with
//     a timestamp on any sample is rejected whole;
//   - a family without HELP gets "Metric read from <files>" (every file that
//     has it);
//   - families of the same name from several files are merged as
//     node_exporter's registry merges them: a series whose HELP or type
//     differs from the family's first, that repeats a series already seen
//     (same labels), or whose name collides with a summary's or histogram's
//     _count/_sum/_bucket, is dropped and logged; the first file wins;
//   - within a family of one file, a label some series lack is added to them
//     with an empty value.
// The parser is ours (collectors/sysfs/textfile.h). Files are read through
// RootDir: non-blocking, regular files only, at most 16 MiB each.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "collectors/collector_registry.h"
#include "collectors/sysfs/go_glob.h"
#include "collectors/sysfs/textfile.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
using sysfs::TextFamily;
using sysfs::TextType;

const FlagSpec kFlags[] = {
    // Debian's node_exporter default (the upstream binary's is "").
    {"collector.textfile.directory", FlagKind::kString, "/var/lib/prometheus/node-exporter",
     "Directory to read text files with metrics from."},
};

const MetricDesc kDescs[] = {
    {"node_textfile_mtime_seconds", "Unixtime mtime of textfiles successfully read.",
     MetricType::Gauge, {"file"}},
    {"node_textfile_scrape_error", "1 if there was an error opening or reading a file, 0 otherwise",
     MetricType::Gauge, {}},
};

MetricType ToMetricType(TextType type) {
  switch (type) {
    case TextType::kCounter: return MetricType::Counter;
    case TextType::kGauge: return MetricType::Gauge;
    case TextType::kSummary: return MetricType::Summary;
    case TextType::kHistogram: return MetricType::Histogram;
    case TextType::kUntyped:
    case TextType::kGaugeHistogram: break;  // never with samples (the parser rejects them)
  }
  return MetricType::Untyped;
}

// Labels a file may make once every series has its family's label names.
constexpr std::size_t kMaxPaddedLabels = 1'000'000;

// A file read and parsed.
struct FileFamilies {
  std::string file;  // the "file" label: filepath.Join(directory, name)
  std::vector<TextFamily> families;
};

// Why a series of `family` cannot join the families gathered so far, as
// node_exporter's registry (client_golang 1.14) decides; empty if it can.
std::string Conflict(const std::map<std::string, prometheus::MetricFamily, std::less<>>& out,
                     const std::string& name, const std::string& help, MetricType type) {
  if (auto it = out.find(name); it != out.end()) {
    if (it->second.help != help) {
      return "has help \"" + help + "\" but should have \"" + it->second.help + "\"";
    }
    if (it->second.type != type) {
      return "has another type than the family collected first";
    }
    return {};
  }
  // A new family: its name must not collide with a summary's or a
  // histogram's series, nor they with its.
  for (std::string_view suffix : {"_count", "_sum", "_bucket"}) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      auto base = out.find(std::string_view(name).substr(0, name.size() - suffix.size()));
      if (base != out.end() &&
          ((base->second.type == MetricType::Summary && suffix != "_bucket") ||
           base->second.type == MetricType::Histogram)) {
        return "collides with the summary or histogram " + base->first;
      }
    }
  }
  if (type == MetricType::Summary || type == MetricType::Histogram) {
    for (std::string_view suffix : {"_count", "_sum", "_bucket"}) {
      if (suffix == "_bucket" && type != MetricType::Histogram) {
        continue;
      }
      if (out.count(name + std::string(suffix)) != 0) {
        return "collides with the metric " + name + std::string(suffix);
      }
    }
  }
  return {};
}

// The sample of one parsed series as prometheus-cpp holds it: quantiles and
// buckets by bound, the last of equal bounds winning (node_exporter keeps
// them in a map), sorted; NaN bounds last.
template <class V, class Out>
void ByBound(const std::vector<std::pair<double, V>>& in, Out add) {
  std::map<double, V> sorted;
  std::vector<std::pair<double, V>> nan;
  for (const auto& [bound, value] : in) {
    if (std::isnan(bound)) {
      nan.emplace_back(bound, value);
    } else {
      sorted[bound] = value;
    }
  }
  for (const auto& [bound, value] : sorted) {
    add(bound, value);
  }
  for (const auto& [bound, value] : nan) {
    add(bound, value);
  }
}

prometheus::ClientMetric ToClientMetric(const sysfs::TextMetric& m, TextType type,
                                        std::vector<prometheus::ClientMetric::Label> labels) {
  prometheus::ClientMetric out;
  out.label = std::move(labels);
  switch (type) {
    case TextType::kCounter: out.counter.value = m.value; break;
    case TextType::kGauge: out.gauge.value = m.value; break;
    case TextType::kSummary:
      out.summary.sample_count = m.count;
      out.summary.sample_sum = m.sum;
      ByBound(m.quantiles, [&](double q, double v) { out.summary.quantile.push_back({q, v}); });
      break;
    case TextType::kHistogram:
      out.histogram.sample_count = m.count;
      out.histogram.sample_sum = m.sum;
      ByBound(m.buckets, [&](double le, std::uint64_t n) {
        out.histogram.bucket.push_back({n, le});
      });
      break;
    case TextType::kUntyped:
    case TextType::kGaugeHistogram: out.untyped.value = m.value; break;
  }
  return out;
}

std::string SeriesKey(const std::string& name,
                      const std::vector<prometheus::ClientMetric::Label>& labels) {
  std::string key = name;
  for (const auto& label : labels) {
    key += '\xff';
    key += label.name;
    key += '\xff';
    key += label.value;
  }
  return key;
}

// name{label="value",...} for a log line.
std::string SeriesText(const std::string& name,
                     const std::vector<prometheus::ClientMetric::Label>& labels) {
  std::string out = name + "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    out += (i == 0 ? "" : ",") + labels[i].name + "=\"" + labels[i].value + "\"";
  }
  return out + "}";
}

class TextfileCollector : public Collector {
 public:
  explicit TextfileCollector(const CollectorContext& ctx)
      : directory_(ctx.flags.String("collector.textfile.directory")) {}
  std::string_view name() const override { return "textfile"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }
  // Any name a file holds.
  std::string_view derived_prefix() const override { return ""; }

  procfs::Result<void> Collect(MetricSink& out) override {
    bool errored = false;
    std::vector<FileFamilies> files;
    std::vector<std::pair<std::string, double>> mtimes;
    // The flag is a glob; no match, or a bad pattern, reads it as one directory.
    auto matches = sysfs::GoGlob(directory_);
    std::vector<std::string> directories =
        matches && !matches->empty() ? std::move(*matches) : std::vector<std::string>{directory_};
    for (const std::string& directory : directories) {
      if (directory.empty()) {
        continue;  // node_exporter's default upstream: no directory, no error
      }
      auto dir = procfs::RootDir::Open(directory);
      auto names = dir ? dir->Entries(".") : dir.error();
      if (!names) {
        errored = true;
        out.Warn("failed to read textfile collector directory \"" + directory +
                 "\": " + names.error().detail);
        continue;
      }
      for (const std::string& name : *names) {
        if (!name.ends_with(".prom")) {
          continue;
        }
        std::string file = sysfs::GoJoin(directory, name);
        if (auto parsed = ReadFile(*dir, name, file); !parsed) {
          errored = true;
          out.Warn(parsed.error().ToString());
        } else {
          mtimes.emplace_back(file, *parsed);
        }
      }
      procfs::RootDir::ReleaseLargeBuffer(buffer_);
    }
    Merge(out);
    for (const auto& [file, mtime] : mtimes) {
      out.Add(kDescs[0], mtime, {file});
    }
    out.Add(kDescs[1], errored ? 1 : 0);
    parsed_.clear();
    return {};
  }

 private:
  // Reads and parses one file into parsed_; its mtime in whole seconds (as
  // node_exporter truncates it), or why the file is left out.
  procfs::Result<double> ReadFile(const procfs::RootDir& dir, const std::string& name,
                                  const std::string& file) {
    struct timespec mtime {};
    auto text = dir.ReadInto(name, buffer_, &mtime);
    if (!text) {
      return procfs::Error{text.error().code, file,
                           "failed to open textfile data file: " + text.error().detail};
    }
    auto families = sysfs::ParseTextfile(file, *text);
    if (!families) {
      return families.error();
    }
    std::size_t padded_labels = 0;
    for (const TextFamily& family : *families) {
      std::set<std::string_view> label_names;
      for (const auto& metric : family.metrics) {
        if (metric.has_timestamp) {
          return procfs::ParseError(
              file, "contains unsupported client-side timestamps, skipping entire file");
        }
        for (const auto& label : metric.labels) {
          // node_exporter 1.5.0 panics on these (client_golang reserves them).
          if (label.name.starts_with("__")) {
            return procfs::ParseError(file, "metric " + family.name + ": label name \"" +
                                                label.name + "\" is reserved (starts with \"__\")");
          }
          label_names.insert(label.name);
        }
      }
      // Each series gets every label name of its family: bounded, as a
      // 16 MiB file of series with distinct label names would otherwise
      // make terabytes of empty labels.
      padded_labels += family.metrics.size() * label_names.size();
      if (padded_labels > kMaxPaddedLabels) {
        return procfs::ParseError(file, "more than " + std::to_string(kMaxPaddedLabels) +
                                            " labels once each series has every label name "
                                            "of its family");
      }
    }
    parsed_.push_back({file, std::move(*families)});
    // UnixNano() / 1e9 in Go: truncated towards zero.
    const std::int64_t seconds = mtime.tv_sec + (mtime.tv_sec < 0 && mtime.tv_nsec > 0 ? 1 : 0);
    return static_cast<double>(seconds);
  }

  // Adds the parsed families to `out`, merged by name as node_exporter's
  // registry merges them (see the top of this file).
  void Merge(MetricSink& out) {
    std::unordered_map<std::string, std::vector<std::string_view>> files_of;
    for (const FileFamilies& f : parsed_) {
      for (const TextFamily& family : f.families) {
        files_of[family.name].push_back(f.file);
      }
    }
    std::map<std::string, prometheus::MetricFamily, std::less<>> merged;
    std::unordered_set<std::string> series;
    for (const FileFamilies& f : parsed_) {
      for (const TextFamily& family : f.families) {
        std::string help;
        if (family.help) {
          help = *family.help;
        } else {
          help = "Metric read from ";
          for (std::size_t i = 0; i < files_of[family.name].size(); ++i) {
            help += (i == 0 ? "" : ", ");
            help += files_of[family.name][i];
          }
        }
        const MetricType type = ToMetricType(family.type);
        std::set<std::string_view> label_names;
        for (const auto& metric : family.metrics) {
          for (const auto& label : metric.labels) {
            label_names.insert(label.name);
          }
        }
        for (const auto& metric : family.metrics) {
          // Every label name of the family, sorted, with this series' value or "".
          std::vector<const sysfs::TextLabel*> own;
          own.reserve(metric.labels.size());
          for (const auto& label : metric.labels) {
            own.push_back(&label);
          }
          std::sort(own.begin(), own.end(), [](const auto* a, const auto* b) { return a->name < b->name; });
          std::vector<prometheus::ClientMetric::Label> labels;
          labels.reserve(label_names.size());
          auto next = own.begin();
          for (std::string_view name : label_names) {
            const bool has = next != own.end() && (*next)->name == name;
            labels.push_back({std::string(name), has ? (*next++)->value : std::string()});
          }
          std::string why = Conflict(merged, family.name, help, type);
          if (why.empty() && !series.insert(SeriesKey(family.name, labels)).second) {
            why = "was collected before with the same name and label values";
          }
          if (!why.empty()) {
            out.Warn(f.file + ": series " + SeriesText(family.name, labels) + " dropped: " + why);
            continue;
          }
          auto [it, inserted] = merged.try_emplace(family.name);
          if (inserted) {
            it->second.name = family.name;
            it->second.help = help;
            it->second.type = type;
          }
          it->second.metric.push_back(ToClientMetric(metric, family.type, std::move(labels)));
        }
      }
    }
    for (auto& [name, family] : merged) {
      out.Add(std::move(family));
    }
  }

  const std::string directory_;
  std::string buffer_;
  std::vector<FileFamilies> parsed_;  // this scrape's files
};

}  // namespace

VITALS_REGISTER_COLLECTOR(textfile,
                          "Metrics from *.prom files in --collector.textfile.directory",
                          kEnabled, kFlags, TextfileCollector);

}  // namespace vitals::collectors
