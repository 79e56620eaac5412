#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <regex>
#include <string>

#include "agent/log/log.h"

namespace vlog = vitals::log;

namespace {

// Redirects fd 2 into a temporary file for the scope; Take() returns what was
// written and puts stderr back. Also restores the logger's default settings.
class CapturedStderr {
 public:
  CapturedStderr() {
    std::fflush(stderr);
    file_ = std::tmpfile();
    REQUIRE(file_ != nullptr);
    saved_ = ::dup(2);
    REQUIRE(::dup2(::fileno(file_), 2) == 2);
  }
  ~CapturedStderr() {
    Restore();
    std::fclose(file_);
    vlog::Configure(vlog::Level::kInfo, vlog::Format::kLogfmt);
  }
  std::string Take() {
    Restore();
    std::string out;
    std::rewind(file_);
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, file_)) {
      out.append(buf, n);
    }
    return out;
  }

 private:
  void Restore() {
    if (saved_ >= 0) {
      std::fflush(stderr);
      ::dup2(saved_, 2);
      ::close(saved_);
      saved_ = -1;
    }
  }
  std::FILE* file_ = nullptr;
  int saved_ = -1;
};

}  // namespace

TEST_CASE("log: levels and formats parse", "[agent]") {
  CHECK(vlog::ParseLevel("debug") == vlog::Level::kDebug);
  CHECK(vlog::ParseLevel("info") == vlog::Level::kInfo);
  CHECK(vlog::ParseLevel("warn") == vlog::Level::kWarn);
  CHECK(vlog::ParseLevel("error") == vlog::Level::kError);
  CHECK_FALSE(vlog::ParseLevel("INFO"));
  CHECK_FALSE(vlog::ParseLevel(""));
  CHECK(vlog::ParseFormat("logfmt") == vlog::Format::kLogfmt);
  CHECK(vlog::ParseFormat("json") == vlog::Format::kJson);
  CHECK_FALSE(vlog::ParseFormat("text"));
}

TEST_CASE("log: logfmt lines", "[agent]") {
  CapturedStderr captured;
  vlog::Configure(vlog::Level::kInfo, vlog::Format::kLogfmt);
  vlog::Debug("hidden");
  vlog::Info("listening", {{"address", "127.0.0.1:9810"}});
  vlog::Warn("collector failed", {{"err", "stat: parse error: ctxt: \"x\""},
                                 {"empty", ""},
                                 {"multi", "a\nb\tc"},
                                 {"eq", "a=b"}});
  std::string out = captured.Take();
  CAPTURE(out);
  CHECK(out.find("hidden") == std::string::npos);
  std::regex first(R"(^ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=info msg=listening address=127\.0\.0\.1:9810\n)");
  CHECK(std::regex_search(out, first));
  CHECK_THAT(out, Catch::Contains(
                      " level=warn msg=\"collector failed\" err=\"stat: parse error: ctxt: "
                      "\\\"x\\\"\" empty=\"\" multi=\"a\\nb c\" eq=\"a=b\"\n"));
  std::size_t lines = 0;
  for (char c : out) {
    lines += c == '\n' ? 1 : 0;
  }
  CHECK(lines == 2);  // one line per call, even with a newline in a value
}

TEST_CASE("log: JSON lines", "[agent]") {
  CapturedStderr captured;
  vlog::Configure(vlog::Level::kDebug, vlog::Format::kJson);
  CHECK(vlog::Enabled(vlog::Level::kDebug));
  vlog::Debug("probe \"x\"", {{"path", "C:\\tmp"}, {"ctl", std::string("a\x01\n\tb")}});
  std::string out = captured.Take();
  CAPTURE(out);
  std::regex line(
      R"(^\{"ts":"[0-9T:.Z-]+","level":"debug","msg":"probe \\"x\\"","path":"C:\\\\tmp","ctl":"a\\u0001\\n\\tb"\}\n$)");
  CHECK(std::regex_match(out, line));
}

TEST_CASE("log: level filter", "[agent]") {
  CapturedStderr captured;
  vlog::Configure(vlog::Level::kError, vlog::Format::kLogfmt);
  CHECK_FALSE(vlog::Enabled(vlog::Level::kWarn));
  CHECK(vlog::Enabled(vlog::Level::kError));
  vlog::Warn("quiet");
  vlog::Error("loud");
  std::string out = captured.Take();
  CHECK(out.find("quiet") == std::string::npos);
  CHECK_THAT(out, Catch::Contains("level=error msg=loud"));
}
