// node_exporter's "timex" collector: the kernel clock's discipline state from
// adjtimex(2) (modes 0: read only), e.g. whether NTP has synchronized it.

#include <sys/timex.h>

#include <cerrno>
#include <cstring>

#include "collectors/collector_registry.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_timex_offset_seconds", "Time offset in between local system and reference clock.",
     MetricType::Gauge, {}},
    {"node_timex_frequency_adjustment_ratio", "Local clock frequency adjustment.",
     MetricType::Gauge, {}},
    {"node_timex_maxerror_seconds", "Maximum error in seconds.", MetricType::Gauge, {}},
    {"node_timex_estimated_error_seconds", "Estimated error in seconds.", MetricType::Gauge, {}},
    {"node_timex_status", "Value of the status array bits.", MetricType::Gauge, {}},
    {"node_timex_loop_time_constant", "Phase-locked loop time constant.", MetricType::Gauge, {}},
    {"node_timex_tick_seconds", "Seconds between clock ticks.", MetricType::Gauge, {}},
    {"node_timex_pps_frequency_hertz", "Pulse per second frequency.", MetricType::Gauge, {}},
    {"node_timex_pps_jitter_seconds", "Pulse per second jitter.", MetricType::Gauge, {}},
    {"node_timex_pps_shift_seconds", "Pulse per second interval duration.", MetricType::Gauge, {}},
    {"node_timex_pps_stability_hertz",
     "Pulse per second stability, average of recent frequency changes.", MetricType::Gauge, {}},
    {"node_timex_pps_jitter_total", "Pulse per second count of jitter limit exceeded events.",
     MetricType::Counter, {}},
    {"node_timex_pps_calibration_total", "Pulse per second count of calibration intervals.",
     MetricType::Counter, {}},
    {"node_timex_pps_error_total", "Pulse per second count of calibration errors.",
     MetricType::Counter, {}},
    {"node_timex_pps_stability_exceeded_total",
     "Pulse per second count of stability limit exceeded events.", MetricType::Counter, {}},
    {"node_timex_tai_offset_seconds", "International Atomic Time (TAI) offset.", MetricType::Gauge,
     {}},
    {"node_timex_sync_status", "Is clock synchronized to a reliable server (1 = yes, 0 = no).",
     MetricType::Gauge, {}},
};

class TimexCollector : public Collector {
 public:
  explicit TimexCollector(const CollectorContext&) {}
  std::string_view name() const override { return "timex"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    struct timex tx {};
    const int state = ::adjtimex(&tx);
    if (state < 0) {
      const int err = errno;
      if (err == EPERM) {  // a seccomp filter, as node_exporter takes it
        return NoData("adjtimex(2)", std::strerror(err));
      }
      return procfs::Error{procfs::Errc::kIo, "adjtimex(2)", std::strerror(err), err};
    }
    // adjtimex(2) NOTES: offset and jitter are in ns with STA_NANO, else us;
    // freq, ppsfreq and stabil are ppm with a 16-bit fraction.
    const double divisor = (tx.status & STA_NANO) != 0 ? 1e9 : 1e6;
    constexpr double kPpm16 = 1e6 * 65536.0;
    const double values[] = {
        static_cast<double>(tx.offset) / divisor,
        1 + static_cast<double>(tx.freq) / kPpm16,
        static_cast<double>(tx.maxerror) / 1e6,
        static_cast<double>(tx.esterror) / 1e6,
        static_cast<double>(tx.status),
        static_cast<double>(tx.constant),
        static_cast<double>(tx.tick) / 1e6,
        static_cast<double>(tx.ppsfreq) / kPpm16,
        static_cast<double>(tx.jitter) / divisor,
        static_cast<double>(tx.shift),
        static_cast<double>(tx.stabil) / kPpm16,
        static_cast<double>(tx.jitcnt),
        static_cast<double>(tx.calcnt),
        static_cast<double>(tx.errcnt),
        static_cast<double>(tx.stbcnt),
        static_cast<double>(tx.tai),
        state == TIME_ERROR ? 0.0 : 1.0,  // TIME_ERROR: not synchronized
    };
    static_assert(std::size(values) == std::size(kDescs));
    for (std::size_t i = 0; i < std::size(kDescs); ++i) {
      out.Add(kDescs[i], values[i]);
    }
    return {};
  }
};

}  // namespace

VITALS_REGISTER_COLLECTOR(timex, "Kernel clock discipline (NTP) state, from adjtimex(2)", kEnabled,
                          {}, TimexCollector);

}  // namespace vitals::collectors
