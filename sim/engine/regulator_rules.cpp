// The regulator's rules (scenario section [regulator]) as the engine enforces them in the
// pre-trade risk check: an order of an agent a rule binds (Agent::regulated_as) that breaks a rule
// in force is refused with the rule's own reason, counted and logged like every other refusal.
// The agents plan within the same rules from the view (MarketView::rules); the engine's check is
// no stricter than their own, so an agent that heeds the rules is never refused.
#include <algorithm>

#include "sim/engine/simulation.hpp"

namespace stampede {

RegulatorRules Simulation::rules_in_force() const {
  auto from = [&](int first_day) { return first_day >= 0 && day_ >= first_day; };
  RegulatorRules r;
  if (from(rule_schedule_.sell_cap_from_day)) r.quant_sell_cap_per_day = rule_schedule_.sell_cap_fraction;
  r.dma_new_leverage_banned = from(rule_schedule_.dma_ban_from_day);
  if (from(rule_schedule_.dma_leverage_cap_from_day)) r.dma_leverage_cap = rule_schedule_.dma_leverage_cap;
  return r;
}

// At the open of a day with the sell cap in force: the holdings of every account of a regulated
// agent, the cap's base for the day (shares bought later are not sellable today, T+1).
void Simulation::take_opening_holdings() {
  opening_holdings_.clear();
  opening_holdings_index_.assign(static_cast<std::size_t>(accounts_.size()), -1);
  if (rules_in_force().quant_sell_cap_per_day >= 1.0) return;
  for (AccountId id = 0; id < accounts_.size(); ++id) {
    const Account& acc = accounts_[id];
    if (acc.owner < 0 || !is_regulated(acc.owner)) continue;
    opening_holdings_index_[static_cast<std::size_t>(id)] = static_cast<std::int32_t>(opening_holdings_.size());
    auto& held = opening_holdings_.emplace_back();
    for (const StockPosition& p : acc.stocks()) held.emplace_back(static_cast<InstrumentId>(p.stock), p.qty);
  }
}

// The cap's room on one account before this step's orders: cap x the opening holdings minus what
// of them is sold or offered already (held at the open, no longer sellable), all at the previous
// closes, in fen. The slack covers the rounding of the same sums in yuan by the agents.
Simulation::SellCapRoom Simulation::sell_cap_room(AccountId id, const Account& acc) const {
  const double cap = view_.rules.quant_sell_cap_per_day;
  const std::int32_t entry = opening_holdings_index_[static_cast<std::size_t>(id)];
  double opening = 0, committed = 0;
  if (entry >= 0)
    for (const auto& [stock, qty] : opening_holdings_[static_cast<std::size_t>(entry)]) {
      const double reference = quotes_[static_cast<std::size_t>(stock)].reference;
      opening += static_cast<double>(qty) * reference;
      committed += static_cast<double>(qty - acc.sellable(stock)) * reference;
    }
  return SellCapRoom{id, cap * opening - committed, 1e-9 * opening + 1.0};
}

RejectReason Simulation::check_regulator_rules(const Order& o, const Account& acc,
                                               std::vector<SellCapRoom>& sell_cap) const {
  const RegulatorRules& rules = view_.rules;
  const RegulatedAs as = agent_regulated_[static_cast<std::size_t>(acc.owner)];
  if (o.side == Side::Buy)
    return as == RegulatedAs::DmaAccount && rules.dma_new_leverage_banned ? RejectReason::RegulatorDmaBan
                                                                          : RejectReason::None;
  if (rules.quant_sell_cap_per_day >= 1.0) return RejectReason::None;
  auto it =
      std::find_if(sell_cap.begin(), sell_cap.end(), [&](const SellCapRoom& r) { return r.account == o.account; });
  if (it == sell_cap.end()) it = sell_cap.insert(sell_cap.end(), sell_cap_room(o.account, acc));
  const double value = static_cast<double>(o.qty) * quotes_[static_cast<std::size_t>(o.instrument)].reference;
  if (value > it->room_fen + it->slack_fen) return RejectReason::RegulatorSellCap;
  it->room_fen -= value;
  return RejectReason::None;
}

}   // namespace stampede
