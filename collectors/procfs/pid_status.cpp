#include "collectors/procfs/pid_status.h"

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {

constexpr std::string_view kPath = "<pid>/status";

Error FieldError(std::string_view key, std::string_view value, std::string_view expected) {
  return ParseError(std::string(kPath), "field \"" + std::string(key) + "\": expected " +
                                            std::string(expected) + ", got \"" +
                                            std::string(value) + "\"");
}

std::optional<std::uint64_t> KiloBytes(std::string_view value) {
  detail::Fields fields(value);
  auto number = fields.Next();
  auto unit = fields.Next();
  auto v = number ? detail::ToU64(*number) : std::nullopt;
  if (!v || !unit || *unit != "kB" || *v > (~std::uint64_t{0}) / 1024) {
    return std::nullopt;
  }
  return *v * 1024;
}

bool Ids(std::string_view value, std::array<std::uint32_t, 4>& out) {
  detail::Fields fields(value);
  for (auto& id : out) {
    auto f = fields.Next();
    auto v = f ? detail::ToU64(*f) : std::nullopt;
    if (!v || *v > 0xffffffffu) {
      return false;
    }
    id = static_cast<std::uint32_t>(*v);
  }
  return true;
}

}  // namespace

Result<PidStatus> ParsePidStatus(std::string_view text) {
  PidStatus out;
  bool seen_name = false, seen_state = false, seen_uid = false, seen_threads = false;
  detail::KeyValueLines lines(text);
  while (auto line = lines.Next()) {
    const std::string_view key = line->key;
    std::string_view raw = line->value;
    if (!raw.empty() && raw.front() == '\t') {
      raw.remove_prefix(1);
    }
    std::string_view value = detail::TrimSpace(raw);

    struct Bytes { std::string_view key; std::optional<std::uint64_t>* out; };
    const Bytes bytes[] = {{"VmSize", &out.vm_size_bytes}, {"VmRSS", &out.vm_rss_bytes},
                           {"VmSwap", &out.vm_swap_bytes}, {"RssAnon", &out.rss_anon_bytes},
                           {"RssFile", &out.rss_file_bytes}, {"RssShmem", &out.rss_shmem_bytes}};
    struct Count { std::string_view key; std::uint64_t* out; bool* seen; };
    const Count counts[] = {{"Threads", &out.threads, &seen_threads},
                            {"voluntary_ctxt_switches", &out.voluntary_ctxt_switches, nullptr},
                            {"nonvoluntary_ctxt_switches", &out.nonvoluntary_ctxt_switches, nullptr}};

    if (key == "Name") {
      // Keep spaces (only the tab after ':' is syntax) and undo the kernel's
      // escaping of '\n' and '\\' so that the name equals stat's comm.
      out.name.clear();
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size() && (raw[i + 1] == 'n' || raw[i + 1] == '\\')) {
          out.name += raw[i + 1] == 'n' ? '\n' : '\\';
          ++i;
        } else {
          out.name += raw[i];
        }
      }
      seen_name = true;
    } else if (key == "State") {
      if (value.empty()) {
        return FieldError(key, value, "a state letter");
      }
      out.state = value.front();
      seen_state = true;
    } else if (key == "Tgid" || key == "PPid") {
      auto v = detail::ToU64(value);
      if (!v || *v > 0x7fffffffu) {
        return FieldError(key, value, "a pid");
      }
      (key == "Tgid" ? out.tgid : out.ppid) = static_cast<int>(*v);
    } else if (key == "Uid" || key == "Gid") {
      if (!Ids(value, key == "Uid" ? out.uids : out.gids)) {
        return FieldError(key, value, "four ids");
      }
      seen_uid = seen_uid || key == "Uid";
    } else {
      for (const Bytes& b : bytes) {
        if (key == b.key) {
          auto v = KiloBytes(value);
          if (!v) {
            return FieldError(key, value, "\"<number> kB\"");
          }
          *b.out = *v;
        }
      }
      for (const Count& c : counts) {
        if (key == c.key) {
          auto v = detail::ToU64(value);
          if (!v) {
            return FieldError(key, value, "a number");
          }
          *c.out = *v;
          if (c.seen != nullptr) {
            *c.seen = true;
          }
        }
      }
    }
  }
  if (!seen_name || !seen_state || !seen_uid || !seen_threads) {
    return ParseError(std::string(kPath),
                      "missing one of Name, State, Uid, Threads (truncated file?)");
  }
  return out;
}

Result<PidStatus> ReadPidStatus(const ProcFs& fs, int pid, std::string& buffer) {
  return ParseReadAndRelease(fs.ReadPidFile(pid, "status", buffer), buffer, ParsePidStatus);
}

}  // namespace vitals::procfs
