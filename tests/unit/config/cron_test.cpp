#include "config/cron.h"

#include <catch2/catch.hpp>

using vitals::config::CronSchedule;
using vitals::config::NextRun;
using vitals::config::ParseCron;
using vitals::config::TimeZone;

namespace {

CronSchedule Cron(std::string_view text) {
  auto c = ParseCron(text);
  if (auto* err = std::get_if<std::string>(&c)) {
    FAIL(*err);
  }
  return std::get<CronSchedule>(c);
}

std::string Error(std::string_view text) {
  auto c = ParseCron(text);
  REQUIRE(std::holds_alternative<std::string>(c));
  return std::get<std::string>(c);
}

TimeZone Zone(const std::string& name) { return std::get<TimeZone>(TimeZone::Load(name)); }

// Seconds since 1970 of a UTC date and time.
std::int64_t Utc(int y, unsigned mo, unsigned d, int h, int mi) {
  using namespace std::chrono;
  return sys_days(year(y) / month(mo) / day(d)).time_since_epoch().count() * 86'400 + h * 3600 +
         mi * 60;
}

}  // namespace

TEST_CASE("ParseCron: fields, lists, ranges, steps, names and macros", "[config]") {
  auto c = Cron("*/15 9-17 * jan-MAR mon-fri");
  CHECK(c.minutes.count() == 4);
  CHECK(c.minutes[45]);
  CHECK(c.hours.count() == 9);
  CHECK(c.months.count() == 3);
  CHECK(c.months[1]);
  CHECK(c.weekdays.count() == 5);
  CHECK_FALSE(c.weekdays[0]);
  CHECK(c.minute_star);
  CHECK_FALSE(c.hour_star);
  CHECK(c.day_star);
  CHECK_FALSE(c.weekday_star);
  CHECK(Cron("0 0 * * 7").weekdays == Cron("0 0 * * sun").weekdays);
  CHECK(Cron("0 0 * * 7").weekdays[0]);
  CHECK(Cron("1,2,10-20/5,58 * * * *").minutes.count() == 6);  // 1 2 10 15 20 58
  CHECK(Cron("5/20 * * * *").minutes.count() == 3);             // 5 25 45
  CHECK(Cron("@daily").minutes == Cron("0 0 * * *").minutes);
  CHECK(Cron("  @HOURLY ").hours.count() == 24);
  CHECK(Cron("@weekly").weekdays.count() == 1);
}

TEST_CASE("ParseCron: mistakes name their field", "[config]") {
  CHECK(Error("* * * *") ==
        "expected 5 fields (minute hour day-of-month month day-of-week), got 4");
  CHECK(Error("61 * * * *") == "minute field \"61\": 61 is not within 0-59");
  CHECK(Error("* 24 * * *") == "hour field \"24\": 24 is not within 0-23");
  CHECK(Error("* * 0 * *") == "day of month field \"0\": 0 is not within 1-31");
  CHECK(Error("* * * 13 *") == "month field \"13\": 13 is not within 1-12");
  CHECK(Error("* * * * 8") == "day of week field \"8\": 8 is not within 0-7");
  CHECK(Error("*/0 * * * *") ==
        "minute field \"*/0\": expected a step from 1 to 59 after '/', got \"0\"");
  CHECK(Error("5-1 * * * *") == "minute field \"5-1\": a range must go upwards, got 5-1");
  CHECK(Error("* * * foo *") ==
        "month field \"foo\": expected a number or a name from 1 to 12, got \"foo\"");
  CHECK(Error("1,,2 * * * *") == "minute field \"1,,2\": an empty item");
  CHECK_THAT(Error("@reboot"), Catch::StartsWith("unknown \"@reboot\""));
}

