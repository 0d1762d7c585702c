#pragma once
// A broker that has issued snowball (autocallable) notes on the hedged index and delta-hedges
// them with LONG index futures. It buys as the index falls toward the knock-in barriers (the
// note's delta rises), and sells a block when barriers are crossed (the delta collapses at
// knock-in). Knock-ins are observed at every close, knock-outs at monthly closes; deltas come
// from per-type PDE surfaces (agents/snowball_pricer.hpp, docs/snowball-pricing.md).
#include <memory>
#include <string>
#include <vector>

#include "agents/snowball_pricer.hpp"
#include "sim/core/rng.hpp"
#include "sim/engine/agent.hpp"
#include "sim/engine/agent_registry.hpp"

namespace stampede {

struct SnowballHedgeParams {
  double hedge_band = 0.05;          // rebalance when |position - target| exceeds this share of the target
  int hedge_every_steps = 5;         // steps between ordinary rebalancing checks
  int aggressiveness_ticks = 2;      // limit price beyond the opposite best quote
  Qty max_order_contracts = 100;     // largest order per step and contract
  int roll_days_before_expiry = 3;   // calendar days before the front's expiry when the hedge moves to the next contract
  double delta_cap = 3.0;            // hedge delta per yuan of notional is clipped to [-cap, cap]
};

// One note. The initial level is given relative to the index when the issuer first sees the
// market (relative_initial = S0 / S_start) and fixed in points then.
struct SnowballNote {
  int type = 0;                  // index into the issuer's surfaces
  double relative_initial = 1;   // S0 / S_start
  double initial_level = 0;      // S0 in index points (0 until anchored)
  double notional = 0;           // yuan
  int closes_left = 1;           // closes to go, today's included (1 on the maturity day)
  bool knocked_in = false;
};

// The agent class (Agent::kind(), the run log's agent_class), declared once.
inline constexpr AgentClassInfo kSnowballIssuerClass{
    "snowball_issuer", "snowball issuers",
    "a broker delta-hedging the snowball notes it issued with long index futures"};

class SnowballIssuer final : public Agent {
 public:
  SnowballIssuer(const SnowballHedgeParams& p, AccountId account,
                 std::vector<std::shared_ptr<const SnowballSurface>> surfaces, std::vector<std::string> type_labels,
                 std::vector<SnowballNote> notes);
  const char* kind() const override { return kSnowballIssuerClass.name; }
  void checkpoint(StateIo& io) override;   // agents/checkpoints.cpp
  void decide(const MarketView& view, OrderSink& out) override;
  void end_of_day(const MarketView& view, OrderSink& out) override;
  void report(const MarketView& view, ClassMetrics& into) const override;
  bool reports_daily() const override { return true; }
  AgentDayRow day_row(const MarketView& view) const override;

  // The hedge the notes call for at index level `index` (contracts of `multiplier_yuan` yuan per
  // point, unrounded); `breached` is set when a live note not yet knocked in is at or below its
  // KI barrier (it will knock in at the close unless the index recovers).
  double target_contracts(double index, double multiplier_yuan, bool* breached = nullptr) const;
  const std::vector<SnowballNote>& notes() const { return notes_; }
  int knocked_in_notes() const;
  AccountId account() const { return account_; }

 private:
  void anchor(double index);
  Qty affordable(const MarketView& view, int slot, Qty wanted) const;
  void send(const MarketView& view, OrderSink& out, int slot, Qty signed_qty, OrderReason reason);

  SnowballHedgeParams p_;
  AccountId account_;
  std::vector<std::shared_ptr<const SnowballSurface>> surfaces_;
  std::vector<std::string> labels_;
  std::vector<SnowballNote> notes_;
  bool anchored_ = false;
  DayIndex day_ = -1;
  bool catching_up_ = true;       // rebalance every step until within the band
  bool ki_selling_ = false;       // sells are knock-in hedges until the hedge is back within the band
  double target_ = 0;             // contracts, as last computed
  bool breached_ = false;         // a live note was at or below its KI barrier when target_ was computed
  bool target_stale_ = true;
  bool in_roll_ = false;          // inside the roll window of the current front
  Qty roll_front_start_ = 0, roll_next_start_ = 0;   // positions when the roll window opened
  std::vector<OrderId> resting_;  // this agent's orders possibly still in the books: (slot, id) pairs
  std::vector<int> resting_slot_;
  Fen margin_spent_ = 0;          // margin reserved by orders sent this step
  std::vector<Qty> ki_count_, ko_count_, matured_count_;   // per type, reused at every close
};

// The [snowball] section.
AgentKind snowball_kind();

}  // namespace stampede
