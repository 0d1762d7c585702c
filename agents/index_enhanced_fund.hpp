#pragma once
// An index-enhanced long-only quant fund ("CSI 1000 enhanced"): fully invested (bar a cash
// buffer) in a basket benchmarked against the hedged index but tilted toward microcaps, with no
// hedge. Each day it rotates part of the basket (sells the names that look dearest against their
// latent value, buys cheap-looking ones from the same segment: its stock-picking alpha) and
// trades holdings that drifted off their target weight, spread evenly over the day's continuous
// steps with OrderReason::Rebalance.
//
// Investors judge it against the hedged index: after each close the fund's NAV per unit relative
// to the index (both from the start) is compared with its running peak; a relative drawdown
// beyond redemption_relative_drawdown brings redemption requests, a share of NAV of
// redemption_sensitivity x (drawdown - threshold), at most redemption_max_share per day. Investors
// also see the NAV itself: a losing day beyond redemption_absolute_drawdown from the NAV's peak
// asks redemption_absolute_sensitivity x (drawdown - threshold), whichever is larger. A request
// is fixed in yuan at that close and paid out of the market (OrderSink::pay_out) at the close
// redemption_lag_days trading days later; meanwhile the fund sells pro rata with
// OrderReason::Redemption (forced), re-sending unsold shares every step and every day until the
// cash is there. What cash cannot cover at the due close stays owed and is paid at later closes.
// The regulator's sell cap on quant funds (MarketView::rules.quant_sell_cap_per_day) binds all of
// its selling, rebalancing and redemption sales alike.
//
// Events (instrument -1):
//   redemption_requests  quantity = lag in trading days, price = yuan requested,
//                        reason "relative_drawdown" or "absolute_drawdown"
//   redemption_payments  quantity = trading day of the request, price = yuan paid,
//                        reason "paid" (the request is settled) or "partial" (some is still owed)
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/engine/agent.hpp"
#include "sim/engine/agent_registry.hpp"

namespace stampede {

struct IndexEnhancedParams {
  int basket_size = 100;
  double microcap_tilt = 0.5;           // share of the book in microcaps (the rest in constituents)
  double turnover_per_day = 0.02;       // share of the basket's names replaced per day
  int pick_candidates = 3;              // names compared by value / price per rotation pick
  double rebalance_band = 0.25;         // trade a name when off its target by this share of the target
  double cash_buffer = 0.05;            // share of NAV kept in cash
  double redemption_relative_drawdown = 0.05;
  double redemption_sensitivity = 1.0;
  double redemption_max_share = 0.2;
  // Flow also follows absolute losses (a long-only product's investors see its NAV, not its excess):
  // beyond this drawdown of NAV per unit from its peak, a losing day brings requests of
  // redemption_absolute_sensitivity x (drawdown - threshold) of NAV (0 = off).
  double redemption_absolute_drawdown = 0.15;
  double redemption_absolute_sensitivity = 0.0;
  int redemption_lag_days = 2;
  int aggressiveness_ticks = 1;
};

// The stocks a fund may pick from, shared by all funds.
struct IndexEnhancedPools {
  std::vector<InstrumentId> microcaps, constituents;
};

// The agent class (Agent::kind(), the run log's agent_class), declared once.
inline constexpr AgentClassInfo kIndexEnhancedClass{
    "index_enhanced", "index-enhanced funds",
    "a long-only quant fund benchmarked on the hedged index, tilted toward microcaps, unhedged"};

class IndexEnhancedFund final : public Agent {
 public:
  IndexEnhancedFund(const IndexEnhancedParams& p, AccountId account, std::vector<InstrumentId> basket,
                    std::vector<double> weight, std::shared_ptr<const IndexEnhancedPools> pools, double initial_nav,
                    Rng rng);
  const char* kind() const override { return kIndexEnhancedClass.name; }
  void checkpoint(StateIo& io) override;   // agents/checkpoints.cpp
  void decide(const MarketView& view, OrderSink& out) override;
  void end_of_day(const MarketView& view, OrderSink& out) override;
  void report(const MarketView& view, ClassMetrics& into) const override;
  bool reports_daily() const override { return true; }
  AgentDayRow day_row(const MarketView& view) const override;

  AccountId account() const { return account_; }
  AgentState state() const { return state_; }
  double pending_redemptions_yuan() const;
  double relative_drawdown() const { return last_drawdown_; }
  double absolute_drawdown() const { return peak_unit_ > 0 ? 1.0 - last_unit_ / peak_unit_ : 0.0; }

 private:
  struct Work { InstrumentId stock; Qty target; OrderReason reason; };
  struct Sent { InstrumentId stock; OrderId id; Qty qty; Qty holding_before; Side side; };
  struct Pending { DayIndex requested, due; Fen amount; };

  void plan_day(const MarketView& view);
  void rotate(const MarketView& view);
  void trade(const MarketView& view, OrderSink& out);
  Fen pending_total() const;

  IndexEnhancedParams p_;
  AccountId account_;
  std::vector<InstrumentId> basket_;
  std::vector<double> weight_;          // per basket slot, sums to 1
  std::vector<char> in_basket_;         // per stock id
  std::shared_ptr<const IndexEnhancedPools> pools_;
  Rng rng_;

  std::vector<Work> work_;              // today's targets
  std::vector<Sent> sent_;              // orders sent last step
  std::vector<Pending> pending_;        // redemptions requested, not yet paid (oldest first)
  double units_;                        // fund units outstanding (NAV per unit starts at 1)
  double index0_ = 0, peak_relative_ = 1.0, last_drawdown_ = 0;
  double peak_unit_ = 1.0, last_unit_ = 1.0;   // NAV per unit: running peak, last close
  AgentState state_ = AgentState::Normal;
  DayIndex day_ = -1;
  int continuous_seen_ = 0;
  double day_start_long_ = 0;           // stock holdings at the day's first continuous step (yuan)
  double sold_today_ = 0;               // value sold today (yuan, at the prices seen after the fills)
};

// The [index_enhanced] section.
AgentKind index_enhanced_kind();

}  // namespace stampede
