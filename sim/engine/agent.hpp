#pragma once
// The one interface between the engine and behaviour. The engine includes this file, never an
// agent's header: agent kinds reach the engine through the registry (agent_registry.hpp).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/state_io.hpp"
#include "sim/engine/market_view.hpp"
#include "sim/engine/order.hpp"
#include "sim/record/event_kinds.hpp"

namespace stampede {

// Side effects other than orders an agent produced this step.
struct AgentOutbox {
  std::vector<AgentEvent> events;
  std::vector<CashTransfer> transfers;
  void clear() { events.clear(); transfers.clear(); }
};

// Where an agent writes its orders for this step. Ids are unique without coordination.
class OrderSink {
 public:
  OrderSink(AgentId agent, std::vector<Order>& out, std::uint64_t& sequence, AgentOutbox* outbox = nullptr)
      : agent_(agent), out_(&out), sequence_(&sequence), outbox_(outbox) {}
  OrderId limit(AccountId a, InstrumentId i, Side s, Tick price, Qty qty, OrderReason r = OrderReason::Voluntary) {
    return push(a, i, s, OrderType::Limit, price, qty, r);
  }
  OrderId market(AccountId a, InstrumentId i, Side s, Qty qty, OrderReason r = OrderReason::Voluntary) {
    return push(a, i, s, OrderType::Market, kNoPrice, qty, r);
  }
  void cancel(AccountId a, InstrumentId i, OrderId target) {
    out_->push_back(Order{target, a, i, Side::Buy, OrderType::Cancel, kNoPrice, 0});
  }
  // For agents that build orders in parallel blocks with their own OrderSinks and sequences.
  void extend(const std::vector<Order>& orders) { out_->insert(out_->end(), orders.begin(), orders.end()); }

  // A row of /events/<kind>: `kind` is one of event_kind::... (sim/record/event_kinds.def).
  void event(EventKindName kind, InstrumentId instrument, Qty quantity, double price, std::string reason) {
    outbox().events.push_back(AgentEvent{kind.name, instrument, quantity, price, std::move(reason)});
  }
  void transfer(AccountId from, AccountId to, Fen amount, std::string reason) {
    outbox().transfers.push_back(CashTransfer{from, to, amount, std::move(reason)});
  }
  void pay_out(AccountId from, Fen amount, std::string reason) { transfer(from, kNoAccount, amount, std::move(reason)); }

  AgentId agent() const { return agent_; }

