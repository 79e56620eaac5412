#include "config/cron.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <vector>

namespace vitals::config {

namespace {

struct Field {
  const char* name;
  int low, high;
  const char* const* names;  // names for low, low+1, ...; null: numbers only
  int name_count;
};

constexpr const char* kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

constexpr Field kFields[] = {{"minute", 0, 59, nullptr, 0},
                             {"hour", 0, 23, nullptr, 0},
                             {"day of month", 1, 31, nullptr, 0},
                             {"month", 1, 12, kMonthNames, 12},
                             {"day of week", 0, 7, kDayNames, 7}};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A number or a name of the field.
std::optional<int> Value(const Field& f, std::string_view text) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && end == text.data() + text.size()) {
    return v;
  }
  const std::string name = Lower(text);
  for (int i = 0; i < f.name_count; ++i) {
    if (name == f.names[i]) {
      return f.low + i;
    }
  }
  return std::nullopt;
}

// Sets the field's values from `text` into `bits` (indexed by value); on a
// mistake returns what is wrong.
std::string ParseField(const Field& f, std::string_view text, std::vector<bool>* bits,
                       bool* star) {
  bits->assign(static_cast<std::size_t>(f.high + 1), false);
  *star = !text.empty() && text.front() == '*';
  const std::string where = std::string(f.name) + " field \"" + std::string(text) + "\": ";
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    if (item.empty()) {
      return where + "an empty item";
    }
    std::string_view range = item;
    int step = 1;
    if (const std::size_t slash = item.find('/'); slash != std::string_view::npos) {
      range = item.substr(0, slash);
      const std::string_view s = item.substr(slash + 1);
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), step);
      if (ec != std::errc() || end != s.data() + s.size() || step < 1 || step > f.high) {
        return where + "expected a step from 1 to " + std::to_string(f.high) + " after '/', got \"" +
               std::string(s) + "\"";
      }
    }
    int low = f.low, high = f.high;
    if (range != "*") {
      const std::size_t dash = range.find('-');
      auto a = Value(f, range.substr(0, dash));
      auto b = dash == std::string_view::npos ? a : Value(f, range.substr(dash + 1));
      if (!a || !b) {
        return where + "expected a number" + (f.names != nullptr ? " or a name" : "") + " from " +
               std::to_string(f.low) + " to " + std::to_string(f.high) + ", got \"" +
               std::string(range) + "\"";
      }
      if (*a < f.low || *a > f.high || *b < f.low || *b > f.high) {
        return where + std::to_string(*a < f.low || *a > f.high ? *a : *b) + " is not within " +
               std::to_string(f.low) + "-" + std::to_string(f.high);
      }
      if (*a > *b) {
        return where + "a range must go upwards, got " + std::string(range);
      }
      low = *a;
      // "N/S" runs from N to the field's end, as in most crons that take it.
      high = dash == std::string_view::npos && item.find('/') != std::string_view::npos ? f.high : *b;
    }
    for (int v = low; v <= high; v += step) {
      (*bits)[static_cast<std::size_t>(v)] = true;
    }
    if (comma == std::string_view::npos) {
      return {};
    }
    text.remove_prefix(comma + 1);
  }
}

