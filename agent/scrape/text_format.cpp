#include "agent/scrape/text_format.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>

namespace vitals::scrape {

namespace {

template <class Integer>
void AppendInteger(std::string& out, Integer value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, end);
}

// TextSerializer writes a value with operator<< at precision max_digits10 - 1
// (16) in the default float format, i.e. printf's "%.16g", which to_chars
// with that precision reproduces; NaN as "Nan" (sic) and infinities as
// "+Inf"/"-Inf".
void AppendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "Nan";
  } else if (std::isinf(value)) {
    out += value < 0 ? "-Inf" : "+Inf";
  } else if (value == std::trunc(value) && std::fabs(value) < 1e15 &&
             !(value == 0 && std::signbit(value))) {
    // Most values are counts: an integer under 10^15 is what "%.16g" writes
    // for it, and an integer is several times cheaper to format.
    AppendInteger(out, static_cast<std::int64_t>(value));
  } else {
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value,
                                   std::chars_format::general,
                                   std::numeric_limits<double>::max_digits10 - 1);
    out.append(buffer, end);
  }
}

// The bytes a string must escape, as a table: one lookup per byte.
// std::string::find_first_of calls memchr on the set for each byte of the
// text, which made escaping HELP a quarter of the text writer's
// instructions (callgrind).
using EscapeSet = std::array<bool, 256>;
constexpr EscapeSet MakeEscapeSet(std::string_view special) {
  EscapeSet set{};
  for (char c : special) {
    set[static_cast<unsigned char>(c)] = true;
  }
  return set;
}
// A label value: \n, \ and " escaped, as TextSerializer does.
constexpr EscapeSet kLabelSpecial = MakeEscapeSet("\n\\\"");
// HELP text: \ and \n escaped, as the format requires. TextSerializer
// writes it raw, so a HELP read from a textfile with a newline would break
// the output; the HELP of every built-in family has neither character.
constexpr EscapeSet kHelpSpecial = MakeEscapeSet("\n\\");

// Appends `text` with the bytes of `special` escaped (\n for a newline, a
// backslash before the others). Nearly every string has none of them and is
// appended whole rather than byte by byte.
void AppendEscaped(std::string& out, const std::string& text, const EscapeSet& special) {
  auto escaped = [&](char c) { return special[static_cast<unsigned char>(c)]; };
  if (std::none_of(text.begin(), text.end(), escaped)) {
    out += text;
    return;
  }
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else {
      if (escaped(c)) {
        out += '\\';
      }
      out += c;
    }
  }
}

// The metric name, its suffix, the labels (and an extra one: quantile or le,
// a number or a literal), then a space.
struct Extra {
  const char* name = nullptr;
  double number = 0;
  const char* literal = nullptr;
};

void AppendHead(std::string& out, const prometheus::MetricFamily& family,
                const prometheus::ClientMetric& metric, const char* suffix = "", Extra extra = {}) {
  out += family.name;
  out += suffix;
  if (!metric.label.empty() || extra.name != nullptr) {
    out += '{';
    const char* separator = "";
    for (const auto& label : metric.label) {
      out += separator;
      out += label.name;
      out += "=\"";
      AppendEscaped(out, label.value, kLabelSpecial);
      out += '"';
      separator = ",";
    }
    if (extra.name != nullptr) {
      out += separator;
      out += extra.name;
      out += "=\"";
      if (extra.literal != nullptr) {
        out += extra.literal;
      } else {
        AppendValue(out, extra.number);
      }
      out += '"';
    }
    out += '}';
  }
  out += ' ';
}

void AppendTail(std::string& out, const prometheus::ClientMetric& metric) {
  if (metric.timestamp_ms != 0) {
    out += ' ';
    AppendInteger(out, metric.timestamp_ms);
  }
  out += '\n';
}

void AppendSample(std::string& out, const prometheus::MetricFamily& family,
                  const prometheus::ClientMetric& metric, double value) {
  AppendHead(out, family, metric);
  AppendValue(out, value);
  AppendTail(out, metric);
}

// The _count and _sum lines of a summary or a histogram.
void AppendCountAndSum(std::string& out, const prometheus::MetricFamily& family,
                       const prometheus::ClientMetric& metric, std::uint64_t count, double sum) {
  AppendHead(out, family, metric, "_count");
  AppendInteger(out, count);
  AppendTail(out, metric);
  AppendHead(out, family, metric, "_sum");
  AppendValue(out, sum);
  AppendTail(out, metric);
}

void AppendMetric(std::string& out, const prometheus::MetricFamily& family,
                  const prometheus::ClientMetric& metric) {
  switch (family.type) {
    case prometheus::MetricType::Counter:
      AppendSample(out, family, metric, metric.counter.value);
      break;
    case prometheus::MetricType::Gauge:
      AppendSample(out, family, metric, metric.gauge.value);
      break;
    case prometheus::MetricType::Untyped:
      AppendSample(out, family, metric, metric.untyped.value);
      break;
    case prometheus::MetricType::Summary: {
      const auto& summary = metric.summary;
      AppendCountAndSum(out, family, metric, summary.sample_count, summary.sample_sum);
      for (const auto& q : summary.quantile) {
        AppendHead(out, family, metric, "", Extra{"quantile", q.quantile});
        AppendValue(out, q.value);
        AppendTail(out, metric);
      }
      break;
    }
    case prometheus::MetricType::Histogram: {
      const auto& histogram = metric.histogram;
      AppendCountAndSum(out, family, metric, histogram.sample_count, histogram.sample_sum);
      double last = -std::numeric_limits<double>::infinity();
      for (const auto& bucket : histogram.bucket) {
        AppendHead(out, family, metric, "_bucket", Extra{"le", bucket.upper_bound});
        last = bucket.upper_bound;
        AppendInteger(out, bucket.cumulative_count);
        AppendTail(out, metric);
      }
      if (last != std::numeric_limits<double>::infinity()) {
        AppendHead(out, family, metric, "_bucket", Extra{"le", 0, "+Inf"});
        AppendInteger(out, histogram.sample_count);
        AppendTail(out, metric);
      }
      break;
    }
  }
}

const char* TypeName(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter: return "counter";
    case prometheus::MetricType::Gauge: return "gauge";
    case prometheus::MetricType::Summary: return "summary";
    case prometheus::MetricType::Untyped: return "untyped";
    case prometheus::MetricType::Histogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

void AppendTextFormat(std::string& out, const std::vector<prometheus::MetricFamily>& families) {
  for (const auto& family : families) {
    if (!family.help.empty()) {
      out += "# HELP ";
      out += family.name;
      out += ' ';
      AppendEscaped(out, family.help, kHelpSpecial);
      out += '\n';
    }
    out += "# TYPE ";
    out += family.name;
    out += ' ';
    out += TypeName(family.type);
    out += '\n';
    for (const auto& metric : family.metric) {
      AppendMetric(out, family, metric);
    }
  }
}

}  // namespace vitals::scrape
