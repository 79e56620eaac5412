#include "agent/probes/dns_check.h"

#include <algorithm>

namespace vitals::probes {

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

}  // namespace vitals::probes