TEST_CASE("NextRun: the next time in UTC, day of month OR day of week as in cron",
          "[config]") {
  const TimeZone utc = TimeZone::Utc();
  CHECK(NextRun(Cron("*/15 * * * *"), utc, Utc(2024, 5, 1, 12, 7)) == Utc(2024, 5, 1, 12, 15));
  CHECK(NextRun(Cron("*/15 * * * *"), utc, Utc(2024, 5, 1, 12, 15)) == Utc(2024, 5, 1, 12, 30));
  CHECK(NextRun(Cron("0 2 * * *"), utc, Utc(2024, 5, 1, 2, 0)) == Utc(2024, 5, 2, 2, 0));
  // 2024-05-01 is a Wednesday: "the 15th or a Monday" is Monday the 6th.
  CHECK(NextRun(Cron("0 0 15 * mon"), utc, Utc(2024, 5, 1, 0, 0)) == Utc(2024, 5, 6, 0, 0));
  // "*" in day of week: only the 15th.
  CHECK(NextRun(Cron("0 0 15 * *"), utc, Utc(2024, 5, 1, 0, 0)) == Utc(2024, 5, 15, 0, 0));
  CHECK(NextRun(Cron("0 0 29 2 *"), utc, Utc(2024, 3, 1, 0, 0)) == Utc(2028, 2, 29, 0, 0));
  CHECK_FALSE(NextRun(Cron("0 0 30 2 *"), utc, Utc(2024, 3, 1, 0, 0)).has_value());
}

TEST_CASE("NextRun: daylight saving time as cronie handles it", "[config]") {
  const TimeZone berlin = Zone("Europe/Berlin");
  SECTION("spring forward: a fixed time in the skipped hour runs at the change") {
    // 2024-03-31 02:30 does not exist in Berlin; cron runs the job at 03:00
    // CEST, 01:00 UTC.
    CHECK(NextRun(Cron("30 2 * * *"), berlin, Utc(2024, 3, 30, 12, 0)) ==
          Utc(2024, 3, 31, 1, 0));
    CHECK(NextRun(Cron("30 2 * * *"), berlin, Utc(2024, 3, 31, 1, 0)) ==
          Utc(2024, 4, 1, 0, 30));  // 02:30 CEST
    // A job with "*" in its minute or hour does not run in the skipped hour.
    CHECK(NextRun(Cron("*/30 * * * *"), berlin, Utc(2024, 3, 31, 0, 45)) ==
          Utc(2024, 3, 31, 1, 0));  // 03:00 CEST: 02:00 and 02:30 never came
    CHECK(NextRun(Cron("30 * * * *"), berlin, Utc(2024, 3, 31, 0, 35)) ==
          Utc(2024, 3, 31, 1, 30));  // 03:30 CEST
  }
  SECTION("fall back: a fixed time in the repeated hour runs once, the others twice") {
    // 2024-10-27 02:30 comes at 00:30 UTC (CEST) and 01:30 UTC (CET).
    CHECK(NextRun(Cron("30 2 * * *"), berlin, Utc(2024, 10, 26, 12, 0)) ==
          Utc(2024, 10, 27, 0, 30));
    CHECK(NextRun(Cron("30 2 * * *"), berlin, Utc(2024, 10, 27, 0, 30)) ==
          Utc(2024, 10, 28, 1, 30));  // not again at 01:30 UTC
    CHECK(NextRun(Cron("30 * * * *"), berlin, Utc(2024, 10, 27, 0, 30)) ==
          Utc(2024, 10, 27, 1, 30));
    CHECK(NextRun(Cron("30 * * * *"), berlin, Utc(2024, 10, 27, 1, 30)) ==
          Utc(2024, 10, 27, 2, 30));  // 03:30 CET
    CHECK(NextRun(Cron("0 * * * *"), berlin, Utc(2024, 10, 27, 0, 0)) ==
          Utc(2024, 10, 27, 1, 0));  // 02:00 CET: the second 02:00, after 02:00 CEST at 00:00
  }
  SECTION("nightly at 02:00 in New York across both changes") {
    const TimeZone ny = Zone("America/New_York");
    // 2024-03-10: 02:00 EST becomes 03:00 EDT at 07:00 UTC.
    CHECK(NextRun(Cron("0 2 * * *"), ny, Utc(2024, 3, 9, 12, 0)) == Utc(2024, 3, 10, 7, 0));
    // 2024-11-03: 02:00 EDT becomes 01:00 EST at 06:00 UTC; 02:00 comes once (EST).
    CHECK(NextRun(Cron("0 2 * * *"), ny, Utc(2024, 11, 2, 12, 0)) == Utc(2024, 11, 3, 7, 0));
    CHECK(NextRun(Cron("30 1 * * *"), ny, Utc(2024, 11, 2, 12, 0)) ==
          Utc(2024, 11, 3, 5, 30));  // the first 01:30 (EDT)
    CHECK(NextRun(Cron("30 1 * * *"), ny, Utc(2024, 11, 3, 5, 30)) == Utc(2024, 11, 4, 6, 30));
  }
}
