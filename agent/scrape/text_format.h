#pragma once
// The Prometheus text format (0.0.4) of a scrape, written straight into a
// string. Byte for byte what prometheus::TextSerializer writes (the test
// compares them), at a fraction of its cost: the library formats every value
// through std::ostream (locale, sentry, vsnprintf), which was four fifths of
// a scrape's instructions with the host collectors (callgrind); here a value
// is one std::to_chars with the same "%.16g" format. One difference: HELP is
// escaped (backslash and newline), as the format requires and TextSerializer
// omits.

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace vitals::scrape {

// Appends `families` to `out` as TextSerializer::Serialize would write them.
void AppendTextFormat(std::string& out, const std::vector<prometheus::MetricFamily>& families);

}  // namespace vitals::scrape
