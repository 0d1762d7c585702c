#include "sim/record/event_kinds.hpp"

namespace stampede {

const std::vector<EventKind>& declared_event_kinds() {
  static const std::vector<EventKind> kinds = {
#define STAMPEDE_EVENT_KIND(name, label, quantity_units, price_units, doc) \
  {#name, doc, label, quantity_units, price_units},
#include "sim/record/event_kinds.def"
#undef STAMPEDE_EVENT_KIND
  };
  return kinds;
}

}  // namespace stampede
