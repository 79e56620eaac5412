#include "config/time_zone.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace vitals::config {

namespace {

using Seconds = TimeZone::Seconds;

constexpr std::size_t kMaxFileBytes = 256 * 1024;  // the largest zone file is ~4 KiB
constexpr std::int32_t kMaxOffset = 26 * 3600;     // RFC 8536: -25:59:59 to +25:59:59
constexpr Seconds kDay = 86'400;

// Reads a regular file of at most kMaxFileBytes without blocking on a FIFO
// or a device; nullopt with `error` set when it cannot.
std::optional<std::string> ReadSmallFile(const std::string& path, std::string* error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    *error = std::strerror(errno);
    if (errno == ENOENT) {
      *error += " (no such zone, or tzdata is not installed)";
    }
    return std::nullopt;
  }
  struct stat st {};
  std::string out;
  if (::fstat(fd, &st) != 0) {
    *error = std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    *error = "not a regular file";
  } else if (static_cast<std::size_t>(st.st_size) > kMaxFileBytes) {
    *error = "larger than " + std::to_string(kMaxFileBytes) + " bytes";
  } else {
    out.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < out.size()) {
      const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
      if (n <= 0) {
        *error = n == 0 ? "shorter than its size" : std::strerror(errno);
        break;
      }
      got += static_cast<std::size_t>(n);
    }
  }
  ::close(fd);
  if (!error->empty()) {
    return std::nullopt;
  }
  return out;
}

int YearOf(Seconds utc) {
  using namespace std::chrono;
  const auto day = sys_days(days(utc >= 0 ? utc / kDay : (utc - kDay + 1) / kDay));
  return static_cast<int>(year_month_day(day).year());
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '/') {
    return false;
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find('/', start), name.size());
    const std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return false;
    }
    for (char c : part) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '+' &&
          c != '.') {
        return false;
      }
    }
    start = end + 1;
  }
  return true;
}

// Big-endian reads from a TZif file, with bounds checks.
class Cursor {
 public:
  explicit Cursor(std::string_view data) : data_(data) {}
  bool Has(std::size_t n) const { return pos_ + n <= data_.size(); }
  std::int64_t Int(std::size_t width) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) {
      v = (v << 8) | static_cast<unsigned char>(data_[pos_ + i]);
    }
    pos_ += width;
    if (width == 4) {
      return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    }
    return static_cast<std::int64_t>(v);
  }
  void Skip(std::size_t n) { pos_ += n; }
  std::size_t pos() const { return pos_; }
  std::string_view Rest() const { return data_.substr(pos_); }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

// ------------------------------------------------------- POSIX TZ strings

// A rule of a POSIX TZ string ("M3.5.0/3", "J60", "59/2").
struct DateRule {
  enum Kind { kMonthWeekDay, kJulianNoLeap, kDayOfYear } kind = kMonthWeekDay;
  int month = 0, week = 0, weekday = 0;  // Mm.w.d
  int day = 0;                           // Jn (1..365) or n (0..365)
  std::int32_t time = 2 * 3600;          // local time of day, may be < 0 or > 24 h
};

struct PosixTz {
  std::int32_t std_offset = 0;  // seconds east of UTC
  std::optional<std::int32_t> dst_offset;
  DateRule start, end;
};

class TzParser {
 public:
  explicit TzParser(std::string_view s) : s_(s) {}

  std::optional<PosixTz> Parse() {
    PosixTz tz;
    if (!Name()) {
      return std::nullopt;
    }
    auto std_off = Offset(24);
    if (!std_off) {
      return std::nullopt;
    }
    tz.std_offset = -*std_off;  // POSIX counts west of UTC
    if (AtEnd()) {
      return tz;
    }
    if (!Name()) {
      return std::nullopt;
    }
    tz.dst_offset = tz.std_offset + 3600;
    if (!AtEnd() && Peek() != ',') {
      auto dst_off = Offset(24);
      if (!dst_off) {
        return std::nullopt;
      }
      tz.dst_offset = -*dst_off;
    }
    if (!Eat(',') || !Rule(&tz.start) || !Eat(',') || !Rule(&tz.end) || !AtEnd()) {
      return std::nullopt;  // a footer with DST always has its rules
    }
    return tz;
  }

