#include "agent/health/status.h"

namespace vitals::health {

std::optional<HealthStatus> ParseStatus(std::string_view text) {
  for (HealthStatus status : kAllStatuses) {
    std::string_view name = StatusName(status);
    if (text == name) {
      return status;
    }
    // The lower-case config spelling.
    if (text.size() == name.size() && !text.empty() && text[0] == name[0] - 'A' + 'a' &&
        text.substr(1) == name.substr(1)) {
      return status;
    }
  }
  return std::nullopt;
}

}  // namespace vitals::health
