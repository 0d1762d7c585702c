// What agents do besides trading: their events and cash transfers, applied after settlement in
// agent order; their per-step reports summed per class; who sold what, and whether forced.

#include "sim/engine/simulation.hpp"
#include "sim/core/parallel.hpp"

namespace stampede {

void Simulation::apply_outboxes() {
  for (std::size_t a = 0; a < agents_.size(); ++a) {
    AgentOutbox& box = agent_outboxes_[a];
    if (box.events.empty() && box.transfers.empty()) continue;   // most agents: no need to touch them
    const AgentId agent = agents_[a]->id();
    for (AgentEvent& e : box.events) add_event(e.kind, agent, e.instrument, e.quantity, e.price, std::move(e.reason));
    for (const CashTransfer& t : box.transfers) apply_transfer(agent, t);
    box.clear();
  }
}

// A transfer moves at most the cash the paying account has free: an agent cannot create money
// or spend what its open orders have reserved. What could not be paid is reported as an event.
void Simulation::apply_transfer(AgentId agent, const CashTransfer& t) {
  if (!accounts_.valid(t.from) || accounts_[t.from].owner != agent)
    throw std::logic_error("agent " + std::to_string(agent) + " asked to move cash from account " +
                           std::to_string(t.from) + " it does not own");
  if (t.to != kNoAccount && !accounts_.valid(t.to))
    throw std::logic_error("cash transfer to unknown account " + std::to_string(t.to));
  Account& from = accounts_[t.from];
  const Fen paid = std::clamp<Fen>(t.amount, 0, std::max<Fen>(0, from.cash - from.reserved_cash));
  from.cash -= paid;
  if (t.to == kNoAccount)
    external_out_ += paid;
  else
    accounts_[t.to].cash += paid;
  if (paid < t.amount)
    add_event(event_kind::unpaid_transfers.name, agent, -1, 0, static_cast<double>(t.amount - paid) / 100.0, t.reason);
}

void Simulation::report_agents() {
  stampede::parallel_for(tbb::blocked_range<std::size_t>(0, agents_.size(), 16), [&](const auto& r) {
    for (std::size_t a = r.begin(); a < r.end(); ++a) {
      if (a + 1 < r.end()) agents_[a + 1]->prefetch_report(view_);
      agent_metrics_[a] = ClassMetrics{};
      agents_[a]->report(view_, agent_metrics_[a]);
    }
  });
  for (ClassMetrics& m : class_metrics_) m = ClassMetrics{};
  for (std::size_t a = 0; a < agents_.size(); ++a)
    class_metrics_[static_cast<std::size_t>(agent_class_[a])].add(agent_metrics_[a]);
}

void Simulation::attribute_trade(const Trade& t, InstrumentId stock, std::vector<Flow>& flows) {
  const OrderId sell_id = t.taker_side == Side::Sell ? t.taker_id : t.maker_id;
  const OrderId buy_id = t.taker_side == Side::Buy ? t.taker_id : t.maker_id;
  const auto segment = static_cast<std::size_t>(universe_.segment[static_cast<std::size_t>(stock)]);
  const Fen value = static_cast<Fen>(t.price) * t.qty;
  auto class_of = [&](OrderId id) { return static_cast<std::size_t>(agent_class_[static_cast<std::size_t>(agent_of(id))]); };
  const std::size_t seller_class = class_of(sell_id), buyer_class = class_of(buy_id);
  Flow& seller = flows[seller_class * 3 + segment];
  const bool forced_sale = is_forced(reason_of(sell_id));
  (forced_sale ? seller.sell_forced : seller.sell_voluntary) += value;
  if (t.taker_side == Side::Sell) seller.sell_aggressive += value;
  flows[buyer_class * 3 + segment].buy += value;
  // The same trade in shares, per class and stock (this block's stocks only: see day_class_volume_).
  const auto stocks = static_cast<std::size_t>(universe_.size());
  const auto s = static_cast<std::size_t>(stock);
  day_class_volume_[forced_sale ? kSoldForced : kSoldVoluntary][seller_class * stocks + s] += t.qty;
  day_class_volume_[is_forced(reason_of(buy_id)) ? kBoughtForced : kBoughtVoluntary][buyer_class * stocks + s] += t.qty;
}

}  // namespace stampede
