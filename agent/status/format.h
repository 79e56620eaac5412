#pragma once
// How the status page writes times, sizes and ratios for a person, the same
// in every locale ("1.5 GiB", "12 %", "3 min 12 s", "2024-05-01 12:00:03 UTC").

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace vitals::status {

using WallTime = std::chrono::system_clock::time_point;

// "0.42": `digits` after the point, never a decimal comma.
std::string Fixed(double value, int digits);
// "12 %", "3.4 %" (one decimal below 10), "0 %"; from a ratio 0..1.
std::string Percent(double ratio);
// "512 B", "3.2 KiB", "15.6 GiB".
std::string Bytes(double bytes);
// "45 s", "3 min 12 s", "2 h 5 min", "3 d 4 h": the two largest units.
std::string Span(std::chrono::system_clock::duration d);
// "< 1 ms", "4 ms", "1.23 s", "2 min 3 s".
std::string Took(std::chrono::nanoseconds d);
// "2024-05-01 12:00:03 UTC".
std::string Timestamp(WallTime t);
// `text` for one table cell: newlines and tabs as spaces, other control
// bytes as "\x1b", and at most `max_bytes` (cut at a UTF-8 boundary, "…").
std::string OneLine(std::string_view text, std::size_t max_bytes);

}  // namespace vitals::status
