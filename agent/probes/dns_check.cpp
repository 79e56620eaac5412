// dns: resolve a name over DNS only (not /etc/hosts) with c-ares, from
// resolv.conf's servers or a configured one, within the run's deadline (the
// lookup is cancelled at it); optionally every expected address must be in
// the answer. A truncated UDP answer (TC bit) is retried over TCP; the
// description says so, and a failed retry says why.

#include <arpa/inet.h>

#include "agent/health/kind.h"
#include "agent/probes/probe.h"

#include <algorithm>

namespace vitals::probes {

namespace {

struct DnsSettings : config::KindSettings {
  std::string name;  // "query_name" ("name" is the check's)
  std::string record_type = "A";  // A or AAAA
  std::optional<config::HostPort> server;  // empty: /etc/resolv.conf
  std::vector<std::string> expect_addresses;  // each must be in the answer
};

DnsSettings ReadDns(const config::Reader& r) {
  DnsSettings c;
  c.name = r.String("query_name", true).value_or("");
  if (auto type = r.String("record_type")) {
    if (*type != "A" && *type != "AAAA") {
      r.At("record_type").Fail("expected \"A\" or \"AAAA\", got " +
                               config::Describe(r.At("record_type").value()));
    }
    c.record_type = *type;
  }
  if (r.Has("server")) {
    c.server = config::ReadAddress(r, "server");
  }
  std::size_t i = 0;
  for (const std::string& address : config::ReadStrings(r, "expect_addresses")) {
    unsigned char buf[16];
    const int family = c.record_type == "AAAA" ? AF_INET6 : AF_INET;
    if (inet_pton(family, address.c_str(), buf) != 1) {
      r.At("expect_addresses")
          .FailAt(std::to_string(i), "expected an IPv" + std::string(family == AF_INET ? "4" : "6") +
                                         " address for record_type " + c.record_type + ", got \"" +
                                         address + "\"");
    }
    c.expect_addresses.push_back(address);
    ++i;
  }
  return c;
}

class DnsCheck final : public ProbeCheck {
 public:
  DnsCheck(DnsSettings config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override;

 private:
  DnsSettings config_;
};

const collectors::MetricDesc kDnsAnswerRrs = health::CheckGauge(
    "vitals_probe_dns_answer_rrs", "Addresses in the answer of a dns probe.");
const collectors::MetricDesc kDnsLookupTimeSeconds = health::CheckGauge(
    "vitals_probe_dns_lookup_time_seconds", "How long the lookup of a dns probe took.");

}  // namespace


health::CheckResult DnsCheck::Probe(ProbeRun& run) {
  ResolveOptions options;
  options.family = config_.record_type == "AAAA" ? AF_INET6 : AF_INET;
  options.server = config_.server;
  options.dns_only = true;
  const std::string target = config_.record_type + " " + config_.name +
                             (config_.server ? " @" + config_.server->ToString() : "");
  const auto start = std::chrono::steady_clock::now();
  std::vector<Address> answer;
  bool over_tcp = false;
  try {
    answer = Resolve(config_.name, 0, options, run.deadline, &over_tcp);
  } catch (const ProbeFailure& e) {
    run.data["dns_lookup_time_seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    throw ProbeFailure(std::string("dns ") + e.what() +
                       (config_.server ? " (server " + config_.server->ToString() + ")" : ""));
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  run.data["dns_lookup_time_seconds"] = took.count();
  std::vector<std::string> addresses;
  for (const Address& a : answer) {
    std::string text = a.ToString();
    if (std::find(addresses.begin(), addresses.end(), text) == addresses.end()) {
      addresses.push_back(std::move(text));
    }
  }
  run.data["dns_answer_rrs"] = addresses.size();
  if (over_tcp) {
    run.data["transport"] = "tcp";
  }
  run.data["addresses"] = addresses;
  std::string joined;
  for (const auto& a : addresses) {
    joined += (joined.empty() ? "" : ", ") + a;
  }
  for (const std::string& expected : config_.expect_addresses) {
    // Compare as addresses, not text: "::1" and "0:0::1" are one address.
    Address want;
    std::vector<Address> parsed = Resolve(expected, 0, {options.family, {}, false}, run.deadline);
    want = parsed[0];
    const bool found = std::any_of(answer.begin(), answer.end(), [&](const Address& a) {
      return a.ToString() == want.ToString();
    });
    if (!found) {
      throw ProbeFailure("dns " + target + ": answer [" + joined + "] lacks expected " + expected);
    }
  }
  return health::CheckResult::Healthy(
      "dns " + target + ": [" + joined + "] in " + FormatSeconds(took) +
      (over_tcp ? " (over TCP: the UDP answer was truncated)" : ""));
}

VITALS_REGISTER_CHECK_KIND(dns, (ProbeKind<DnsSettings, DnsCheck>(
                                "dns", {"query_name", "record_type", "server", "expect_addresses"}, ReadDns,
                                {{"dns_answer_rrs", &kDnsAnswerRrs}, {"dns_lookup_time_seconds", &kDnsLookupTimeSeconds}})));

}  // namespace vitals::probes
