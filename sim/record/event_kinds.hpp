#pragma once
// The event tables every run log has (declared in event_kinds.def).
#include <string>
#include <vector>

namespace stampede {

struct EventKind {
  std::string name;        // dataset /events/<name>
  std::string long_name;   // the dataset's long_name attribute
};

// Every kind of event_kinds.def, in its order.
const std::vector<EventKind>& declared_event_kinds();

}  // namespace stampede