 private:
  bool AtEnd() const { return i_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[i_]; }
  bool Eat(char c) {
    if (Peek() != c) {
      return false;
    }
    ++i_;
    return true;
  }
  std::optional<int> Number(int max) {
    int v = 0;
    std::size_t digits = 0;
    while (std::isdigit(static_cast<unsigned char>(Peek())) && digits < 4) {
      v = v * 10 + (s_[i_++] - '0');
      ++digits;
    }
    if (digits == 0 || v > max) {
      return std::nullopt;
    }
    return v;
  }
  bool Name() {
    if (Eat('<')) {
      const std::size_t close = s_.find('>', i_);
      if (close == std::string_view::npos || close - i_ < 3) {
        return false;
      }
      i_ = close + 1;
      return true;
    }
    std::size_t n = 0;
    while (std::isalpha(static_cast<unsigned char>(Peek()))) {
      ++i_;
      ++n;
    }
    return n >= 3;
  }
  // [+-]hh[:mm[:ss]] in seconds; hours up to `max_hours`.
  std::optional<std::int32_t> Offset(int max_hours) {
    int sign = 1;
    if (Eat('-')) {
      sign = -1;
    } else {
      Eat('+');
    }
    auto h = Number(max_hours);
    if (!h) {
      return std::nullopt;
    }
    std::int32_t v = *h * 3600;
    for (int unit : {60, 1}) {
      if (!Eat(':')) {
        break;
      }
      auto part = Number(59);
      if (!part) {
        return std::nullopt;
      }
      v += *part * unit;
    }
    return sign * v;
  }
  bool Rule(DateRule* r) {
    if (Eat('M')) {
      auto m = Number(12);
      if (!m || *m < 1 || !Eat('.')) {
        return false;
      }
      auto w = Number(5);
      if (!w || *w < 1 || !Eat('.')) {
        return false;
      }
      auto d = Number(6);
      if (!d) {
        return false;
      }
      r->kind = DateRule::kMonthWeekDay;
      r->month = *m;
      r->week = *w;
      r->weekday = *d;
    } else if (Eat('J')) {
      auto n = Number(365);
      if (!n || *n < 1) {
        return false;
      }
      r->kind = DateRule::kJulianNoLeap;
      r->day = *n;
    } else {
      auto n = Number(365);
      if (!n) {
        return false;
      }
      r->kind = DateRule::kDayOfYear;
      r->day = *n;
    }
    if (Eat('/')) {
      auto t = Offset(167);  // RFC 8536 allows -167..167 hours
      if (!t) {
        return false;
      }
      r->time = *t;
    }
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

// Days since 1970-01-01 of the day the rule names in `year`.
Seconds RuleDay(const DateRule& r, int year) {
  using namespace std::chrono;
  const auto y = std::chrono::year(year);
  switch (r.kind) {
    case DateRule::kJulianNoLeap: {
      // 1..365, February 29 is never counted.
      int n = r.day;
      if (y.is_leap() && n >= 60) {
        ++n;
      }
      return (sys_days(y / January / 1) + days(n - 1)).time_since_epoch().count();
    }
    case DateRule::kDayOfYear:
      return (sys_days(y / January / 1) + days(r.day)).time_since_epoch().count();
    case DateRule::kMonthWeekDay: {
      const auto m = month(static_cast<unsigned>(r.month));
      const weekday wd(static_cast<unsigned>(r.weekday));
      const sys_days first = sys_days(y / m / 1);
      sys_days day = first + (wd - weekday(first)) + weeks(r.week - 1);
      const sys_days last = sys_days(y / m / std::chrono::last);
      while (day > last) {
        day -= weeks(1);  // week 5: the last such day of the month
      }
      return day.time_since_epoch().count();
    }
  }
  return 0;
}

}  // namespace

TimeZone TimeZone::Utc() {
  TimeZone z;
  z.name_ = "UTC";
  return z;
}

std::variant<TimeZone, std::string> TimeZone::Load(std::string_view name) {
  if (name == "UTC") {
    return Utc();
  }
  std::string path;
  if (name == "localtime") {
    path = "/etc/localtime";
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
      TimeZone z = Utc();
      z.name_ = "localtime (UTC: no /etc/localtime)";
      return z;
    }
  } else {
    if (!ValidName(name)) {
      return "expected a tz database name like \"Europe/Berlin\", got \"" + std::string(name) +
             "\"";
    }
    const char* dir = std::getenv("TZDIR");
    path = std::string(dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo") + "/" +
           std::string(name);
  }
  std::string error;
  auto data = ReadSmallFile(path, &error);
  if (!data) {
    return "time zone \"" + std::string(name) + "\": cannot read " + path + ": " + error;
  }
  auto zone = Parse(*data, std::string(name));
  if (auto* err = std::get_if<std::string>(&zone)) {
    return "time zone \"" + std::string(name) + "\": " + path + ": " + *err;
  }
  return zone;
}

std::variant<TimeZone, std::string> TimeZone::Parse(std::string_view tzif, std::string name) {
  Cursor c(tzif);
  auto header = [&](std::int64_t counts[6]) -> bool {
    if (!c.Has(44) || c.Rest().substr(0, 4) != "TZif") {
      return false;
    }
    c.Skip(20);  // magic, version, reserved
    for (int i = 0; i < 6; ++i) {
      counts[i] = c.Int(4);
      if (counts[i] < 0 || counts[i] > 100'000) {
        return false;
      }
    }
    return true;
  };
  std::int64_t counts[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  if (!header(counts)) {
    return std::string("not a TZif file (RFC 8536)");
  }
  const char version = tzif[4];
  auto block_size = [&](std::size_t time_width) {
    return static_cast<std::size_t>(counts[3]) * (time_width + 1) +
           static_cast<std::size_t>(counts[4]) * 6 + static_cast<std::size_t>(counts[5]) +
           static_cast<std::size_t>(counts[2]) * (time_width + 4) +
           static_cast<std::size_t>(counts[1]) + static_cast<std::size_t>(counts[0]);
  };
  std::size_t width = 4;
  if (version >= '2') {
    // Version 2+: skip the 32-bit block; the 64-bit one and the footer follow.
    if (!c.Has(block_size(4))) {
      return std::string("truncated");
    }
    c.Skip(block_size(4));
    if (!header(counts)) {
      return std::string("no second header in a version 2+ file");
    }
    width = 8;
  }
  if (!c.Has(block_size(width))) {
    return std::string("truncated");
  }
  if (counts[2] != 0) {
    return std::string("leap-second zones (right/...) are not supported");
  }
  const auto timecnt = static_cast<std::size_t>(counts[3]);
  const auto typecnt = static_cast<std::size_t>(counts[4]);
  if (typecnt == 0) {
    return std::string("no local time types");
  }
  std::vector<Seconds> times(timecnt);
  for (auto& t : times) {
    t = c.Int(width);
  }
  std::vector<std::size_t> indices(timecnt);
  for (auto& i : indices) {
    i = static_cast<std::size_t>(c.Int(1));
    if (i >= typecnt) {
      return std::string("a transition names a local time type that does not exist");
    }
  }
  std::vector<std::int32_t> offsets(typecnt);
  for (auto& o : offsets) {
    const std::int64_t utoff = c.Int(4);
    c.Skip(2);  // isdst, abbreviation index
    if (utoff <= -kMaxOffset || utoff >= kMaxOffset) {
      return std::string("a UTC offset beyond 26 hours");
    }
    o = static_cast<std::int32_t>(utoff);
  }
  c.Skip(static_cast<std::size_t>(counts[5] + counts[1] + counts[0]));

  TimeZone z;
  z.name_ = std::move(name);
  z.initial_offset_ = offsets[0];
  for (std::size_t i = 0; i < timecnt; ++i) {
    if (i > 0 && times[i] <= times[i - 1]) {
      return std::string("transition times are not increasing");
    }
    z.transitions_.push_back({times[i], offsets[indices[i]]});
  }

  // The footer: "\n<POSIX TZ string>\n", the rule after the last transition.
  if (width == 8) {
    std::string_view rest = c.Rest();
    if (rest.size() < 2 || rest.front() != '\n') {
      return std::string("no footer after the 64-bit data");
    }
    const std::size_t end = rest.find('\n', 1);
    if (end == std::string_view::npos) {
      return std::string("unterminated footer");
    }
    const std::string_view footer = rest.substr(1, end - 1);
    if (!footer.empty()) {
      auto rule = TzParser(footer).Parse();
      if (!rule) {
        return "footer \"" + std::string(footer) + "\" is not a POSIX TZ string vitals can read";
      }
      if (!rule->dst_offset) {
        if (z.transitions_.empty()) {
          z.initial_offset_ = rule->std_offset;  // a zone with one offset, ever
        }
      } else {
        const bool none = z.transitions_.empty();
        const Seconds after = none ? std::numeric_limits<Seconds>::min() : z.transitions_.back().at;
        for (int year = none ? 1970 : YearOf(after); year <= kLastYear; ++year) {
          // Each rule's time is the local time in force just before it.
          Transition to_dst{RuleDay(rule->start, year) * kDay + rule->start.time - rule->std_offset,
                            *rule->dst_offset};
          Transition to_std{RuleDay(rule->end, year) * kDay + rule->end.time - *rule->dst_offset,
                            rule->std_offset};
          if (to_std.at < to_dst.at) {
            std::swap(to_dst, to_std);  // southern hemisphere: DST ends first in the year
          }
          for (const Transition& t : {to_dst, to_std}) {
            if (t.at > after) {
              z.transitions_.push_back(t);
            }
          }
        }
      }
    }
  }
  return z;
}

std::int32_t TimeZone::OffsetBefore(std::size_t i) const {
  return i == 0 ? initial_offset_ : transitions_[i - 1].offset;
}

std::int32_t TimeZone::OffsetAt(Seconds utc) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc,
                             [](Seconds t, const Transition& tr) { return t < tr.at; });
  return it == transitions_.begin() ? initial_offset_ : std::prev(it)->offset;
}