std::string_view Macro(std::string_view text) {
  static constexpr std::pair<std::string_view, std::string_view> kMacros[] = {
      {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
      {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
      {"@hourly", "0 * * * *"}};
  for (const auto& [name, expansion] : kMacros) {
    if (text == name) {
      return expansion;
    }
  }
  return {};
}

bool DayMatches(const CronSchedule& s, std::chrono::year_month_day ymd) {
  const auto day = static_cast<unsigned>(ymd.day());
  const auto weekday = std::chrono::weekday(std::chrono::sys_days(ymd)).c_encoding();
  const bool dom = s.days[day];
  const bool dow = s.weekdays[weekday];
  // Vixie cron: both restricted means either; otherwise both must match.
  return s.day_star || s.weekday_star ? dom && dow : dom || dow;
}

}  // namespace

std::variant<CronSchedule, std::string> ParseCron(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  if (!text.empty() && text.front() == '@') {
    const std::string_view expansion = Macro(Lower(text));
    if (expansion.empty()) {
      return "unknown \"" + std::string(text) +
             "\": expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly";
    }
    text = expansion;
  }
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    const std::size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    if (i > start) {
      fields.push_back(text.substr(start, i - start));
    }
  }
  if (fields.size() != 5) {
    return "expected 5 fields (minute hour day-of-month month day-of-week), got " +
           std::to_string(fields.size());
  }
  CronSchedule s;
  std::vector<bool> bits;
  bool star = false;
  auto field = [&](int index, auto& out, bool* out_star) -> std::string {
    std::string err = ParseField(kFields[index], fields[static_cast<std::size_t>(index)], &bits, &star);
    for (std::size_t v = 0; v < bits.size(); ++v) {
      if (bits[v]) {
        out[v % out.size()] = true;  // day of week 7 is Sunday (0)
      }
    }
    if (out_star != nullptr) {
      *out_star = star;
    }
    return err;
  };
  for (std::string err : {field(0, s.minutes, &s.minute_star), field(1, s.hours, &s.hour_star),
                          field(2, s.days, &s.day_star), field(3, s.months, nullptr),
                          field(4, s.weekdays, &s.weekday_star)}) {
    if (!err.empty()) {
      return err;
    }
  }
  return s;
}

std::optional<TimeZone::Seconds> NextRun(const CronSchedule& schedule, const TimeZone& zone,
                                         TimeZone::Seconds after) {
  using namespace std::chrono;
  constexpr TimeZone::Seconds kDay = 86'400;
  const bool fixed = !schedule.minute_star && !schedule.hour_star;
  // A local time L runs at an instant t with L = t + offset(t) >= after + 1
  // + the smallest offset near `after`: earlier local times are skipped
  // without converting them.
  const TimeZone::Seconds lowest = after + 1 + zone.LowestOffset(after - 2 * kDay, after + 2 * kDay);
  const TimeZone::Seconds first_day = (lowest >= 0 ? lowest : lowest - kDay + 1) / kDay;
  std::optional<TimeZone::Seconds> best;
  // 28 years: the calendar's cycle of weekdays and leap years.
  for (TimeZone::Seconds d = first_day; d < first_day + 28 * 366; ++d) {
    const year_month_day ymd{sys_days(days(d))};
    if (!schedule.months[static_cast<unsigned>(ymd.month())] || !DayMatches(schedule, ymd)) {
      continue;
    }
    for (int h = 0; h < 24; ++h) {
      if (!schedule.hours[static_cast<std::size_t>(h)]) {
        continue;
      }
      for (int m = 0; m < 60; ++m) {
        const TimeZone::Seconds local = d * kDay + h * 3600 + m * 60;
        if (!schedule.minutes[static_cast<std::size_t>(m)] || local < lowest) {
          continue;
        }
        // The instants this local time runs at, by cronie's rules (cron.h).
        std::vector<TimeZone::Seconds> at = zone.FromLocal(local);
        if (at.empty()) {
          if (auto end = zone.GapEnd(local); end && fixed) {
            at.push_back(*end);
          }
        } else if (at.size() == 2 && fixed) {
          at.pop_back();
        }
        for (std::size_t i = 0; i < at.size(); ++i) {
          if (at[i] <= after) {
            continue;
          }
          // The first time the clock reads a local time comes in the order
          // of local times, so it is the answer; a second reading (fall
          // back) may be passed by a later local time's first.
          if (i == 0) {
            return best ? std::min(*best, at[i]) : at[i];
          }
          best = best ? std::min(*best, at[i]) : at[i];
        }
      }
    }
  }
  return best;
}

std::optional<std::chrono::system_clock::time_point> NextRun(
    const CronSchedule& schedule, const TimeZone& zone, std::chrono::system_clock::time_point after) {
  using namespace std::chrono;
  auto next = NextRun(schedule, zone, floor<seconds>(after.time_since_epoch()).count());
  if (!next) {
    return std::nullopt;
  }
  return system_clock::time_point(duration_cast<system_clock::duration>(seconds(*next)));
}

}  // namespace vitals::config
