#include "collectors/procfs/pid_stat.h"

#include <cstring>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

Result<PidStat> ParsePidStat(std::string_view text) {
  constexpr std::string_view kPath = "<pid>/stat";
  PidStat out;
  std::size_t open = text.find('(');
  // The last ')' ends comm (comm may hold any byte). memrchr, not rfind: it
  // scans the ~250 bytes after comm a word at a time, not a byte at a time,
  // for every process and thread of every scrape.
  const void* last = text.empty() ? nullptr : ::memrchr(text.data(), ')', text.size());
  std::size_t close = last == nullptr ? std::string_view::npos
                                      : static_cast<std::size_t>(static_cast<const char*>(last) -
                                                                 text.data());
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return ParseError(std::string(kPath), "no \"(comm)\" in the line");
  }
  auto pid = detail::ToU64(detail::TrimSpace(text.substr(0, open)));
  if (!pid || *pid > 0x7fffffffu) {
    return ParseError(std::string(kPath), "bad pid before \"(comm)\"");
  }
  out.pid = static_cast<int>(*pid);
  out.comm.assign(text.substr(open + 1, close - open - 1));

  // Fields after comm, numbered as in proc(5): 3 is state.
  detail::Fields fields(text.substr(close + 1));
  auto state = fields.Next();
  if (!state || state->size() != 1) {
    return ParseError(std::string(kPath), "field 3 (state): expected one letter");
  }
  out.state = state->front();

  constexpr int kLastNeeded = 25;  // rsslim
  for (int index = 4; index <= kLastNeeded; ++index) {
    auto field = fields.Next();
    if (!field) {
      return ParseError(std::string(kPath), "field " + std::to_string(index) + " missing: only " +
                                                std::to_string(index - 1) +
                                                " fields, expected at least " +
                                                std::to_string(kLastNeeded));
    }
    auto as_signed = [&](std::int64_t& dst) {
      auto v = detail::ToI64(*field);
      if (v) {
        dst = *v;
      }
      return v.has_value();
    };
    auto as_unsigned = [&](std::uint64_t& dst) {
      auto v = detail::ToU64(*field);
      if (v) {
        dst = *v;
      }
      return v.has_value();
    };
    auto as_int = [&](int& dst) {
      std::int64_t v = 0;
      if (!as_signed(v) || v < -0x7fffffff || v > 0x7fffffff) {
        return false;
      }
      dst = static_cast<int>(v);
      return true;
    };
    std::int64_t ignored_signed = 0;
    std::uint64_t ignored_unsigned = 0;
    bool ok = true;
    switch (index) {
      case 4: ok = as_int(out.ppid); break;
      case 5: ok = as_int(out.pgrp); break;
      case 6: ok = as_int(out.session); break;
      case 7: case 8: ok = as_signed(ignored_signed); break;  // tty_nr, tpgid (may be -1)
      case 10: ok = as_unsigned(out.minflt); break;
      case 12: ok = as_unsigned(out.majflt); break;
      case 14: ok = as_unsigned(out.utime); break;
      case 15: ok = as_unsigned(out.stime); break;
      case 16: case 17: ok = as_signed(ignored_signed); break;  // cutime, cstime
      case 18: ok = as_signed(out.priority); break;
      case 19: ok = as_signed(out.nice); break;
      case 20: ok = as_unsigned(out.num_threads); break;
      case 21: ok = as_signed(ignored_signed); break;
      case 22: ok = as_unsigned(out.starttime); break;
      case 23: ok = as_unsigned(out.vsize); break;
      case 24: ok = as_unsigned(out.rss); break;  // the kernel prints it unsigned
      case 25: ok = as_unsigned(out.rsslim); break;
      default: ok = as_unsigned(ignored_unsigned); break;  // flags, cminflt, cmajflt
    }
    if (!ok) {
      return ParseError(std::string(kPath), "field " + std::to_string(index) + ": \"" +
                                                std::string(*field) + "\" is not a number");
    }
  }
  return out;
}

Result<PidStat> ReadPidStat(const ProcFs& fs, int pid, std::string& buffer) {
  return ParseReadAndRelease(fs.ReadPidFile(pid, "stat", buffer), buffer, ParsePidStat);
}

Result<PidStat> ReadPidStatAt(const ProcFs& fs, std::string_view path, std::string& buffer) {
  auto text = fs.ReadInto(path, buffer);
  if (!text) {
    if (text.error().code == Errc::kNotFound) {
      return Error{Errc::kVanished, std::string(path), text.error().detail};
    }
    return text.error();
  }
  auto stat = ParsePidStat(*text);
  ProcFs::ReleaseLargeBuffer(buffer);  // the result does not view the text
  return stat;
}

}  // namespace vitals::procfs
