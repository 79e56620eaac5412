// node_exporter's "filesystem" collector: size, free, available bytes and
// inodes of every mounted filesystem (statfs(2) of --path.rootfs + its mount
// point), its read-only flag, and node_filesystem_device_error when statfs
// fails or does not answer. Mounts come from /proc/1/mounts, as node_exporter
// 1.5.0 reads them (procfs/mounts.h).
//
// Unlike node_exporter 1.5.0, whose scrape waits as long as statfs does, a
// hung filesystem never hangs a scrape: the calls run on StatfsPool's
// threads (--collector.filesystem.stat-workers, node_exporter 1.7's flag),
// one not answered within --collector.filesystem.mount-timeout is reported
// as device_error 1, and that mount is not asked again until the call
// returns (statfs_pool.h has the timeline).

#include <array>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

#include "collectors/collector_registry.h"
#include "collectors/procfs/mounts.h"
#include "collectors/procfs/parse_util.h"
#include "collectors/statfs_pool.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;

const FlagSpec kFlags[] = {
    // Debian's default: /run, /mnt and /media are excluded too, where
    // upstream 1.5.0 excludes only /run/credentials/.
    {"collector.filesystem.mount-points-exclude", FlagKind::kRegex,
     "^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)",
     "Regexp of mount points to exclude for filesystem collector."},
    {"collector.filesystem.ignored-mount-points", FlagKind::kRegex, "",
     "Regexp of mount points to ignore for filesystem collector. DEPRECATED: use "
     "--collector.filesystem.mount-points-exclude."},
    {"collector.filesystem.fs-types-exclude", FlagKind::kRegex,
     "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|"
     "iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|"
     "sysfs|tracefs)$",
     "Regexp of filesystem types to exclude for filesystem collector."},
    {"collector.filesystem.ignored-fs-types", FlagKind::kRegex, "",
     "Regexp of filesystem types to ignore for filesystem collector. DEPRECATED: use "
     "--collector.filesystem.fs-types-exclude."},
    {"collector.filesystem.mount-timeout", FlagKind::kDuration, "5s",
     "how long to wait for a mount to respond before marking it as stale"},
    {"collector.filesystem.stat-workers", FlagKind::kString, "4",
     "how many stat calls to process simultaneously"},
};
const FlagSpec& kMountPointsExclude = kFlags[0];
const FlagSpec& kFsTypesExclude = kFlags[2];

const std::vector<std::string_view> kLabels = {"device", "mountpoint", "fstype"};
const MetricDesc kDescs[] = {
    {"node_filesystem_size_bytes", "Filesystem size in bytes.", MetricType::Gauge, kLabels},
    {"node_filesystem_free_bytes", "Filesystem free space in bytes.", MetricType::Gauge, kLabels},
    {"node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.",
     MetricType::Gauge, kLabels},
    {"node_filesystem_files", "Filesystem total file nodes.", MetricType::Gauge, kLabels},
    {"node_filesystem_files_free", "Filesystem total free file nodes.", MetricType::Gauge, kLabels},
    {"node_filesystem_readonly", "Filesystem read-only status.", MetricType::Gauge, kLabels},
    {"node_filesystem_device_error",
     "Whether an error occurred while getting statistics for the given device.", MetricType::Gauge,
     kLabels},
};
enum Desc { kSize, kFree, kAvail, kFiles, kFilesFree, kReadonly, kDeviceError };

constexpr std::size_t kMaxStatWorkers = 256;

std::size_t StatWorkers(const FlagValues& flags) {
  const std::string& text = flags.String("collector.filesystem.stat-workers");
  auto n = procfs::detail::ToI64(text);
  if (!n || *n > static_cast<std::int64_t>(kMaxStatWorkers)) {
    throw std::invalid_argument("invalid --collector.filesystem.stat-workers \"" + text +
                                "\": expected a whole number up to " +
                                std::to_string(kMaxStatWorkers));
  }
  return *n < 1 ? 1 : static_cast<std::size_t>(*n);  // node_exporter: max(n, 1)
}

