#pragma once
// TimeZone: a zone of the tz database, read from its TZif file (RFC 8536)
// as Debian's tzdata installs them under /usr/share/zoneinfo ($TZDIR
// overrides, as for glibc), for heartbeat schedules ("tz": "Europe/Berlin").
//
// Why not the standard library: g++ 12's libstdc++ has no <chrono> time
// zones (std::chrono::locate_zone arrived in GCC 13), and glibc converts
// through one process-wide TZ, which setenv() cannot change safely while
// other threads run. This reads the same files glibc reads: the table of
// transitions, then the POSIX TZ rule of the file's footer
// ("CET-1CEST,M3.5.0,M10.5.0/3") for the years after it, up to kLastYear.
// Leap-second zones (right/...) are refused.
//
// Times are whole seconds since 1970-01-01 00:00:00: UTC instants, or the
// reading of a wall clock in the zone ("local seconds").

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vitals::config {

class TimeZone {
 public:
  using Seconds = std::int64_t;
  // Transitions are computed from the footer's rule up to this year; later
  // instants keep the offset in force then.
  static constexpr int kLastYear = 2200;

  // The zone `name` ("Europe/Berlin") from $TZDIR or /usr/share/zoneinfo;
  // "UTC" always exists; "localtime" is /etc/localtime (what cron uses),
  // UTC when there is none. On error, one line saying what and where.
  static std::variant<TimeZone, std::string> Load(std::string_view name);
  // A TZif file's bytes; `name` names it in messages.
  static std::variant<TimeZone, std::string> Parse(std::string_view tzif, std::string name);
  static TimeZone Utc();

  const std::string& name() const { return name_; }
  // Seconds east of UTC at the instant `utc`.
  std::int32_t OffsetAt(Seconds utc) const;
  // The instants at which the zone's wall clock reads `local`: one, none in
  // a gap (the clock skips it: spring forward) or two in an overlap (the
  // clock reads it twice: fall back), earliest first.
  std::vector<Seconds> FromLocal(Seconds local) const;
  // For a `local` in a gap: the instant the clock jumps over it.
  std::optional<Seconds> GapEnd(Seconds local) const;
  // The smallest offset in force at any instant from `from` to `to`.
  std::int32_t LowestOffset(Seconds from, Seconds to) const;

 private:
  struct Transition {
    Seconds at;           // UTC
    std::int32_t offset;  // seconds east of UTC from `at` on
  };
  TimeZone() = default;
  // Offset in force just before transitions_[i] (the initial one for i = 0).
  std::int32_t OffsetBefore(std::size_t i) const;

  std::string name_;
  std::int32_t initial_offset_ = 0;
  std::vector<Transition> transitions_;  // strictly increasing `at`
};

}  // namespace vitals::config
