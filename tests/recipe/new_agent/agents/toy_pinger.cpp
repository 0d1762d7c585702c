#include "agents/toy_pinger.hpp"

#include <boost/random/uniform_01.hpp>
#include <memory>

#include "sim/engine/valuation.hpp"

namespace stampede {

void ToyPinger::end_of_day(const MarketView& /*view*/, OrderSink& out) {
  out.event(event_kind::toy_pings, -1, 1, boost::random::uniform_01<double>()(rng_), "ping");
}

void ToyPinger::report(const MarketView& view, ClassMetrics& into) const {
  add_account(into, value_account(view, account_));
}

namespace {

struct ToyPingersSection {
  int count = 0;
};

ParamBinder<ToyPingersSection> section_binder() {
  ParamBinder<ToyPingersSection> b{"toy_pingers"};
  b.bind(&ToyPingersSection::count, "count", 0, 1000, "agents", "number of toy pingers");
  return b;
}

void populate(const ToyPingersSection& sec, const Scenario& /*scenario*/, WorldSetup& setup) {
  for (int k = 0; k < sec.count; ++k) {
    const AccountId account = setup.open_account(setup.next_agent_id(), 0);
    setup.add_agent(std::make_unique<ToyPinger>(account, setup.stream("ping", static_cast<std::uint64_t>(k))));
  }
}

}   // namespace

AgentKind toy_pingers_kind() { return bound_agent_kind(section_binder(), populate, {kToyPingerClass}); }

}   // namespace stampede
