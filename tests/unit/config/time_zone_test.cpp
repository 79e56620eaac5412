#include "config/time_zone.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

using vitals::config::TimeZone;

namespace {

TimeZone Zone(const std::string& name) {
  auto z = TimeZone::Load(name);
  if (auto* err = std::get_if<std::string>(&z)) {
    FAIL(*err);
  }
  return std::get<TimeZone>(z);
}

// glibc's offset for `utc` in zone `name`: the real tz code reading the same
// files. TZ is process-wide, which is fine in this single-threaded test.
long GlibcOffset(const std::string& name, std::time_t utc) {
  std::tm tm{};
  localtime_r(&utc, &tm);
  (void)name;
  return tm.tm_gmtoff;
}

struct ScopedTz {
  explicit ScopedTz(const std::string& name) {
    const char* old = std::getenv("TZ");
    saved = old != nullptr ? std::optional<std::string>(old) : std::nullopt;
    setenv("TZ", (":" + name).c_str(), 1);
    tzset();
  }
  ~ScopedTz() {
    if (saved) {
      setenv("TZ", saved->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  std::optional<std::string> saved;
};

constexpr std::int64_t kDay = 86'400;
// 2024-03-31 00:00 UTC and 2024-10-27 00:00 UTC: the European changes of 2024.
constexpr std::int64_t kSpring2024 = 1'711'843'200;
constexpr std::int64_t kAutumn2024 = 1'729'987'200;

}  // namespace

TEST_CASE("TimeZone: offsets agree with glibc's from 1900 to 2100, past the table's end",
          "[config]") {
  // Zones with DST both ways, a negative DST (Dublin), rules at negative
  // local times (Nuuk), half hours (Kolkata, Adelaide), a skipped day
  // (Apia, 2011), DST abolished (Sao Paulo, 2019), and UTC.
  const char* kZones[] = {"Europe/Berlin",    "America/New_York",  "Australia/Sydney",
                          "Europe/Dublin",    "America/Nuuk",      "Asia/Kolkata",
                          "Australia/Adelaide", "Pacific/Apia",    "America/Sao_Paulo",
                          "UTC",              "America/Santiago",  "Asia/Tehran"};
  for (const char* name : kZones) {
    CAPTURE(name);
    const TimeZone zone = Zone(name);
    ScopedTz tz(name);
    int mismatches = 0;
    // Every 6 hours and 17 minutes (so that times of day vary) over 200 years.
    for (std::int64_t t = -2'208'988'800; t < 4'102'444'800 && mismatches < 5; t += 22'620) {
      const long want = GlibcOffset(name, static_cast<std::time_t>(t));
      if (zone.OffsetAt(t) != want) {
        ++mismatches;
        CHECK(zone.OffsetAt(t) == want);
        CAPTURE(t);
      }
    }
    CHECK(mismatches == 0);
  }
}

TEST_CASE("TimeZone: a local time in a gap has no instant, one in an overlap has two",
          "[config]") {
  const TimeZone berlin = Zone("Europe/Berlin");
  // 2024-03-31: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
  const std::int64_t change = kSpring2024 + 3600;
  CHECK(berlin.OffsetAt(change - 1) == 3600);
  CHECK(berlin.OffsetAt(change) == 7200);
  const std::int64_t two_thirty = kSpring2024 + 2 * 3600 + 1800;  // local seconds
  CHECK(berlin.FromLocal(two_thirty).empty());
  CHECK(berlin.GapEnd(two_thirty) == change);
  CHECK(berlin.FromLocal(kSpring2024 + 3600 + 1800) ==
        std::vector<std::int64_t>{kSpring2024 + 1800});  // 01:30 CET
  CHECK(berlin.FromLocal(kSpring2024 + 3 * 3600) == std::vector<std::int64_t>{change});
  CHECK_FALSE(berlin.GapEnd(kSpring2024 + 3 * 3600).has_value());
  // 2024-10-27: 03:00 CEST becomes 02:00 CET at 01:00 UTC; 02:30 comes twice.
  const std::int64_t twice = kAutumn2024 + 2 * 3600 + 1800;
  CHECK(berlin.FromLocal(twice) ==
        std::vector<std::int64_t>{kAutumn2024 + 1800, kAutumn2024 + 3600 + 1800});
  CHECK(berlin.LowestOffset(kAutumn2024, kAutumn2024 + kDay) == 3600);
  CHECK(berlin.LowestOffset(kAutumn2024, kAutumn2024 + 1800) == 7200);
  // Apia skipped 2011-12-30 entirely: every local time that day is a gap.
  const TimeZone apia = Zone("Pacific/Apia");
  const std::int64_t skipped = 1'325'203'200 + 12 * 3600;  // 2011-12-30 12:00 local
  CHECK(apia.FromLocal(skipped).empty());
  CHECK(apia.GapEnd(skipped).has_value());
}

TEST_CASE("TimeZone: names and files that are not zones say what is wrong", "[config]") {
  auto error = [](std::string_view name) {
    auto z = TimeZone::Load(name);
    REQUIRE(std::holds_alternative<std::string>(z));
    return std::get<std::string>(z);
  };
  CHECK_THAT(error("Europe/Berln"), Catch::Contains("no such zone, or tzdata is not installed"));
  CHECK_THAT(error("../../etc/passwd"), Catch::StartsWith("expected a tz database name"));
  CHECK_THAT(error("/etc/localtime"), Catch::StartsWith("expected a tz database name"));
  CHECK_THAT(error(""), Catch::StartsWith("expected a tz database name"));
  CHECK_THAT(error("right/UTC"), Catch::Contains("leap-second zones"));
  CHECK(std::get<TimeZone>(TimeZone::Load("UTC")).OffsetAt(0) == 0);
  CHECK(std::holds_alternative<TimeZone>(TimeZone::Load("localtime")));

  std::ifstream in("/usr/share/zoneinfo/Europe/Berlin", std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string file = buffer.str();
  REQUIRE(file.size() > 100);
  CHECK_THAT(std::get<std::string>(TimeZone::Parse("not a zone", "x")),
             Catch::Contains("not a TZif file"));
  // Every truncation of a real file is refused cleanly (or, at the very end,
  // loses only the footer's newline).
  int refused = 0;
  for (std::size_t n = 0; n < file.size(); ++n) {
    refused += std::holds_alternative<std::string>(TimeZone::Parse(file.substr(0, n), "cut"));
  }
  CHECK(refused == static_cast<int>(file.size()));
  std::string bad_footer = file;
  bad_footer.replace(bad_footer.rfind("CET-1"), 5, "C?T-1");
  CHECK_THAT(std::get<std::string>(TimeZone::Parse(bad_footer, "x")),
             Catch::Contains("is not a POSIX TZ string"));
}
