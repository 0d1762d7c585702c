#pragma once
// The one interface between the engine and behaviour. The engine includes this file, never an
// agent's header: agent kinds reach the engine through the registry (agent_registry.hpp).
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/engine/market_view.hpp"
#include "sim/engine/order.hpp"

namespace stampede {

// Where an agent writes its orders for this step. Ids are unique without coordination.
class OrderSink {
 public:
  OrderSink(AgentId agent, std::vector<Order>& out, std::uint64_t& sequence)
      : agent_(agent), out_(&out), sequence_(&sequence) {}
  OrderId limit(AccountId a, InstrumentId i, Side s, Tick price, Qty qty, OrderReason r = OrderReason::Voluntary) {
    return push(a, i, s, OrderType::Limit, price, qty, r);
  }
  OrderId market(AccountId a, InstrumentId i, Side s, Qty qty, OrderReason r = OrderReason::Voluntary) {
    return push(a, i, s, OrderType::Market, kNoPrice, qty, r);
  }
  void cancel(AccountId a, InstrumentId i, OrderId target) {
    out_->push_back(Order{target, a, i, Side::Buy, OrderType::Cancel, OrderReason::Voluntary, kNoPrice, 0});
  }
  // For agents that build orders in parallel blocks with their own OrderSinks and sequences.
  void extend(const std::vector<Order>& orders) { out_->insert(out_->end(), orders.begin(), orders.end()); }
  AgentId agent() const { return agent_; }

 private:
  OrderId push(AccountId a, InstrumentId i, Side s, OrderType t, Tick p, Qty q, OrderReason r) {
    OrderId id = make_order_id(agent_, (*sequence_)++);
    out_->push_back(Order{id, a, i, s, t, r, p, q});
    return id;
  }
  AgentId agent_;
  std::vector<Order>* out_;
  std::uint64_t* sequence_;
};

class Agent {
 public:
  virtual ~Agent() = default;
  // Agent class name as recorded in the run log ("liquidity_provider", "noise_trader", ...).
  virtual const char* kind() const = 0;
  // Called every step, for all agents in parallel: read the view, write orders, and touch no
  // state but this agent's own. Draw randomness only from streams this agent owns.
  virtual void decide(const MarketView& view, OrderSink& out) = 0;
  // Called after the close, sequentially in agent order.
  virtual void end_of_day(const MarketView& /*view*/) {}

  AgentId id() const { return id_; }
  void assign_id(AgentId id) { id_ = id; }   // by the engine, once

 private:
  AgentId id_ = -1;
};

}  // namespace stampede
