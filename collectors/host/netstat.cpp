// node_exporter's "netstat" collector: the protocol counters of
// /proc/net/netstat, /proc/net/snmp and /proc/net/snmp6 matching
// --collector.netstat.fields, each as untyped node_netstat_<Proto>_<Name>.

#include <memory>

#include "collectors/collector_registry.h"
#include "collectors/procfs/net_snmp.h"
#include "collectors/procfs/parse_util.h"

namespace vitals::collectors {

namespace {

const FlagSpec kFlags[] = {
    {"collector.netstat.fields", FlagKind::kRegex,
     "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|"
     "TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|"
     "OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|"
     "RcvbufErrors|SndbufErrors))$",
     "Regexp of fields to return for netstat collector."},
};

class NetstatCollector : public Collector {
 public:
  explicit NetstatCollector(const CollectorContext& ctx)
      : proc_(ctx.proc), fields_(ctx.flags.Regex("collector.netstat.fields")) {}
  std::string_view name() const override { return "netstat"; }
  std::span<const MetricDesc> Describe() const override { return {}; }
  std::string_view derived_prefix() const override { return "node_netstat_"; }

  procfs::Result<void> Collect(MetricSink& out) override {
    derived_.StartScrape();
    // netstat and snmp must exist; snmp6 is absent without IPv6.
    for (std::string_view path : {"net/netstat", "net/snmp", "net/snmp6"}) {
      auto text = proc_.ReadInto(path, buffer_);
      if (!text) {
        if (path == "net/snmp6" && text.error().code == procfs::Errc::kNotFound) {
          continue;
        }
        return text.error();
      }
      auto counters = path == "net/snmp6" ? procfs::ParseSnmp6(*text)
                                          : procfs::ParseSnmpPairs(path, *text);
      if (!counters) {
        return counters.error();
      }
      for (const procfs::SnmpCounter& counter : *counters) {
        // Every value must be a number, exported or not, as in node_exporter.
        auto value = procfs::detail::ToNumber(counter.value);
        if (!value) {
          return procfs::ParseError(std::string(path), std::string(counter.protocol) + " " +
                                                           std::string(counter.name) + ": \"" +
                                                           std::string(counter.value) +
                                                           "\" is not a number");
        }
        key_.assign(counter.protocol);
        key_ += '_';
        key_ += counter.name;
        auto family = derived_.Get(key_, prometheus::MetricType::Untyped, [&] {
          std::optional<std::pair<std::string, std::string>> made;
          if (MatchesGo(*fields_, key_)) {
            made.emplace("node_netstat_" + key_, "Statistic " + std::string(counter.protocol) +
                                                     std::string(counter.name) + ".");
          }
          return made;
        });
        if (family.bad_name) {
          return procfs::ParseError(std::string(path), "counter \"" + key_ +
                                                           "\" does not make a valid metric name");
        }
        if (family.desc != nullptr) {
          out.Add(*family.desc, *value);
        }
      }
    }
    procfs::RootDir::ReleaseLargeBuffer(buffer_);
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  const std::unique_ptr<RE2> fields_;
  std::string buffer_;
  std::string key_;
  DerivedFamilies derived_;  // matching counters' families; a filtered one is remembered too
};

}  // namespace

VITALS_REGISTER_COLLECTOR(netstat, "Network protocol counters, from /proc/net/{netstat,snmp,snmp6}",
                          kEnabled, kFlags, NetstatCollector);

}  // namespace vitals::collectors