std::vector<Seconds> TimeZone::FromLocal(Seconds local) const {
  // An instant showing `local` lies within a day of it; the offsets in force
  // around then are the only candidates.
  auto first = std::lower_bound(transitions_.begin(), transitions_.end(), local - 2 * kDay,
                                [](const Transition& tr, Seconds t) { return tr.at < t; });
  auto i = static_cast<std::size_t>(first - transitions_.begin());
  std::vector<std::int32_t> candidates = {OffsetBefore(i)};
  for (; i < transitions_.size() && transitions_[i].at < local + 2 * kDay; ++i) {
    candidates.push_back(transitions_[i].offset);
  }
  std::vector<Seconds> out;
  for (std::int32_t offset : candidates) {
    const Seconds t = local - offset;
    if (OffsetAt(t) == offset && std::find(out.begin(), out.end(), t) == out.end()) {
      out.push_back(t);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::int32_t TimeZone::LowestOffset(Seconds from, Seconds to) const {
  std::int32_t lowest = OffsetAt(from);
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), from,
                             [](Seconds t, const Transition& tr) { return t < tr.at; });
  for (; it != transitions_.end() && it->at <= to; ++it) {
    lowest = std::min(lowest, it->offset);
  }
  return lowest;
}

std::optional<Seconds> TimeZone::GapEnd(Seconds local) const {
  auto first = std::lower_bound(transitions_.begin(), transitions_.end(), local - 2 * kDay,
                                [](const Transition& tr, Seconds t) { return tr.at < t; });
  for (auto i = static_cast<std::size_t>(first - transitions_.begin());
       i < transitions_.size() && transitions_[i].at < local + 2 * kDay; ++i) {
    const std::int32_t before = OffsetBefore(i);
    const Seconds at = transitions_[i].at;
    if (transitions_[i].offset > before && at + before <= local &&
        local < at + transitions_[i].offset) {
      return at;
    }
  }
  return std::nullopt;
}

}  // namespace vitals::config
