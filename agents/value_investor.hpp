#pragma once
// A value investor: slow-moving, long-only capital that buys stocks trading well below its
// estimate of their value and sells them once the price is back near it. Each fund sees the
// latent fundamental value with its own persistent error per stock, looks at a few random stocks
// every few steps, and spends at most a fixed share of its capital per day. Because that budget
// is slow next to a fire sale, forced selling can push prices far below value first; the funds
// keep buying after the forced sellers are done, which is what brings the rebound (Shleifer and
// Vishny's limits of arbitrage, in small).
//
// No events: its trades show in /agents/flows under the class `value_investor`.
#include <cstdint>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/engine/agent.hpp"
#include "sim/engine/agent_registry.hpp"

namespace stampede {

struct ValueInvestorParams {
  double entry_discount = 0.15;       // buy when estimated value / ask - 1 exceeds this
  double exit_discount = 0.0;         // sell a holding when estimated value / bid - 1 falls below this
  double max_position_share = 0.04;   // largest holding of one stock, as a share of starting capital
  double daily_budget_share = 0.1;    // most committed to buys per day, as a share of starting capital
  double order_share = 0.01;          // size of one buy order, as a share of starting capital
  int candidates = 10;                // random stocks looked at per round
  int every_steps = 10;               // continuous steps between rounds
  int aggressiveness_ticks = 1;       // orders priced this far through the best opposite quote
  bool microcaps_only = true;         // look only at microcaps (else every stock)
};

// The agent class (Agent::kind(), the run log's agent_class), declared once.
inline constexpr AgentClassInfo kValueInvestorClass{
    "value_investor", "value investors", "long-only capital buying stocks well below their value and selling near it"};

class ValueInvestor final : public Agent {
 public:
  ValueInvestor(const ValueInvestorParams& p, AccountId account, Fen capital, std::vector<InstrumentId> universe,
                std::vector<float> estimate_error, int phase, Rng rng);
  const char* kind() const override { return kValueInvestorClass.name; }
  void checkpoint(StateIo& io) override;   // agents/checkpoints.cpp
  void decide(const MarketView& view, OrderSink& out) override;
  void report(const MarketView& view, ClassMetrics& into) const override;
  AccountId account() const { return account_; }

 private:
  double value_ticks(const MarketView& view, InstrumentId stock) const;
  void sell_round(const MarketView& view, OrderSink& out);
  void buy_round(const MarketView& view, OrderSink& out);

  ValueInvestorParams p_;
  AccountId account_;
  Fen capital_;
  std::vector<InstrumentId> universe_;   // the stocks it may buy
  std::vector<float> estimate_error_;    // per stock id: relative error of its value estimate
  int phase_;                            // rounds are staggered across funds
  Rng rng_;
  struct Resting { InstrumentId stock; OrderId id; };
  std::vector<Resting> resting_;         // orders sent last round (cancelled at the next)
  DayIndex day_ = -1;
  Fen committed_today_ = 0;
  int continuous_seen_ = 0;
};

// The [value_investors] section.
AgentKind value_investors_kind();

}  // namespace stampede
