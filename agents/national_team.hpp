#pragma once
// The "national team": a state buyer that steps in when the hedged index has fallen far enough
// from its running peak. It spends a budget at a fixed pace per day, evenly over the day's
// continuous steps, on cap-weighted slices of its basket (the hedged index's constituents, the
// large caps, or both: the stand-in for the CSI 500/1000 and large-cap ETFs it bought in early
// 2024), with limit orders a few ticks through the best ask. It stops when the index has
// recovered enough from its trough (and may start again after a new fall), and for good when
// the budget is spent.
//
// Pacing is exact: each step, what it may still commit is the day's pace times the share of the
// day's continuous steps gone so far, minus what it has already spent today (cash is only ever
// spent on fills, at or below the limit price), so no day spends more than the pace and the run
// spends no more than the budget (its only cash).
//
// Events (kind `interventions`, instrument -1, quantity 0):
//   reason "start"            price = hedged index (points) when the buying starts
//   reason "buy"              price = yuan spent that day (one row per day it bought anything)
//   reason "stop"             price = hedged index (points) when a recovery stops the buying
//   reason "budget_exhausted" price = yuan spent in total, when the cash left cannot buy a lot of
//                             every basket stock (it stops for good)
#include <cstdint>
#include <vector>

#include "sim/engine/agent.hpp"
#include "sim/engine/agent_registry.hpp"

namespace stampede {

struct NationalTeamParams {
  double budget_yuan = 1.0e9;
  double trigger_drawdown = 0.10;
  double pace_yuan_per_day = 1.0e8;
  double constituent_share = 1.0;   // share of the spending on constituents; < 0: cap-weighted over both
  int aggressiveness_ticks = 3;
  double stop_recovery = 0.08;      // 0: never stops on a recovery
  int from_day = 0;
};

// The agent class (Agent::kind(), the run log's agent_class), declared once.
inline constexpr AgentClassInfo kNationalTeamClass{"national_team", "national team",
                                                   "the state buyer that steps in after a fall of the hedged index"};

class NationalTeam final : public Agent {
 public:
  NationalTeam(const NationalTeamParams& p, AccountId account, std::vector<InstrumentId> basket);
  const char* kind() const override { return kNationalTeamClass.name; }
  void checkpoint(StateIo& io) override;   // agents/checkpoints.cpp
  void decide(const MarketView& view, OrderSink& out) override;
  void end_of_day(const MarketView& view, OrderSink& out) override;
  void report(const MarketView& view, ClassMetrics& into) const override;
  bool reports_daily() const override { return true; }
  AgentDayRow day_row(const MarketView& view) const override;

  AccountId account() const { return account_; }
  AgentState state() const { return state_; }
  double spent_yuan() const { return static_cast<double>(budget_fen_ - cash_fen_last_) / 100.0; }

 private:
  void cancel_resting(const MarketView& view, OrderSink& out);
  void start_day(const MarketView& view);
  void buy(const MarketView& view, OrderSink& out);

  NationalTeamParams p_;
  AccountId account_;
  Fen budget_fen_;
  Fen pace_fen_;
  std::vector<InstrumentId> basket_;
  std::vector<double> weight_;       // per basket slot, cap-weighted at the day's start, sums to 1
  std::vector<double> owed_fen_;     // per slot: money allotted but not yet sent in orders
  struct Resting { OrderId id = 0; Qty qty = 0; Tick price = 0; Qty holding_before = 0; };
  std::vector<Resting> resting_;     // per slot: the order sent last step
  std::vector<Qty> lots_;            // scratch, per slot
  std::vector<Tick> limit_;          // scratch, per slot

  AgentState state_ = AgentState::Normal;
  double peak_ = 0, trough_ = 0;     // hedged index: running peak while idle, trough while buying
  DayIndex day_ = -1;
  int continuous_seen_ = 0;          // continuous steps of today seen so far
  Fen cash_day_start_ = 0;
  Fen cash_fen_last_ = 0;            // cash as last seen (for spent_yuan)
};

// The [national_team] section.
AgentKind national_team_kind();

}  // namespace stampede
