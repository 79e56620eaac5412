#include "config/document.h"

#include <catch2/catch.hpp>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "config/config.h"
#include "tests/unit/config_problems.h"
#include "tests/unit/temp_tree.h"

using vitals::config::kMaxDepth;
using vitals::config::kMaxFileBytes;

namespace {

const vitals::config::EnvLookup kNoEnv = [](std::string_view) -> std::optional<std::string> {
  return std::nullopt;
};

std::string Problems(const std::string& text) {
  return vitals::testing::ConfigProblemLines(
      [&] { vitals::config::Parse(text, "test.json", kNoEnv); });
}

std::string Nested(std::size_t levels) {
  return std::string(levels, '[') + std::string(levels, ']');
}

// Runs `fn` on a thread with a 64 KiB stack, as small as a worker's can be:
// a recursion as deep as the input is a crash here, not a pass.
void OnSmallStack(const std::function<void()>& fn) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  pthread_t thread;
  auto body = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  REQUIRE(pthread_create(&thread, &attr, body, const_cast<std::function<void()>*>(&fn)) == 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

}  // namespace

TEST_CASE("ParseJson: duplicate keys are problems with their pointers, all of them",
          "[config]") {
  CHECK(Problems(R"({"checks": [{"name": "a"}], "checks": []})") ==
        "/checks: duplicate key \"checks\"\n");
  CHECK(Problems(R"({"process_groups": [{"name": "a", "comm": "x"},
                                        {"name": "b", "comm": "y", "comm": "z"}],
                     "health": {"status_codes": {"a/b": 200, "a/b": 201}, "groups": []}})") ==
        "/process_groups/1/comm: duplicate key \"comm\"\n"
        "/health/status_codes/a~1b: duplicate key \"a/b\"\n");
  // The same key in different objects is no duplicate.
  CHECK(Problems(R"({"process_groups": [{"name": "a", "comm": "x"}, {"name": "b", "comm": "y"}]})")
            .empty());
}

TEST_CASE("ParseJson: nesting is bounded while parsing", "[config]") {
  SECTION("kMaxDepth levels parse; one more is refused at its pointer") {
    CHECK_NOTHROW(vitals::config::ParseJson(Nested(kMaxDepth), "t.json"));
    std::string pointer;
    for (std::size_t i = 1; i < kMaxDepth; ++i) {
      pointer += "/0";
    }
    CHECK(vitals::testing::ConfigProblemLines([] {
            vitals::config::ParseJson(Nested(kMaxDepth + 1), "t.json");
          }) == pointer + "/0: objects and arrays nested deeper than 32 levels (the limit)\n");
  }
  SECTION("100,000 levels on a 64 KiB stack: one problem, no crash") {
    // Before the bound, the parsed document was dumped recursively (a
    // section's definition), and 700 levels overflowed a web worker's stack.
    std::string problems;
    const std::string text = R"({"process_groups": )" + Nested(100'000) + "}";
    OnSmallStack([&] { problems = Problems(text); });
    CHECK_THAT(problems, Catch::StartsWith("/process_groups/0/0/") &&
                             Catch::EndsWith("nested deeper than 32 levels (the limit)\n"));
  }
}

TEST_CASE("ParseJson: a document over the size limit is refused before parsing", "[config]") {
  const std::string text = "[" + std::string(kMaxFileBytes, ' ') + "]";
  CHECK(Problems(text) == "/: the document is 4194306 bytes, over the limit of 4194304 bytes "
                          "(4 MiB)\n");
}

TEST_CASE("ReadFile: regular files up to the limit, opened without blocking", "[config]") {
  vitals::testing::TempTree tree;
  const auto file = [&](const char* name) { return (tree.path() / name).string(); };
  auto problems = [&](const std::string& path) {
    return vitals::testing::ConfigProblemLines([&] { vitals::config::ReadFile(path); });
  };
  tree.Write("ok.json", "{}");
  CHECK(vitals::config::ReadFile(file("ok.json")) == "{}");

  SECTION("a 50 MB file is refused from its size, before it is read") {
    // Sparse: the test writes nothing, and a read of it would cost 50 MB.
    REQUIRE(::truncate(file("ok.json").c_str(), 50'000'000) == 0);
    CHECK(problems(file("ok.json")) ==
          "/: the file is 50000000 bytes, over the limit of 4194304 bytes (4 MiB); not read\n");
  }
  SECTION("exactly the limit is read") {
    REQUIRE(::truncate(file("ok.json").c_str(), static_cast<off_t>(kMaxFileBytes)) == 0);
    CHECK(vitals::config::ReadFile(file("ok.json")).size() == kMaxFileBytes);
  }
  SECTION("a FIFO is refused at once (a blocking open would wait for a writer)") {
    REQUIRE(::mkfifo(file("fifo").c_str(), 0600) == 0);
    CHECK(problems(file("fifo")) ==
          "/: not a regular file (a config is read from a regular file only)\n");
  }
  SECTION("a directory, a device, a missing file") {
    CHECK(problems(tree.path().string()) ==
          "/: not a regular file (a config is read from a regular file only)\n");
    CHECK(problems("/dev/zero") ==
          "/: not a regular file (a config is read from a regular file only)\n");
    CHECK(problems(file("missing")) ==
          "/: cannot open the file for reading: No such file or directory\n");
  }
}
