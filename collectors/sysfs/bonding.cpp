#include "collectors/sysfs/bonding.h"

#include "collectors/procfs/go_text.h"

namespace vitals::sysfs {

procfs::Result<std::vector<Bond>> ReadBonding(const procfs::RootDir& sys, std::string& buffer) {
  std::vector<Bond> out;
  std::string masters;  // the listing, kept while each bond's files are read into `buffer`
  if (auto text = sys.ReadInto("class/net/bonding_masters", buffer); text) {
    masters.assign(*text);
  } else {
    return text.error();
  }
  std::string slaves;
  procfs::detail::GoFields bonds(masters);
  for (std::string_view master; bonds.Next(master);) {
    const std::string dir = "class/net/" + std::string(master) + "/";
    if (auto text = sys.ReadInto(dir + "bonding/slaves", buffer); text) {
      slaves.assign(*text);
    } else {
      return text.error();
    }
    Bond bond{std::string(master), 0, 0};
    procfs::detail::GoFields names(slaves);
    for (std::string_view slave; names.Next(slave);) {
      auto status = sys.ReadInto(dir + "lower_" + std::string(slave) + "/bonding_slave/mii_status", buffer);
      if (!status && status.error().code == procfs::Errc::kNotFound) {
        status = sys.ReadInto(dir + "slave_" + std::string(slave) + "/bonding_slave/mii_status", buffer);
      }
      if (!status) {
        return status.error();
      }
      ++bond.slaves;
      if (procfs::detail::GoTrimSpace(*status) == "up") {
        ++bond.active;
      }
    }
    // A bond listed twice is one (node_exporter keeps a map by name).
    bool seen = false;
    for (Bond& earlier : out) {
      if (earlier.master == bond.master) {
        earlier = bond;
        seen = true;
      }
    }
    if (!seen) {
      out.push_back(std::move(bond));
    }
  }
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return out;
}

}  // namespace vitals::sysfs
