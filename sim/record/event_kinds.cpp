#include "sim/record/event_kinds.hpp"

namespace stampede {

const std::vector<EventKind>& declared_event_kinds() {
  static const std::vector<EventKind> kinds = {
#define STAMPEDE_EVENT_KIND(name, long_name) {#name, long_name},
#include "sim/record/event_kinds.def"
#undef STAMPEDE_EVENT_KIND
  };
  return kinds;
}

}  // namespace stampede
