#pragma once
// The event tables every run log has (declared in event_kinds.def), and the names agents emit
// events under.
#include <string>
#include <vector>

namespace stampede {

struct EventKind {
  std::string name;                  // dataset /events/<name>
  std::string long_name;             // one-line doc: the dataset's long_name attribute
  std::string label = {};            // short human label ("" = the name)
  std::string quantity_units = {};   // what the `quantity` field counts
  std::string price_units = {};      // what the `price` field holds
};

// Every kind of event_kinds.def, in its order.
const std::vector<EventKind>& declared_event_kinds();

// A declared event kind, as OrderSink::event takes it: only the constants below exist (a string
// literal does not convert), so an agent cannot emit a kind event_kinds.def does not declare.
struct EventKindName {
  const char* name;
};

namespace event_kind {
#define STAMPEDE_EVENT_KIND(kind_name, ...) inline constexpr EventKindName kind_name{#kind_name};
#include "sim/record/event_kinds.def"
#undef STAMPEDE_EVENT_KIND
}   // namespace event_kind

}  // namespace stampede