 private:
  OrderId push(AccountId a, InstrumentId i, Side s, OrderType t, Tick p, Qty q, OrderReason r) {
    OrderId id = make_order_id(agent_, r, (*sequence_)++);
    out_->push_back(Order{id, a, i, s, t, p, q});
    return id;
  }
  AgentOutbox& outbox();
  AgentId agent_;
  std::vector<Order>* out_;
  std::uint64_t* sequence_;
  AgentOutbox* outbox_;
};

// Per-step totals of one agent class, summed over its agents in agent order.
struct ClassMetrics {
  double nav = 0;               // investors' capital marked to market (yuan)
  double equity = 0;            // account equity: cash + stocks + unsettled futures P&L - debt (yuan)
  double gross_long = 0;        // stock holdings at market (yuan)
  double futures_notional = 0;  // signed: negative = short (yuan)
  double cash = 0;              // (yuan)
  std::int64_t accounts = 0;
  std::int64_t in_margin_call = 0;
  std::int64_t liquidating = 0;
  void add(const ClassMetrics& o) {
    nav += o.nav; equity += o.equity; gross_long += o.gross_long; futures_notional += o.futures_notional;
    cash += o.cash; accounts += o.accounts; in_margin_call += o.in_margin_call; liquidating += o.liquidating;
  }
};

// The state an agent reports in its daily row: one code table for every agent kind, so the
// run log can name the codes (agent_state_names()).
enum class AgentState : std::int32_t {
  Normal = 0,
  MarginCall = 1,       // below a warning line, cutting exposure
  Liquidating = 2,      // being liquidated by its broker
  Liquidated = 3,       // liquidation finished: no positions left
  Redeeming = 4,        // selling to pay redemptions
  RiskCut = 5,          // cutting exposure on a drawdown or volatility limit
  KnockedIn = 6,        // an issuer holding knocked-in notes
  Intervening = 7,      // state buying under way
  BudgetExhausted = 8,  // state buyer out of budget
};
inline const std::vector<std::string>& agent_state_names() {
  static const std::vector<std::string> names{"normal", "margin_call", "liquidating", "liquidated", "redeeming",
                                              "risk_cut", "knocked_in", "intervening", "budget_exhausted"};
  return names;
}

// The name of an agent's row in /agents/daily: its scenario section and its id ("dma_000123").
inline std::string daily_agent_name(const std::string& section, AgentId id) {
  char name[64];
  std::snprintf(name, sizeof name, "%s_%06d", section.c_str(), id);
  return name;
}

// Which of the regulator's rules (RegulatorRules, scenario section [regulator]) bind an agent's
// accounts. The engine's risk check refuses an order that breaks a rule in force for the sender
// (RejectReason::RegulatorSellCap, RegulatorDmaBan), so a rule holds whether or not the agent
// heeds the view's `rules`.
enum class RegulatedAs : std::uint8_t {
  Unregulated = 0,
  QuantFund,    // the per-day sell cap
  DmaAccount,   // the per-day sell cap and the ban on new leverage
};

// One agent's end-of-day row in the run log.
struct AgentDayRow {
  double nav = std::numeric_limits<double>::quiet_NaN();
  double equity = std::numeric_limits<double>::quiet_NaN();
  double leverage = std::numeric_limits<double>::quiet_NaN();   // gross long / equity
  // NAV per unit of the investors' capital. Funds with investor units report nav / units; NaN
  // (agents without units, no money in or out): the engine takes nav / the NAV at the first open.
  double nav_per_unit = std::numeric_limits<double>::quiet_NaN();
  AgentState state = AgentState::Normal;
};

// An agent class: what Agent::kind() returns and the run log's `agent_class` holds. Declared once,
// as a constant next to the agent (`inline constexpr AgentClassInfo kDmaAccountClass{...}` in its
// header, its kind() returning kDmaAccountClass.name), and listed by the section that makes it
// (bound_agent_kind's classes): the run log lists the run's classes, with their labels and docs,
// in /meta/agent_classes.
// The run summary's lines about a group of agents (sim/engine/run_outcomes.hpp) count the classes
// that declare themselves part of it, so the engine names no agent class.
enum class SummaryGroup : std::uint8_t {
  none,
  dma_accounts,    // leveraged broker accounts: the DMA liquidation, margin-call, shortfall and median lines
  neutral_funds,   // the "neutral funds (median)" line
};

struct AgentClassInfo {
  const char* name;    // "dma_account": snake case, as the log's agent_class
  const char* label;   // plural, for people: "DMA accounts" (figure legends, report tables)
  const char* doc;     // one line: what one agent of the class is
  SummaryGroup summary_group = SummaryGroup::none;   // the summary lines that count its agents
};

class Agent {
 public:
  virtual ~Agent() = default;
  // Agent class name as recorded in the run log ("liquidity_provider", "noise_trader", ...): the
  // name of the class's AgentClassInfo.
  virtual const char* kind() const = 0;
  // Called every step, for all agents in parallel: read the view, write orders, and touch no
  // state but this agent's own. Read no account but the agent's own: the engine checks each
  // agent's orders (reserving cash and shares on its accounts) as soon as it has decided, while
  // others are still deciding. Draw randomness only from streams this agent owns.
  virtual void decide(const MarketView& view, OrderSink& out) = 0;
  // True for an agent whose decide() must run on the simulating thread, one agent at a time, in
  // agent order (agents written in Python: the interpreter runs one thread at a time, and their
  // code may share state through it). The engine calls these after the parallel decisions; as
  // each agent's decision and risk check touch only its own accounts, the result is the same.
  virtual bool decides_in_order() const { return false; }
  // The regulator's rules that bind this agent's accounts; fixed for the agent's life.
  virtual RegulatedAs regulated_as() const { return RegulatedAs::Unregulated; }
  // A memory hint, called just before the previous agent's decide(): fetch what this agent's
  // decide() will read first. Must change nothing.
  virtual void prefetch_decide(const MarketView& /*view*/) const {}
  // Called after the close, sequentially in agent order. The market is closed: orders placed
  // here are an error; events and cash transfers are applied.
  virtual void end_of_day(const MarketView& /*view*/, OrderSink& /*out*/) {}
  // Adds this agent's state to its class totals; called after every step, in parallel.
  virtual void report(const MarketView& /*view*/, ClassMetrics& /*into*/) const {}
  // The same memory hint for report(), called just before the previous agent's report().
  virtual void prefetch_report(const MarketView& /*view*/) const {}
  // Agents with a row per day in the run log (funds, accounts, issuers) return true.
  virtual bool reports_daily() const { return false; }
  virtual AgentDayRow day_row(const MarketView& /*view*/) const { return {}; }
  // Checkpoints (sim/core/state_io.hpp, sim/engine/checkpoint.hpp): lists, once, every member
  // that changes during a run (positions of its own, counters, random streams, shared boards via
  // io.shared), for saving and loading alike. Called at a day boundary; loading is given the agent
  // as the scenario built it. Parameters fixed at construction need not be listed. A kind that
  // does not override it cannot be checkpointed (runs with it fail at the first checkpoint).
  virtual void checkpoint(StateIo& /*io*/) {
    throw CheckpointError(std::string("agent kind ") + kind() + " has no checkpoint(): run it with --checkpoint-every 0");
  }

  AgentId id() const { return id_; }
  void assign_id(AgentId id) { id_ = id; }   // by the engine, once

 private:
  AgentId id_ = -1;
};

inline AgentOutbox& OrderSink::outbox() {
  if (outbox_ == nullptr) throw std::logic_error("this OrderSink takes orders only (events and transfers go to the agent's own sink)");
  return *outbox_;
}

}  // namespace stampede
