#pragma once
// The Prometheus text exposition format (0.0.4), as node_exporter's textfile
// collector reads *.prom files: with prometheus/common's expfmt.TextParser
// (v0.37, what node_exporter 1.5.0 uses), whose rules this parser follows
// exactly, quirks included, so a file either exporter accepts the other
// accepts too:
//   - "# HELP name text" (escapes \\ and \n) and "# TYPE name type" (counter,
//     gauge, histogram, summary, untyped, gauge_histogram; any case), each at
//     most once per family and TYPE before the family's samples; other
//     comments are ignored;
//   - "name{label="value",...} value [timestamp]": label values escape \\, \"
//     and \n and must be UTF-8; a value is a Go float ("1.5e3", "+Inf",
//     "NaN", no hex or '_'); a timestamp is an integer; blanks and tabs
//     separate, and nothing may follow the value or timestamp (not even a
//     blank);
//   - every line ends with '\n' (a last line without one is an error);
//   - summaries and histograms gather their _count, _sum and quantile/le
//     lines by label set, once their TYPE line has named them.
// Linear in the size of the text: each byte is looked at a bounded number of
// times, labels are checked for duplicates with a hash set. No limit on sizes
// here: the caller reads a bounded file.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/procfs/result.h"

namespace vitals::sysfs {

enum class TextType : std::uint8_t { kCounter, kGauge, kSummary, kUntyped, kHistogram, kGaugeHistogram };

struct TextLabel {
  std::string name;
  std::string value;
};

struct TextMetric {
  // In line order; a summary's "quantile" and a histogram's "le" are not here.
  std::vector<TextLabel> labels;
  double value = 0;  // counter, gauge, untyped
  bool has_timestamp = false;
  // Summary and histogram: _count (converted to an integer as Go converts
  // a float64 to uint64) and _sum.
  std::uint64_t count = 0;
  double sum = 0;
  std::vector<std::pair<double, double>> quantiles;       // (quantile, value), file order
  std::vector<std::pair<double, std::uint64_t>> buckets;  // (le, cumulative count), file order
};

struct TextFamily {
  std::string name;
  std::optional<std::string> help;  // absent without a HELP line
  TextType type = TextType::kUntyped;
  std::vector<TextMetric> metrics;  // never empty: families without samples are dropped
};

// The families of `text` in the order they were first named. `path` names
// the file in errors ("<path>: parse error: line 3: expected float as value,
// got \"x\"").
procfs::Result<std::vector<TextFamily>> ParseTextfile(std::string_view path, std::string_view text);

// expfmt's parseFloat: no 'p', 'P' or '_', then Go's strconv.ParseFloat
// (procfs::detail::GoParseFloat, collectors/procfs/go_text.h).
std::optional<double> ParseTextFloat(std::string_view text);

// Go's conversion of a float64 to uint64 on amd64 (what the parser does
// with a _count or bucket value): truncation, with Go's results for
// negative, NaN and out-of-range values (-1 is 2^64-1, NaN is 2^63).
std::uint64_t GoFloatToUint64(double value);

}  // namespace vitals::sysfs
