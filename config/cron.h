#pragma once
// Cron schedules for heartbeat checks ("schedule": "0 2 * * *"), read as
// Vixie cron and cronie read a crontab line's five time fields:
//
//   minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec,
//   day of week 0-7 or sun-sat (0 and 7 are Sunday)
//
// Each field is "*" or a comma-separated list of N, N-M, */S, N-M/S and N/S
// (N to the field's end, every S); names are case-insensitive and may form
// ranges (mon-fri). Also @yearly (@annually), @monthly, @weekly, @daily
// (@midnight) and @hourly. As in cron, when both day fields are restricted
// (neither starts with "*"), a day matches when EITHER does ("0 0 1 * mon":
// the 1st and every Monday).
//
// Daylight saving time is handled as cronie does it (its man page,
// "Daylight Saving Time and other time changes"): a time the clock skips
// (spring forward) runs at the change for a fixed-time job (minute and hour
// both without "*"), and not at all for a job with "*" in its minute or hour;
// a time the clock shows twice (fall back) runs once, at its first
// occurrence, for a fixed-time job, and at both for the others.

#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "config/time_zone.h"

namespace vitals::config {

struct CronSchedule {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;      // 1-31
  std::bitset<13> months;    // 1-12
  std::bitset<7> weekdays;   // 0-6, Sunday is 0
  bool minute_star = false;  // the field starts with "*"
  bool hour_star = false;
  bool day_star = false;
  bool weekday_star = false;
};

// The schedule, or one line saying which field is wrong and why.
std::variant<CronSchedule, std::string> ParseCron(std::string_view text);

// The first instant after `after` (UTC seconds) at which cron would start a
// job on `schedule` with its clock in `zone`; nullopt when there is none in
// the next 28 years (a date that never comes, like February 30).
std::optional<TimeZone::Seconds> NextRun(const CronSchedule& schedule, const TimeZone& zone,
                                         TimeZone::Seconds after);
// The same on the system clock (whole seconds).
std::optional<std::chrono::system_clock::time_point> NextRun(
    const CronSchedule& schedule, const TimeZone& zone, std::chrono::system_clock::time_point after);

}  // namespace vitals::config
