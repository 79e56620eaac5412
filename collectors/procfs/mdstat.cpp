#include "collectors/procfs/mdstat.h"

#include <re2/re2.h>

#include <algorithm>
#include <string>

#include "collectors/procfs/go_text.h"
#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {

using Piece = re2::StringPiece;

// Go's regexp on the bytes of a line: RE2 has Go's syntax and leftmost-first
// matching; Latin-1 makes every byte one character, as Go takes an invalid
// UTF-8 byte as one rune (the patterns themselves are ASCII).
RE2::Options Latin1() {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_log_errors(false);
  return options;
}
const RE2& StatusLine() {
  static const RE2 re(R"((\d+) blocks .*\[(\d+)/(\d+)\] \[([U_]+)\])", Latin1());
  return re;
}
const RE2& RecoveryBlocks() {
  static const RE2 re(R"(\((\d+)/\d+\))", Latin1());
  return re;
}
const RE2& RecoveryPercent() {
  static const RE2 re(R"(= (.+)%)", Latin1());
  return re;
}
const RE2& RecoveryFinish() {
  static const RE2 re(R"(finish=(.+)min)", Latin1());
  return re;
}
const RE2& RecoverySpeed() {
  static const RE2 re(R"(speed=(.+)[A-Z])", Latin1());
  return re;
}

std::string_view View(Piece p) { return std::string_view(p.data(), p.size()); }
Piece ToPiece(std::string_view s) { return Piece(s.data(), s.size()); }

bool Contains(std::string_view s, std::string_view what) {
  return s.find(what) != std::string_view::npos;
}
std::int64_t Count(std::string_view s, std::string_view what) {
  std::int64_t n = 0;
  for (std::size_t at = s.find(what); at != std::string_view::npos;
       at = s.find(what, at + what.size())) {
    ++n;
  }
  return n;
}

Error LineError(std::size_t index, std::string_view line, std::string_view what) {
  return ParseError("mdstat", "line " + std::to_string(index + 1) + ": " + std::string(what) +
                                  ": \"" + std::string(line) + "\"");
}

// The status line (the one after the device line): size, and the disks the
// array needs and has; nullopt when it cannot be read.
struct Status {
  std::int64_t active = 0, total = 0, down = 0, size = 0;
};
std::optional<Status> ReadStatus(std::string_view device_line, std::string_view status_line) {
  Status s;
  detail::GoFields fields(status_line);
  std::string_view first;
  if (!fields.Next(first)) {
    return std::nullopt;
  }
  auto size = detail::GoParseInt(first, 10);
  if (!size) {
    return std::nullopt;
  }
  s.size = *size;
  if (Contains(device_line, "raid0") || Contains(device_line, "linear")) {
    // No [n/m] on these: the disks are the "[" of the device line.
    s.total = s.active = Count(device_line, "[");
    return s;
  }
  if (Contains(device_line, "inactive")) {
    return s;
  }
  Piece total, active, marks;
  if (!RE2::PartialMatch(ToPiece(status_line), StatusLine(), nullptr, &total, &active, &marks)) {
    return std::nullopt;
  }
  auto t = detail::GoParseInt(View(total), 10);
  auto a = detail::GoParseInt(View(active), 10);
  if (!t || !a) {
    return std::nullopt;
  }
  s.total = *t;
  s.active = *a;
  s.down = Count(View(marks), "_");
  return s;
}

// The blocks synced so far from a resync line; the percentage, finish time
// and speed on it must read as numbers too (procfs fails the file otherwise).
std::optional<std::int64_t> ReadSynced(std::string_view line) {
  Piece blocks, percent, finish, speed;
  const Piece text = ToPiece(line);
  if (!RE2::PartialMatch(text, RecoveryBlocks(), &blocks) ||
      !RE2::PartialMatch(text, RecoveryPercent(), &percent) ||
      !RE2::PartialMatch(text, RecoveryFinish(), &finish) ||
      !RE2::PartialMatch(text, RecoverySpeed(), &speed)) {
    return std::nullopt;
  }
  auto synced = detail::GoParseInt(View(blocks), 10);
  if (!synced || !detail::ToNumber(detail::GoTrimSpace(View(percent))) ||
      !detail::ToNumber(View(finish)) || !detail::ToNumber(View(speed))) {
    return std::nullopt;
  }
  return synced;
}

}  // namespace

Result<std::vector<MdStat>> ParseMdstat(std::string_view text) {
  // Go's strings.Split(text, "\n"): every line, an empty last one after a
  // final newline included (it counts for "enough lines follow").
  std::vector<std::string_view> lines;
  for (std::size_t start = 0;;) {
    std::size_t nl = text.find('\n', start);
    lines.push_back(
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (nl == std::string_view::npos) {
      break;
    }
    start = nl + 1;
  }

  std::vector<MdStat> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (detail::GoTrimSpace(line).empty() || line.front() == ' ' ||
        line.substr(0, 13) == "Personalities" || line.substr(0, 6) == "unused") {
      continue;
    }
    detail::GoFields fields(line);
    std::string_view parts[3];
    std::size_t n = 0;
    while (n < 3 && fields.Next(parts[n])) {
      ++n;
    }
    if (n < 3) {
      return LineError(i, line, "expected \"<name> : <state> ...\"");
    }
    if (lines.size() <= i + 3) {
      return LineError(i, line, "too few lines follow for an md device");
    }
    auto status = ReadStatus(line, lines[i + 1]);
    if (!status) {
      return LineError(i + 1, lines[i + 1], "not a status line of " + std::string(parts[0]));
    }
    MdStat md;
    md.name = parts[0];
    md.activity = parts[2];
    md.disks_active = status->active;
    md.disks_total = status->total;
    md.disks_down = status->down;
    md.disks_failed = Count(line, "(F)");
    md.disks_spare = Count(line, "(S)");
    md.blocks_total = status->size;
    md.blocks_synced = status->size;

    const std::size_t sync_index = Contains(lines[i + 2], "bitmap") ? i + 3 : i + 2;
    const std::string_view sync = lines[sync_index];
    const bool recovering = Contains(sync, "recovery");
    const bool checking = Contains(sync, "check");
    if (recovering || checking || Contains(sync, "resync")) {
      md.activity = recovering ? "recovering" : checking ? "checking" : "resyncing";
      if (Contains(sync, "PENDING") || Contains(sync, "DELAYED")) {
        md.blocks_synced = 0;
      } else {
        auto synced = ReadSynced(sync);
        if (!synced) {
          return LineError(sync_index, sync, "not a resync line of " + std::string(md.name));
        }
        md.blocks_synced = *synced;
      }
    }
    out.push_back(md);
  }
  std::vector<std::string_view> names;
  for (const MdStat& md : out) {
    names.push_back(md.name);
  }
  if (auto repeated = detail::FindRepeated(names)) {
    return ParseError("mdstat", "device \"" + std::string(*repeated) + "\" appears twice");
  }
  return out;
}

}  // namespace vitals::procfs