std::chrono::milliseconds MountTimeout(const FlagValues& flags) {
  auto timeout = flags.Duration("collector.filesystem.mount-timeout");
  if (timeout.count() <= 0) {
    throw std::invalid_argument("invalid --collector.filesystem.mount-timeout \"" +
                                flags.String("collector.filesystem.mount-timeout") +
                                "\": must be longer than 0");
  }
  return timeout;
}

bool HasOption(std::string_view options, std::string_view option) {
  for (std::size_t start = 0; start <= options.size();) {
    std::size_t comma = options.find(',', start);
    std::size_t end = comma == std::string_view::npos ? options.size() : comma;
    if (options.substr(start, end - start) == option) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

class FilesystemCollector : public Collector {
 public:
  explicit FilesystemCollector(const CollectorContext& ctx)
      : proc_(ctx.proc),
        rootfs_(ctx.root.root().string()),
        mount_points_exclude_(std::make_unique<RE2>(FlagOrOldName(
            ctx.flags, kMountPointsExclude, "collector.filesystem.ignored-mount-points"))),
        fs_types_exclude_(std::make_unique<RE2>(
            FlagOrOldName(ctx.flags, kFsTypesExclude, "collector.filesystem.ignored-fs-types"))),
        mount_timeout_(MountTimeout(ctx.flags)),
        pool_(StatWorkers(ctx.flags), mount_timeout_) {}

  std::string_view name() const override { return "filesystem"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto text = procfs::ReadMountTable(proc_, buffer_);
    if (!text) {
      return text.error();
    }
    if (!loaded_ || *text != mounts_text_) {
      auto loaded = Load(*text);
      if (!loaded) {
        return loaded.error();
      }
    }
    if (std::string error = pool_.Run(calls_, results_); !error.empty()) {
      return procfs::Error{procfs::Errc::kIo, "statfs", error};
    }
    Emit(out);
    return {};
  }

 private:
  // A mount the collector reports.
  struct Target {
    std::string device, mount_point, fs_type, options;
    std::string path;  // what statfs(2) is called on
    bool readonly = false;
    std::size_t series = 0;  // the same device, mount point and type share one
    // The call that answers for it; none for a line repeated whole (its
    // answer would be dropped: node_exporter reports the first).
    std::size_t call = kNoCall;
  };
  static constexpr std::size_t kNoCall = static_cast<std::size_t>(-1);

  // Parses the mount table and decides what to ask, once per change of it.
  procfs::Result<void> Load(std::string_view text);
  void Emit(MetricSink& out);
  void Warn(const Target& target, const StatfsPool::Result& result, MetricSink& out) const;

  const procfs::ProcFs& proc_;
  const std::string rootfs_;
  const std::unique_ptr<RE2> mount_points_exclude_;
  const std::unique_ptr<RE2> fs_types_exclude_;
  const std::chrono::milliseconds mount_timeout_;
  StatfsPool pool_;
  std::string buffer_;
  bool loaded_ = false;
  std::string mounts_text_;  // the table targets_ was made from
  std::vector<Target> targets_;
  std::vector<StatfsPool::Call> calls_;  // view targets_
  std::vector<StatfsPool::Result> results_;
  std::vector<char> error_done_, values_done_;  // per series, this scrape
};

procfs::Result<void> FilesystemCollector::Load(std::string_view text) {
  auto mounts = procfs::ParseMounts("1/mounts", text);
  if (!mounts) {
    loaded_ = false;
    return mounts.error();
  }
  targets_.clear();
  targets_.reserve(mounts->size());  // the keys below view its strings
  calls_.clear();
  using Key = std::array<std::string_view, 3>;  // device, mount point, type
  std::map<Key, std::size_t> series;
  std::set<std::pair<Key, std::string_view>> lines;  // with the options
  for (procfs::Mount& mount : *mounts) {
    std::string mount_point = procfs::MountPointUnderRootfs(rootfs_, std::move(mount.mount_point));
    if (MatchesGo(*mount_points_exclude_, mount_point) ||
        MatchesGo(*fs_types_exclude_, mount.fs_type)) {
      continue;
    }
    Target& target = targets_.emplace_back();
    target.device = std::move(mount.device);
    target.mount_point = std::move(mount_point);
    target.fs_type = std::move(mount.fs_type);
    target.options = std::move(mount.options);
    target.readonly = HasOption(target.options, "ro");
    target.path = procfs::RootfsPath(rootfs_, target.mount_point);
    const Key key{target.device, target.mount_point, target.fs_type};
    target.series = series.try_emplace(key, series.size()).first->second;
    // node_exporter skips a line seen before whole, options included.
    if (lines.emplace(key, target.options).second) {
      target.call = calls_.size();
      calls_.push_back({target.path, target.mount_point});
    }
  }
  error_done_.assign(series.size(), 0);
  values_done_.assign(series.size(), 0);
  mounts_text_.assign(text);
  loaded_ = true;
  return {};
}

// node_exporter logs these at debug level; the scrape logs a warning when
// the set of them changes (a mount starts or stops failing), else debug.
void FilesystemCollector::Warn(const Target& target, const StatfsPool::Result& result,
                               MetricSink& out) const {
  std::string message = "statfs " + target.path + ": ";
  switch (result.outcome) {
    case StatfsPool::Outcome::kError:
      message += std::generic_category().message(result.error);
      break;
    case StatfsPool::Outcome::kTimedOut:
      message += "no answer within " + std::to_string(mount_timeout_.count()) +
                 " ms; not asked again until the call returns";
      break;
    case StatfsPool::Outcome::kStuck:
      message += "the call of an earlier scrape has not returned";
      break;
    case StatfsPool::Outcome::kOk:
      return;
  }
  out.Warn(std::move(message) + " (node_filesystem_device_error 1)");
}

void FilesystemCollector::Emit(MetricSink& out) {
  // node_exporter sends every mount's series; its registry keeps the first
  // of equal ones. So a series' device_error comes from the first of its
  // mounts, its values from the first that statfs answered.
  std::fill(error_done_.begin(), error_done_.end(), 0);
  std::fill(values_done_.begin(), values_done_.end(), 0);
  for (const Target& target : targets_) {
    if (target.call == kNoCall) {
      continue;
    }
    const StatfsPool::Result& result = results_[target.call];
    const bool failed = result.outcome != StatfsPool::Outcome::kOk;
    if (failed) {
      Warn(target, result, out);
    }
    const std::string_view labels[] = {target.device, target.mount_point, target.fs_type};
    if (!error_done_[target.series]) {
      out.Add(kDescs[kDeviceError], failed ? 1 : 0, labels);
      error_done_[target.series] = 1;
    }
    if (failed || values_done_[target.series]) {
      continue;
    }
    values_done_[target.series] = 1;
    const struct statfs& st = result.stats;
    const double block_size = static_cast<double>(st.f_bsize);
    out.Add(kDescs[kSize], static_cast<double>(st.f_blocks) * block_size, labels);
    out.Add(kDescs[kFree], static_cast<double>(st.f_bfree) * block_size, labels);
    out.Add(kDescs[kAvail], static_cast<double>(st.f_bavail) * block_size, labels);
    out.Add(kDescs[kFiles], static_cast<double>(st.f_files), labels);
    out.Add(kDescs[kFilesFree], static_cast<double>(st.f_ffree), labels);
    out.Add(kDescs[kReadonly], target.readonly ? 1 : 0, labels);
  }
}

}  // namespace

VITALS_REGISTER_COLLECTOR(
    filesystem, "Filesystem size, free space, inodes and errors, by statfs(2) of each mount",
    kEnabled, kFlags, FilesystemCollector);

}  // namespace vitals::collectors
