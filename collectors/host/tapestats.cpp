// node_exporter's "tapestats" collector: the I/O counters of each SCSI tape
// drive, from <sysfs>/class/scsi_tape/st<N>/stats, but the drives whose name
// matches --collector.tapestats.ignored-devices.

#include <memory>

#include "collectors/collector_registry.h"
#include "collectors/sysfs/scsi_tape.h"

namespace vitals::collectors {

namespace {

const FlagSpec kFlags[] = {
    {"collector.tapestats.ignored-devices", FlagKind::kRegex, "^$",
     "Regexp of devices to ignore for tapestats."},
};

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_tape_io_now", "The number of I/Os currently outstanding to this device.",
     MetricType::Gauge, {"device"}},
    {"node_tape_io_time_seconds_total",
     "The amount of time spent waiting for all I/O to complete (including read and write). This "
     "includes tape movement commands such as seeking between file or set marks and implicit tape "
     "movement such as when rewind on close tape devices are used.",
     MetricType::Counter, {"device"}},
    {"node_tape_io_others_total",
     "The number of I/Os issued to the tape drive other than read or write commands. The time "
     "taken to complete these commands uses the following calculation "
     "io_time_seconds_total-read_time_seconds_total-write_time_seconds_total",
     MetricType::Counter, {"device"}},
    {"node_tape_read_bytes_total", "The number of bytes read from the tape drive.",
     MetricType::Counter, {"device"}},
    {"node_tape_reads_completed_total", "The number of read requests issued to the tape drive.",
     MetricType::Counter, {"device"}},
    {"node_tape_read_time_seconds_total",
     "The amount of time spent waiting for read requests to complete.", MetricType::Counter,
     {"device"}},
    {"node_tape_residual_total",
     "The number of times during a read or write we found the residual amount to be non-zero. "
     "This should mean that a program is issuing a read larger thean the block size on tape. For "
     "write not all data made it to tape.",
     MetricType::Counter, {"device"}},
    {"node_tape_written_bytes_total", "The number of bytes written to the tape drive.",
     MetricType::Counter, {"device"}},
    {"node_tape_writes_completed_total", "The number of write requests issued to the tape drive.",
     MetricType::Counter, {"device"}},
    {"node_tape_write_time_seconds_total",
     "The amount of time spent waiting for write requests to complete.", MetricType::Counter,
     {"device"}},
};
enum Desc {
  kIoNow, kIoTime, kIoOthers, kReadBytes, kReads, kReadTime, kResidual, kWrittenBytes, kWrites,
  kWriteTime
};

class TapestatsCollector : public Collector {
 public:
  explicit TapestatsCollector(const CollectorContext& ctx)
      : sys_(ctx.sys), ignored_(ctx.flags.Regex("collector.tapestats.ignored-devices")) {}
  std::string_view name() const override { return "tapestats"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto tapes = sysfs::ReadScsiTapes(sys_, buffer_);
    if (!tapes) {
      return NoDataIfAbsent(tapes.error(), "no scsi_tape statistics");
    }
    constexpr double kNanosecond = 0.000000001;  // multiplied, as node_exporter does
    for (const sysfs::ScsiTape& tape : *tapes) {
      if (MatchesGo(*ignored_, tape.name)) {
        continue;
      }
      auto add = [&out, &tape](Desc desc, double value) { out.Add(kDescs[desc], value, {tape.name}); };
      add(kIoNow, static_cast<double>(tape.in_flight));
      add(kIoTime, static_cast<double>(tape.io_ns) * kNanosecond);
      add(kIoOthers, static_cast<double>(tape.other_cnt));
      add(kReadBytes, static_cast<double>(tape.read_byte_cnt));
      add(kReads, static_cast<double>(tape.read_cnt));
      add(kReadTime, static_cast<double>(tape.read_ns) * kNanosecond);
      add(kResidual, static_cast<double>(tape.resid_cnt));
      add(kWrittenBytes, static_cast<double>(tape.write_byte_cnt));
      add(kWrites, static_cast<double>(tape.write_cnt));
      add(kWriteTime, static_cast<double>(tape.write_ns) * kNanosecond);
    }
    return {};
  }

 private:
  const procfs::RootDir& sys_;
  const std::unique_ptr<RE2> ignored_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(tapestats, "SCSI tape drive I/O, from /sys/class/scsi_tape", kEnabled,
                          kFlags, TapestatsCollector);

}  // namespace vitals::collectors
